#include "pipeline/clock_outputs.h"

#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace bioforge::age {

using core::orThrow;

QString numberText(double v)
{
    if (!std::isfinite(v))
        return {};
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    return QString::fromLatin1(buffer, int(r.ptr - buffer));
}

namespace {

QJsonObject retrainedJson(const RetrainedPhenoAgeFit& f)
{
    QJsonObject coefficients;
    for (int j = 0; j < phenoAgeMarkers().size(); ++j)
        coefficients.insert(phenoAgeMarkers()[j], f.model.coefficients[size_t(j)]);
    coefficients.insert(QStringLiteral("age"), f.model.age);
    return {{QStringLiteral("gompertz_shape"), f.biomarkerFit.shape}, {QStringLiteral("gompertz_log_rate"), f.model.logRate},
            {QStringLiteral("coefficients"), coefficients}, {QStringLiteral("m_n"), f.model.mN}, {QStringLiteral("m_d"), f.model.mD},
            {QStringLiteral("BA_n"), f.model.baN}, {QStringLiteral("BA_d"), f.model.baD}, {QStringLiteral("BA_i"), f.model.baI},
            {QStringLiteral("biomarker_model"), QJsonObject{{QStringLiteral("n"), double(f.biomarkerFit.rows)}, {QStringLiteral("events"), double(f.biomarkerFit.events)},
                                                            {QStringLiteral("log_likelihood"), f.biomarkerFit.logLikelihood}}},
            {QStringLiteral("age_model"), QJsonObject{{QStringLiteral("n"), double(f.ageFit.rows)}, {QStringLiteral("events"), double(f.ageFit.events)},
                                                      {QStringLiteral("log_likelihood"), f.ageFit.logLikelihood}, {QStringLiteral("shape"), f.ageFit.shape},
                                                      {QStringLiteral("log_rate"), f.ageFit.logRate}, {QStringLiteral("age"), f.model.baD}}}};
}

} // namespace

struct ClockTableWriter::Impl {
    core::JobContext& ctx;
    ClockSettings settings;
    ColumnMapping mapping;
    const ClockReferences& references;
    QStringList extraColumns;
    QStringList clockNames; // in column order
    bool hasHd = false;
    std::unique_ptr<QSaveFile> table, notes;
    QMap<QString, qint64> computed;
    qint64 otherComputed = 0; // values of HD and of the extra columns (HENAW's in evaluate)
    QMap<QString, QMap<QString, qint64>> reasons;
    qint64 rows = 0;

    Impl(core::JobContext& c, const ClockSettings& s, const ColumnMapping& m, const ClockReferences& r) : ctx(c), settings(s), mapping(m), references(r) {}

    void put(QSaveFile& file, const core::CsvWriter& rowsText)
    {
        if (file.write(rowsText.data()) != rowsText.data().size())
            throw core::JobFailure(QStringLiteral("%1: write failed: %2").arg(file.fileName(), core::AtomicFile::failureReason(file)));
    }
};

ClockTableWriter::ClockTableWriter(core::JobContext& ctx, const ClockSettings& settings, const ColumnMapping& mapping, const ClockReferences& refs,
                                   QStringList extraColumns)
    : d(std::make_unique<Impl>(ctx, settings, mapping, refs))
{
    d->extraColumns = std::move(extraColumns);
    d->clockNames = {QStringLiteral("phenoage"), QStringLiteral("kdm")};
    if (refs.phenoAge)
        d->clockNames << QStringLiteral("phenoage_retrained");
    d->hasHd = refs.hd.has_value();
    const QDir dir(ctx.outputDir());
    d->table = std::make_unique<QSaveFile>(dir.filePath(QStringLiteral("clocks.csv")));
    d->notes = std::make_unique<QSaveFile>(dir.filePath(QStringLiteral("clock_notes.tsv")));
    for (QSaveFile* f : {d->table.get(), d->notes.get()})
        if (!f->open(QIODevice::WriteOnly))
            throw core::JobFailure(QStringLiteral("%1: cannot write: %2").arg(f->fileName(), f->errorString()));
    core::CsvWriter header, notesHeader(QLatin1Char('\t'));
    QStringList h{mapping.idColumn.isEmpty() ? QStringLiteral("line") : mapping.idColumn};
    for (const QString& c : d->clockNames)
        h << c << c + QStringLiteral("_advance");
    if (d->hasHd)
        h << QStringLiteral("hd") << QStringLiteral("hd_log");
    h += d->extraColumns;
    header.writeRow(h);
    notesHeader.writeRow({QStringLiteral("id"), QStringLiteral("line"), QStringLiteral("clock"), QStringLiteral("reason")});
    if (!refs.kdm)
        notesHeader.writeRow({QStringLiteral("*"), QString(), QStringLiteral("kdm"), QStringLiteral("no KDM reference table was given (kdm_reference)")});
    d->put(*d->table, header);
    d->put(*d->notes, notesHeader);
}

