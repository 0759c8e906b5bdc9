#include "pipeline/clock_run.h"

#include "henaw/henaw_model_folder.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"
#include "table/imputation.h"

#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bioforge::age {

using core::JobFailure;
using core::orThrow;

const ClockValues* ClockRun::clock(const QString& name) const
{
    for (const ClockValues& c : clocks)
        if (c.name == name)
            return &c;
    return nullptr;
}

Cohort readRunTable(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, CohortReadReport* report, const QString& role,
                    const QStringList& used, const QString& absentMeans)
{
    ctx.setMessage(QStringLiteral("reading the %1 %2").arg(role, path));
    CohortReadOptions options;
    options.progress = [&ctx](qint64) { return ctx.stopRequest() != core::StopRequest::Cancel; }; // a cancel stops a long read
    auto c = readCohort(path, mapping, BiomarkerSchema::builtIn(), report, options);
    if (!c)
        throw JobFailure(c.error().withContext(role));
    orThrow(ctx.provenance().addInputFile(role, path));
    warnTableIssues(ctx, path, mapping, *report, used, absentMeans);
    refuseColumnsInAWrongUnit(path, mapping, *report, used);
    return std::move(*c);
}

ColumnMapping loadRunMapping(core::JobContext& ctx, const QString& fileOrName)
{
    ColumnMapping mapping = orThrow(ColumnMapping::load(fileOrName));
    ctx.provenance().addInputData(QStringLiteral("column mapping '%1'").arg(mapping.name), QJsonDocument(mapping.toJson()).toJson(QJsonDocument::Compact));
    return mapping;
}

QStringList clockMarkers(const ClockSettings& s)
{
    if (!s.henawTrain.isEmpty()) // trained on whatever markers the table has
        return {};
    const BiomarkerSchema& schema = BiomarkerSchema::builtIn();
    QStringList model;
    if (!s.henawModel.isEmpty()) {
        // A trained model's markers (the model itself is checked as it loads: one whose config.json
        // does not read here is every marker; FEV1 was warned of, no clock of the run reading it:
        // trial 23 T23-14).
        model = henawModelMarkers(s.henawModel);
        if (model.isEmpty())
            return {};
    }
    QStringList used = schema.requirement(QStringLiteral("phenoage")).required;
    if (!s.kdmReference.isEmpty())
        used += schema.requirement(s.kdmMarkers).required;
    if (!s.hdReference.isEmpty())
        used += schema.requirement(QStringLiteral("hd")).required;
    used += model;
    used.removeDuplicates();
    return used;
}

void warnTableIssues(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, const CohortReadReport& report, const QStringList& used,
                     const QString& absentMeans)
{
    QStringList columns;
    for (const QString& marker : report.absentMarkers)
        if (used.isEmpty() || used.contains(marker)) // a column no clock of the run reads is no loss
            columns << QStringLiteral("'%1' (%2)%3").arg(mapping.biomarkers.value(marker).column, marker,
                                                         report.caseAmbiguityNote(mapping.biomarkers.value(marker).column));
    if (!columns.isEmpty()) {
        ctx.warn(QStringLiteral("%1: no column %2, which the mapping '%3' reads: %4 (rename the columns, or give a mapping that names yours)")
                     .arg(path, columns.join(QStringLiteral(", ")), mapping.name,
                          absentMeans.isEmpty() ? QStringLiteral("the clocks that read them go without: a person lacking more markers than a clock allows (KDM a "
                                                                                 "few, PhenoAge and HD none) has no value of it, said in clock_notes.tsv")
                                                : absentMeans));
    }
    for (const QString& note : report.notes) // how the table was read: decimal commas, a unit in a column's name
        ctx.warn(QStringLiteral("%1: %2").arg(path, note));
    // A problem that fills a column is said once, with what the column holds; its rows are in validation.tsv.
    const auto wide = report.columnWide();
    for (const auto& key : wide) {
        const ColumnTally& t = report.byColumn[key];
        ctx.warn(QStringLiteral("%1: %2 (%3 in validation.tsv)")
                     .arg(path, describeColumnWide(report, key, mapping),
                          t.kept == t.count ? QStringLiteral("each row") : QStringLiteral("the first %1 rows").arg(t.kept)));
    }
    // Every kind is counted in the summary; the first others are named.
    constexpr int kNamed = 200;
    int named = 0;
    for (const TableIssue& i : report.issues) {
        if (wide.contains(std::pair{i.kind, i.column}) || named >= kNamed)
            continue;
        ctx.warn(QStringLiteral("%1:%2, column %3: %4").arg(path, QString::number(i.line), i.column, i.problem));
        ++named;
    }
    qint64 others = 0; // every problem not in a column-wide finding, kept or not
    for (auto it = report.byColumn.begin(); it != report.byColumn.end(); ++it)
        others += wide.contains(it.key()) ? 0 : it->count;
    if (others > named)
        ctx.warn(QStringLiteral("%1: %2 more problems (validation.tsv lists the first %3 of each kind in each column)")
                     .arg(path, QString::number(others - named), QString::number(CohortReadReport::kMaxIssues)));
}

