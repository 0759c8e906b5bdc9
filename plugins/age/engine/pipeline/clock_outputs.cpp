#include "pipeline/clock_outputs.h"

#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

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

QJsonObject clockSummary(const ClockValues& c)
{
    QJsonObject reasons;
    for (auto it = c.reasons.begin(); it != c.reasons.end(); ++it)
        reasons.insert(it.key(), double(it.value()));
    return {{QStringLiteral("computed"), double(c.computed())}, {QStringLiteral("not_computed"), reasons}};
}

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

QStringList writeClockOutputs(core::JobContext& ctx, const ClockRun& run, const ClockSettings& s, const QJsonObject& extraSummary,
                              const std::vector<ExtraColumn>& extraColumns)
{
    const QDir dir(ctx.outputDir());
    const Cohort& c = run.cohort;
    struct Column {
        QString name;
        const std::vector<double>* values;
        std::vector<double> owned;
    };
    std::vector<Column> columns;
    auto addClock = [&](const QString& name, bool always) {
        const ClockValues* clock = run.clock(name);
        if (!clock && !always)
            return;
        columns.push_back({name, nullptr, clock ? clock->values : std::vector<double>(size_t(c.rows()), std::nan(""))});
        columns.push_back({name + QStringLiteral("_advance"), nullptr, clock ? clock->advance(c) : std::vector<double>(size_t(c.rows()), std::nan(""))});
    };
    addClock(QStringLiteral("phenoage"), true);
    addClock(QStringLiteral("kdm"), true);
    addClock(QStringLiteral("phenoage_retrained"), false);
    if (run.hd) {
        columns.push_back({QStringLiteral("hd"), &run.hd->hd, {}});
        columns.push_back({QStringLiteral("hd_log"), &run.hd->hdLog, {}});
    }
    for (const ExtraColumn& extra : extraColumns)
        columns.push_back({extra.name, &extra.values, {}});
    core::CsvWriter table;
    QStringList header{run.mapping.idColumn.isEmpty() ? QStringLiteral("line") : run.mapping.idColumn};
    for (const Column& col : columns)
        header << col.name;
    table.writeRow(header);
    for (qsizetype r = 0; r < c.rows(); ++r) {
        QStringList row{c.ids[r]};
        for (const Column& col : columns)
            row << numberText((col.values ? *col.values : col.owned)[size_t(r)]);
        table.writeRow(row);
    }
    orThrow(table.save(dir.filePath(QStringLiteral("clocks.csv"))));

    core::CsvWriter notes(QLatin1Char('\t'));
    notes.writeRow({QStringLiteral("id"), QStringLiteral("line"), QStringLiteral("clock"), QStringLiteral("reason")});
    for (const ClockValues& clock : run.clocks)
        for (qsizetype r = 0; r < c.rows(); ++r)
            if (!clock.why[size_t(r)].isEmpty())
                notes.writeRow({c.ids[r], QString::number(c.lines[size_t(r)]), clock.name, clock.why[size_t(r)]});
    if (!run.kdm)
        notes.writeRow({QStringLiteral("*"), QString(), QStringLiteral("kdm"), QStringLiteral("no KDM reference table was given (kdm_reference)")});
    orThrow(notes.save(dir.filePath(QStringLiteral("clock_notes.tsv"))));

    core::CsvWriter validation(QLatin1Char('\t'));
    validation.writeRow({QStringLiteral("line"), QStringLiteral("column"), QStringLiteral("problem")});
    for (const TableIssue& i : run.report.issues)
        validation.writeRow({QString::number(i.line), i.column, i.problem});
    orThrow(validation.save(dir.filePath(QStringLiteral("validation.tsv"))));

    QJsonObject clocks;
    for (const ClockValues& clock : run.clocks)
        clocks.insert(clock.name, clockSummary(clock));
    QJsonObject counts, missing, imputed;
    for (auto it = run.report.counts.begin(); it != run.report.counts.end(); ++it)
        counts.insert(it.key(), double(it.value()));
    for (auto it = run.report.missingByMarker.begin(); it != run.report.missingByMarker.end(); ++it)
        missing.insert(it.key(), double(it.value()));
    for (auto it = run.imputed.begin(); it != run.imputed.end(); ++it)
        imputed.insert(it.key(), double(it.value()));
    QJsonObject summary{{QStringLiteral("rows"), double(c.rows())},
                        {QStringLiteral("table"), s.table},
                        {QStringLiteral("mapping"), run.mapping.name},
                        {QStringLiteral("settings"), s.describe()},
                        {QStringLiteral("crp_transform"), s.phenoAge.crp == CrpTransform::Log1p ? QStringLiteral("log1p") : QStringLiteral("log")},
                        {QStringLiteral("phenoage_divisor"), s.phenoAge.divisor},
                        {QStringLiteral("kdm_variance_rows"), s.kdmVarianceRows == KdmVarianceRows::All ? QStringLiteral("all") : QStringLiteral("complete")},
                        {QStringLiteral("clocks"), clocks},
                        {QStringLiteral("validation"), QJsonObject{{QStringLiteral("summary"), run.report.summary()}, {QStringLiteral("counts"), counts},
                                                                   {QStringLiteral("missing_by_marker"), missing},
                                                                   {QStringLiteral("absent_markers"), QJsonArray::fromStringList(run.report.absentMarkers)}}},
                        {QStringLiteral("imputed"), imputed}};
    if (run.kdm)
        summary.insert(QStringLiteral("kdm_model"), run.kdm->toJson());
    if (run.phenoAge)
        summary.insert(QStringLiteral("phenoage_retrained"), retrainedJson(*run.phenoAge));
    for (auto it = extraSummary.begin(); it != extraSummary.end(); ++it)
        summary.insert(it.key(), it.value());
    orThrow(core::AtomicFile::write(dir.filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson()));
    const QStringList files{QStringLiteral("clocks.csv"), QStringLiteral("clock_notes.tsv"), QStringLiteral("validation.tsv"), QStringLiteral("summary.json")};
    for (const QString& f : files)
        ctx.provenance().addOutput(f, f);
    return files;
}

} // namespace bioforge::age