ClockTableWriter::~ClockTableWriter() = default;

void ClockTableWriter::write(const Cohort& c, const QList<ClockValues>& clocks, const HdValues* hd, const std::vector<ExtraColumn>& extra)
{
    std::vector<const ClockValues*> byColumn;
    for (const QString& name : d->clockNames) {
        const ClockValues* found = nullptr;
        for (const ClockValues& v : clocks)
            if (v.name == name)
                found = &v;
        byColumn.push_back(found);
    }
    core::CsvWriter table, notes(QLatin1Char('\t'));
    for (qsizetype r = 0; r < c.rows(); ++r) {
        QStringList row{c.ids[r]};
        for (const ClockValues* v : byColumn) {
            const double value = v ? v->values[size_t(r)] : std::nan("");
            row << numberText(value) << numberText(value - c.age[size_t(r)]);
        }
        if (d->hasHd) {
            row << numberText(hd ? hd->hd[size_t(r)] : std::nan("")) << numberText(hd ? hd->hdLog[size_t(r)] : std::nan(""));
            d->otherComputed += hd && std::isfinite(hd->hd[size_t(r)]) ? 1 : 0;
        }
        for (const ExtraColumn& e : extra) {
            row << numberText(e.values[size_t(r)]);
            d->otherComputed += std::isfinite(e.values[size_t(r)]) ? 1 : 0;
        }
        table.writeRow(row);
        if (size_t(r) < c.imputed.size() && !c.imputed[size_t(r)].isEmpty()) // --missing impute: which values are not measured
            notes.writeRow({c.ids[r], QString::number(c.lines[size_t(r)]), QStringLiteral("*"), QStringLiteral("imputed %1").arg(c.imputed[size_t(r)])});
        for (const ClockValues& v : clocks)
            if (!v.why[size_t(r)].isEmpty())
                notes.writeRow({c.ids[r], QString::number(c.lines[size_t(r)]), v.name, v.why[size_t(r)]});
    }
    for (const ClockValues& v : clocks) {
        d->computed[v.name] += v.computed();
        for (auto it = v.reasons.begin(); it != v.reasons.end(); ++it)
            d->reasons[v.name][it.key()] += it.value();
    }
    d->rows += c.rows();
    d->put(*d->table, table);
    d->put(*d->notes, notes);
}

