#include "pipeline/clock_run.h"

#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"


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

Cohort readRunTable(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, CohortReadReport* report, const QString& role)
{
    ctx.setMessage(QStringLiteral("reading the %1 %2").arg(role, path));
    CohortReadOptions options;
    options.progress = [&ctx](qint64) { return ctx.stopRequest() != core::StopRequest::Cancel; }; // a cancel stops a long read
    auto c = readCohort(path, mapping, BiomarkerSchema::builtIn(), report, options);
    if (!c)
        throw JobFailure(c.error().withContext(role));
    orThrow(ctx.provenance().addInputFile(role, path));
    for (const TableIssue& i : report->issues.mid(0, 200)) // every kind is counted in the summary; the first ones are named
        ctx.warn(QStringLiteral("%1:%2, column %3: %4").arg(path).arg(i.line).arg(i.column, i.problem));
    if (report->issues.size() > 200)
        ctx.warn(QStringLiteral("%1: %2 more problems (listed in validation.tsv)").arg(path).arg(report->issues.size() - 200));
    return std::move(*c);
}

ClockRun runClocks(core::JobContext& ctx, const ClockSettings& s)
{
    ClockRun run;
    ctx.beginStage(QStringLiteral("read"), 1);
    run.mapping = orThrow(ColumnMapping::load(s.mapping));
    run.cohort = readRunTable(ctx, s.table, run.mapping, &run.report, QStringLiteral("cohort table"));
    for (const QString& absent : run.report.absentMarkers)
        ctx.setMessage(QStringLiteral("%1 has no column for %2").arg(s.table, absent));
    if (s.missing == MissingPolicy::Impute)
        run.imputed = imputeByAgeSexMedian(run.cohort, run.cohort.markerNames);
    ctx.advance();

    ctx.beginStage(QStringLiteral("train"), 3);
    if (!s.kdmReference.isEmpty()) {
        ctx.setMessage(QStringLiteral("training KDM on %1").arg(s.kdmReference));
        CohortReadReport refReport;
        const Cohort reference = readRunTable(ctx, s.kdmReference, run.mapping, &refReport, QStringLiteral("KDM reference"));
        KdmSettings k;
        const ClockRequirement need = BiomarkerSchema::builtIn().requirement(s.kdmMarkers);
        if (need.required.isEmpty())
            throw JobFailure(QStringLiteral("age: '%1' is not a KDM marker set of the schema (kdm, kdm_blood)").arg(s.kdmMarkers));
        k.markers = need.required;
        k.missingAllowed = need.missingAllowed;
        k.crp = s.phenoAge.crp;
        k.varianceRows = s.kdmVarianceRows;
        run.kdm = orThrow(trainKdm(reference, k));
    }
    ctx.advance();
    if (!s.phenoAgeReference.isEmpty()) {
        ctx.setMessage(QStringLiteral("re-training PhenoAge on %1").arg(s.phenoAgeReference));
        CohortReadReport refReport;
        const Cohort reference = readRunTable(ctx, s.phenoAgeReference, run.mapping, &refReport, QStringLiteral("PhenoAge reference"));
        PhenoAgeTraining t;
        t.crp = s.phenoAge.crp;
        run.phenoAge = orThrow(trainPhenoAge(reference, t));
    }
    ctx.advance();
    std::optional<HdModel> hdModel;
    if (!s.hdReference.isEmpty()) {
        CohortReadReport refReport;
        const Cohort reference = readRunTable(ctx, s.hdReference, run.mapping, &refReport, QStringLiteral("HD reference"));
        hdModel = orThrow(trainHd(reference, BiomarkerSchema::builtIn().requirement(QStringLiteral("hd")).required, s.phenoAge.crp));
    }
    ctx.advance();
    if (ctx.stopRequested())
        return run;

    ctx.beginStage(QStringLiteral("compute"), 4);
    run.clocks.append(computePhenoAge(run.cohort, s.phenoAge));
    ctx.advance();
    if (run.kdm)
        run.clocks.append(computeKdm(run.cohort, *run.kdm));
    ctx.advance();
    if (run.phenoAge)
        run.clocks.append(computeRetrainedPhenoAge(run.cohort, run.phenoAge->model, s.phenoAge.crp));
    ctx.advance();
    if (hdModel)
        run.hd = projectHd(*hdModel, run.cohort);
    ctx.advance();
    for (const ClockValues& c : run.clocks)
        for (auto it = c.reasons.begin(); it != c.reasons.end(); ++it)
            ctx.warn(QStringLiteral("%1: no value for %2 rows: %3").arg(c.name).arg(it.value()).arg(it.key()));
    return run;
}

} // namespace bioforge::age