namespace {
// A KDM reference of fewer people of a sex than this is warned of (the engine trains from 10).
constexpr qint64 kKdmSmallReference = 200;
} // namespace

void refuseColumnsInAWrongUnit(const QString& path, const ColumnMapping& mapping, const CohortReadReport& report, const QStringList& used)
{
    QStringList why;
    for (const auto& key : report.columnWide()) {
        if (key.first != QLatin1String("out of range"))
            continue;
        for (auto it = mapping.biomarkers.begin(); it != mapping.biomarkers.end(); ++it)
            if (it->column == key.second && (used.isEmpty() || used.contains(it.key()))) {
                why << describeColumnWide(report, key, mapping);
                break;
            }
    }
    if (!why.isEmpty())
        throw JobFailure::needingNewRun(QStringLiteral("%1: %2\nno value is computed from a column read in a unit it is not in (its rows that fall in "
                                                       "range would be converted wrongly too): start a new run with the mapping's unit corrected")
                                            .arg(path, why.join(QStringLiteral("\n"))));
}

namespace {

// A reference cohort lacking a marker its clock is trained on: named by the column the mapping
// reads, as the table warnings name it (the clock's own check knows only the marker).
void requireMarkers(const Cohort& reference, const QStringList& markers, const ColumnMapping& mapping, const QString& role, const QString& hint = {})
{
    QStringList absent;
    for (const QString& marker : markers)
        if (!reference.has(marker)) {
            const QString column = mapping.biomarkers.value(marker).column;
            absent << (column.isEmpty() ? QStringLiteral("for %1 (the mapping names no column for it)").arg(marker)
                                        : QStringLiteral("'%1' (%2)").arg(column, marker));
        }
    if (!absent.isEmpty())
        throw JobFailure::needingNewRun(QStringLiteral("%1: the %2 has no %3 %4, which the mapping '%5' reads; it is trained on every one of %6%7")
                             .arg(reference.source, role, absent.size() == 1 ? QStringLiteral("column") : QStringLiteral("columns"),
                                  absent.join(QStringLiteral(", ")), mapping.name, markers.join(QStringLiteral(", ")), hint));
}

} // namespace