QStringList ClockTableWriter::finish(const CohortReadReport& report, const QMap<QString, qint64>& imputedCounts, const QJsonObject& extraSummary)
{
    const QDir dir(d->ctx.outputDir());
    orThrow(report.saveIssues(dir.filePath(QStringLiteral("validation.tsv"))));
    for (QSaveFile* f : {d->table.get(), d->notes.get()})
        if (core::Status done = core::AtomicFile::commit(*f); !done)
            throw core::JobFailure(done.error().message());

    QJsonObject clocks;
    for (auto it = d->computed.begin(); it != d->computed.end(); ++it) {
        QJsonObject reasons;
        const QMap<QString, qint64> why = d->reasons.value(it.key());
        for (auto r = why.begin(); r != why.end(); ++r) {
            reasons.insert(r.key(), double(r.value()));
            d->ctx.warn(QStringLiteral("%1: no value for %2 %3: %4").arg(it.key(), QString::number(r.value()),
                                                                         r.value() == 1 ? QStringLiteral("row") : QStringLiteral("rows"), r.key()));
        }
        clocks.insert(it.key(), QJsonObject{{QStringLiteral("computed"), double(it.value())}, {QStringLiteral("not_computed"), reasons}});
    }
    QJsonObject counts, missing, imputed;
    for (auto it = report.counts.begin(); it != report.counts.end(); ++it)
        counts.insert(it.key(), double(it.value()));
    for (auto it = report.missingByMarker.begin(); it != report.missingByMarker.end(); ++it)
        missing.insert(it.key(), double(it.value()));
    for (auto it = imputedCounts.begin(); it != imputedCounts.end(); ++it)
        imputed.insert(it.key(), double(it.value()));
    const ClockSettings& s = d->settings;
    QJsonObject summary{{QStringLiteral("rows"), double(d->rows)},
                        {QStringLiteral("table"), s.table},
                        {QStringLiteral("mapping"), d->mapping.name},
                        {QStringLiteral("settings"), s.describe()},
                        {QStringLiteral("crp_transform"), s.phenoAge.crp == CrpTransform::Log1p ? QStringLiteral("log1p") : QStringLiteral("log")},
                        {QStringLiteral("phenoage_divisor"), s.phenoAge.divisor},
                        {QStringLiteral("kdm_variance_rows"), s.kdmVarianceRows == KdmVarianceRows::All ? QStringLiteral("all") : QStringLiteral("complete")},
                        {QStringLiteral("clocks"), clocks},
                        {QStringLiteral("validation"), QJsonObject{{QStringLiteral("summary"), report.summary()}, {QStringLiteral("counts"), counts},
                                                                   {QStringLiteral("missing_by_marker"), missing},
                                                                   {QStringLiteral("absent_markers"), QJsonArray::fromStringList(report.absentMarkers)},
                                                                   {QStringLiteral("column_problems"), QJsonArray::fromStringList(columnWideProblems(report, d->mapping))},
                                                                   {QStringLiteral("reading_notes"), QJsonArray::fromStringList(report.notes)}}},
                        {QStringLiteral("imputed"), imputed}};
    if (d->references.kdm)
        summary.insert(QStringLiteral("kdm_model"), d->references.kdm->toJson());
    if (d->references.phenoAge)
        summary.insert(QStringLiteral("phenoage_retrained"), retrainedJson(*d->references.phenoAge));
    for (auto it = extraSummary.begin(); it != extraSummary.end(); ++it)
        if (it.key() != QLatin1String("clocks"))
            summary.insert(it.key(), it.value());
    const QJsonObject extraClocks = extraSummary.value(QLatin1String("clocks")).toObject(); // beside the published ones
    for (auto it = extraClocks.begin(); it != extraClocks.end(); ++it)
        clocks.insert(it.key(), it.value());
    summary.insert(QStringLiteral("clocks"), clocks);
    orThrow(core::AtomicFile::write(dir.filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson()));
    const QStringList files{QStringLiteral("clocks.csv"), QStringLiteral("clock_notes.tsv"), QStringLiteral("validation.tsv"), QStringLiteral("summary.json")};
    for (const QString& f : files)
        d->ctx.provenance().addOutput(f, f);
    // The terminal says why a whole column is empty (it was said in clock_notes.tsv only), and a
    // run in which no clock has a value for anyone fails: it would "finish" with every cell empty.
    if (!d->references.kdm)
        d->ctx.warn(QStringLiteral("kdm: not computed, its columns are empty: KDM is trained on a reference table, and none was given "
                                   "(--kdm_reference FILE, such as BioAge's NHANES III table; docs/age.md)"));
    qint64 values = d->otherComputed;
    for (qint64 n : std::as_const(d->computed))
        values += n;
    if (d->rows > 0 && values == 0) {
        // The commonest reasons said here: the window shows this message alone ("the reasons above"
        // pointed at nothing there: trial 20); the terminal and the Log dock have every warning.
        QList<std::pair<qint64, QString>> why;
        for (auto c = d->reasons.begin(); c != d->reasons.end(); ++c)
            for (auto r = c->begin(); r != c->end(); ++r)
                why.append({r.value(), QStringLiteral("%1: %2 (%3 rows)").arg(c.key(), r.key()).arg(r.value())});
        std::sort(why.begin(), why.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        QStringList named;
        for (qsizetype i = 0; i < std::min<qsizetype>(3, why.size()); ++i)
            named << why[i].second;
        throw core::JobFailure::needingNewRun(QStringLiteral("age clocks: no clock has a value for any of the %1 rows (%2%3; clock_notes.tsv lists the "
                                                             "reasons row by row, the run's warnings what was read wrong): check the mapping's columns and "
                                                             "units, or the reference tables")
                                                  .arg(d->rows)
                                                  .arg(named.join(QStringLiteral("; ")), why.size() > named.size() ? QStringLiteral("; …") : QString()));
    }
    return files;
}

QStringList writeClockOutputs(core::JobContext& ctx, const ClockRun& run, const ClockSettings& s, const QJsonObject& extraSummary,
                              const std::vector<ExtraColumn>& extraColumns)
{
    QStringList extraNames;
    for (const ExtraColumn& e : extraColumns)
        extraNames << e.name;
    ClockTableWriter writer(ctx, s, run.mapping, run.references, extraNames);
    writer.write(run.cohort, run.clocks, run.hd ? &*run.hd : nullptr, extraColumns);
    return writer.finish(run.report, run.imputed, extraSummary);
}

} // namespace bioforge::age