ClockReferences trainReferences(core::JobContext& ctx, const ClockSettings& s, const ColumnMapping& tableMapping)
{
    ClockReferences refs;
    ctx.beginStage(QStringLiteral("train"), 3);
    const bool anyReference = !s.kdmReference.isEmpty() || !s.phenoAgeReference.isEmpty() || !s.hdReference.isEmpty();
    const ColumnMapping mapping = s.referenceMapping.isEmpty() || !anyReference ? tableMapping : loadRunMapping(ctx, s.referenceMapping);
    // A reference that does not fit the table's mapping (BioAge's NHANES names beside a user's own)
    // is said with the way out.
    const QString mappingHint = s.referenceMapping.isEmpty() && s.mapping != QLatin1String("nhanes-bioage")
                                    ? QStringLiteral(" (reference tables are read with the table's mapping '%1' unless --reference_map gives theirs: "
                                                     "nhanes-bioage for BioAge's NHANES files)")
                                          .arg(mapping.name)
                                    : QString();
    auto readRunTable = [&](core::JobContext& c, const QString& path, const ColumnMapping& m, CohortReadReport* report, const QString& role,
                            const QStringList& used) {
        try {
            return age::readRunTable(c, path, m, report, role, used);
        } catch (const JobFailure& f) { // a table the mapping does not fit stays a failure a resume cannot mend
            throw f.newRunNeeded() ? JobFailure::needingNewRun(f.message() + mappingHint) : JobFailure(f.message() + mappingHint);
        }
    };
    auto requireMarkers = [&](const Cohort& reference, const QStringList& markers, const ColumnMapping& m, const QString& role, const QString& hint = {}) {
        age::requireMarkers(reference, markers, m, role, hint + mappingHint);
    };
    if (!s.kdmReference.isEmpty()) {
        ctx.setMessage(QStringLiteral("training KDM on %1").arg(s.kdmReference));
        CohortReadReport refReport;
        const ClockRequirement need = BiomarkerSchema::builtIn().requirement(s.kdmMarkers);
        const Cohort reference = readRunTable(ctx, s.kdmReference, mapping, &refReport, QStringLiteral("KDM reference"), need.required);
        KdmSettings k;
        if (need.required.isEmpty())
            throw JobFailure::needingNewRun(QStringLiteral("age: '%1' is not a KDM marker set of the schema (kdm, kdm_blood)").arg(s.kdmMarkers));
        k.markers = need.required;
        k.missingAllowed = need.missingAllowed;
        k.crp = s.phenoAge.crp;
        k.varianceRows = s.kdmVarianceRows;
        requireMarkers(reference, k.markers, mapping, QStringLiteral("KDM reference"),
                       s.kdmMarkers == QLatin1String("kdm_blood") ? QString()
                                                                  : QStringLiteral(" (--kdm_markers kdm_blood trains KDM on the blood markers alone)"));
        refs.kdm = orThrow(trainKdm(reference, k));
        for (const KdmSexModel& m : refs.kdm->bySex)
            if (!m.untrained.isEmpty()) // its people get no KDM value; the other sex and the other clocks go on
                ctx.warn(QStringLiteral("KDM reference %1: KDM is not computed for %2: %3").arg(s.kdmReference, m.sex == Sex::Male ? QStringLiteral("men") : QStringLiteral("women"),
                                                                                                 m.untrained));
            else if (m.trainingRows < kKdmSmallReference) // trained, on too few for stable regressions (trial 23 T23-13)
                ctx.warn(QStringLiteral("KDM reference %1: KDM for %2 is trained on %3 people only: its regressions (one per marker against age) are "
                                        "unstable on so few, and its values with them; BioAge trains on thousands per sex (NHANES III)")
                             .arg(s.kdmReference, m.sex == Sex::Male ? QStringLiteral("men") : QStringLiteral("women"), QString::number(m.trainingRows)));
        if (refs.kdm->pregnancyStatusMissing)
            ctx.warn(QStringLiteral("KDM reference %1: no one's pregnancy status is recorded (%2), so KDM is trained on "
                                    "everyone aged %3-%4, women included; BioAge trains only on people recorded as not pregnant: add the column "
                                    "(1 pregnant, 0 not, 0 for men) to leave pregnancies out")
                         .arg(s.kdmReference,
                              mapping.pregnant.column.isEmpty() ? QStringLiteral("the mapping names no pregnancy column")
                                                                : QStringLiteral("the mapping's '%1' column is not in the table, or every cell of it is empty")
                                                                      .arg(mapping.pregnant.column),
                              QString::number(k.minAge), QString::number(k.maxAge)));
    }
    ctx.advance();
    if (!s.phenoAgeReference.isEmpty()) {
        ctx.setMessage(QStringLiteral("re-training PhenoAge on %1").arg(s.phenoAgeReference));
        CohortReadReport refReport;
        const Cohort reference = readRunTable(ctx, s.phenoAgeReference, mapping, &refReport, QStringLiteral("PhenoAge reference"),
                                              BiomarkerSchema::builtIn().requirement(QStringLiteral("phenoage")).required);
        PhenoAgeTraining t;
        t.crp = s.phenoAge.crp;
        refs.phenoAge = orThrow(trainPhenoAge(reference, t));
    }
    ctx.advance();
    if (!s.hdReference.isEmpty()) {
        CohortReadReport refReport;
        const QStringList hdMarkers = BiomarkerSchema::builtIn().requirement(QStringLiteral("hd")).required;
        const Cohort reference = readRunTable(ctx, s.hdReference, mapping, &refReport, QStringLiteral("HD reference"), hdMarkers);
        requireMarkers(reference, hdMarkers, mapping, QStringLiteral("HD reference"));
        // HD measures the distance to a young healthy reference (Cohen et al. 2013; BioAge's NHANES III
        // reference: ages 20–30 with every marker in its clinical range). Every row of the file is
        // taken as that reference: a whole cohort given here makes HD a distance to the average adult.
        double youngest = std::numeric_limits<double>::infinity(), oldest = -youngest;
        qsizetype aged = 0;
        for (double a : reference.age)
            if (std::isfinite(a)) {
                youngest = std::min(youngest, a);
                oldest = std::max(oldest, a);
                ++aged;
            }
        if (aged > 0 && oldest - youngest > 15)
            ctx.warn(QStringLiteral("HD reference %1: ages %2 to %3 in %4 rows — HD takes every row as its young healthy reference (BioAge: ages 20 to "
                                    "30, markers in their clinical ranges); a whole cohort makes HD a distance to the average adult: give the "
                                    "young healthy subset")
                         .arg(s.hdReference)
                         .arg(youngest, 0, 'f', 0)
                         .arg(oldest, 0, 'f', 0)
                         .arg(aged));
        refs.hd = orThrow(trainHd(reference, hdMarkers, s.phenoAge.crp));
    }
    ctx.advance();
    return refs;
}

QList<ClockValues> computeClocks(const Cohort& cohort, const ClockSettings& s, const ClockReferences& refs)
{
    QList<ClockValues> clocks{computePhenoAge(cohort, s.phenoAge)};
    if (refs.kdm)
        clocks.append(computeKdm(cohort, *refs.kdm));
    if (refs.phenoAge)
        clocks.append(computeRetrainedPhenoAge(cohort, refs.phenoAge->model, s.phenoAge.crp));
    // A row that could not be read has no value for its blank fields: said as what it is, not as the
    // first of them ("no usable age" for a row whose age was there: trial 24 T24-8).
    const QString unread = QStringLiteral("the row could not be read (a number of fields other than the header's; validation.tsv)");
    for (ClockValues& clock : clocks)
        for (qsizetype r = 0; r < cohort.rows(); ++r)
            if (cohort.rowUnread(r) && size_t(r) < clock.why.size() && !clock.why[size_t(r)].isEmpty() && clock.why[size_t(r)] != unread) {
                auto was = clock.reasons.find(clock.why[size_t(r)]);
                if (was != clock.reasons.end() && --was.value() <= 0)
                    clock.reasons.erase(was);
                clock.why[size_t(r)] = unread;
                ++clock.reasons[unread];
            }
    return clocks;
}

ClockRun runClocks(core::JobContext& ctx, const ClockSettings& s)
{
    ClockRun run;
    ctx.beginStage(QStringLiteral("read"), 1);
    run.mapping = loadRunMapping(ctx, s.mapping);
    run.cohort = readRunTable(ctx, s.table, run.mapping, &run.report, QStringLiteral("cohort table"), clockMarkers(s));
    if (s.missing == MissingPolicy::Impute) {
        if (!s.henawModel.isEmpty() || !s.henawTrain.isEmpty())
            run.measured = run.cohort;
        qint64 sparse = 0;
        run.imputed = imputeByAgeSexMedian(run.cohort, run.cohort.markerNames, &sparse);
        if (sparse > 0)
            ctx.warn(QStringLiteral("--missing impute: %1 of %2 rows have fewer than half of the table's %3 biomarkers measured; they are not imputed "
                                    "(their clocks would be made of medians alone), so the clocks that need a missing marker are empty there (clock_notes.tsv)")
                         .arg(sparse)
                         .arg(run.cohort.rows())
                         .arg(run.cohort.markerNames.size()));
    }
    ctx.advance();
    run.references = trainReferences(ctx, s, run.mapping);
    if (ctx.stopRequested())
        return run;
    ctx.beginStage(QStringLiteral("compute"), 1);
    run.clocks = computeClocks(run.cohort, s, run.references);
    if (run.references.hd)
        run.hd = projectHd(*run.references.hd, run.cohort);
    ctx.advance();
    return run;
}

} // namespace bioforge::age
