#include "diagnostics/workbench_plugin.h"

#include "diagnostics/self_test_job.h"
#include "diagnostics/self_test_shards.h"
#include "io/atomic_file.h"
#include "io/csv_reader.h"
#include "io/safetensors_reader.h"
#include "provenance/environment_info.h"
#include "provenance/run_record.h"

#include <QDir>
#include <QJsonDocument>

#include <tuple>

namespace bioforge::core {

PluginMetadata WorkbenchPlugin::metadata()
{
    PluginMetadata m;
    m.id = QStringLiteral("workbench");
    m.name = QStringLiteral("Workbench");
    m.version = EnvironmentInfo::applicationVersion();
    m.description = QStringLiteral("The workbench's own jobs: the end-to-end self-test.");
    m.interfaceVersion = PluginMetadata::kInterfaceVersion;
    return m;
}

bool WorkbenchPlugin::initialize(const PluginContext&, QString*) { return true; }

QList<VerbSpec> WorkbenchPlugin::verbs() const
{
    using T = ParameterSpec::Type;
    VerbSpec selftest;
    selftest.name = QStringLiteral("selftest");
    selftest.description = QStringLiteral("Deterministic test job: progress, checkpoints, provenance and report end to end");
    selftest.parameters = {
        {QStringLiteral("units"), T::Integer, QStringLiteral("work units (one checkpoint each)"), 60, {}, 1, 100000},
        {QStringLiteral("values"), T::Integer, QStringLiteral("numbers per unit"), 4096, {}, 1, 10000000},
        {QStringLiteral("work"), T::Integer, QStringLiteral("hashing rounds per number (cost per unit)"), 5000, {}, 0, 1000000},
        {QStringLiteral("seed"), T::Integer, QStringLiteral("random seed"), 42, {}, 0, 9e15},
        {QStringLiteral("fail_at_unit"), T::Integer, QStringLiteral("diagnostic: fail at this unit (-1 = never)"), -1, {}, -1, 100000},
        {QStringLiteral("shard"), T::String, QStringLiteral("generate only shard i/N of the units (a cluster run's task; empty = all)"), QString(), {}, 0, 0},
        {QStringLiteral("shard_plan"), T::String, QStringLiteral("the cluster run's plan of the shards"), QString(), {}, 0, 0},
    };
    return {selftest};
}

QList<DemoRun> WorkbenchPlugin::demoRuns() const
{
    // The second one is sized to last about a minute on a laptop core (120
    // units of 4096 numbers × 40 000 hashing rounds): long enough to watch
    // progress and ETA, and to pause and resume it from the Jobs dock.
    return {{QStringLiteral("selftest"), QJsonObject{}, QStringLiteral("Workbench self-test (synthetic data)"), {}, false},
            {QStringLiteral("selftest"),
             QJsonObject{{QStringLiteral("units"), 120}, {QStringLiteral("work"), 40000}, {QStringLiteral("seed"), 7}},
             QStringLiteral("Workbench self-test, long: watch its progress and ETA, pause and resume it (Jobs dock)"), {}, true}};
}

Expected<std::unique_ptr<Job>> WorkbenchPlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    if (verb != QLatin1String("selftest"))
        return Error(QStringLiteral("workbench: unknown verb '%1'").arg(verb));
    SelfTestJob::Parameters p = SelfTestJob::fromJson(parameters);
    auto range = selfTestUnitRange(parameters, p.units);
    if (!range)
        return range.error();
    std::tie(p.firstUnit, p.endUnit) = *range;
    return std::unique_ptr<Job>(std::make_unique<SelfTestJob>(p));
}

bool WorkbenchPlugin::canShard(const QString& verb) const { return verb == QLatin1String("selftest"); }

Expected<ShardPlan> WorkbenchPlugin::planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile)
{
    if (verb != QLatin1String("selftest"))
        return IPlugin::planShards(verb, parameters, shards, planFile);
    const SelfTestShardPlan plan = planSelfTestShards(SelfTestJob::fromJson(parameters).units, shards);
    if (Status st = AtomicFile::write(planFile, QJsonDocument(plan.toJson()).toJson()); !st)
        return st.error();
    ShardPlan out;
    out.unit = QStringLiteral("units");
    for (const auto& [first, end] : plan.ranges)
        out.weights << end - first;
    out.summary = {{QStringLiteral("units"), plan.units}};
    return out;
}

Expected<QList<MergedOutput>> WorkbenchPlugin::mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                                           const QString& outputDir)
{
    if (verb != QLatin1String("selftest"))
        return IPlugin::mergeShards(verb, parameters, shardOutputDirs, outputDir);
    return mergeSelfTestShards(shardOutputDirs, outputDir, SelfTestJob::fromJson(parameters).units);
}

Expected<ReportContent> WorkbenchPlugin::reportContent(const RunRecord& run, const QString& runDir) const
{
    ReportContent report;
    report.title = QStringLiteral("Self-test run %1").arg(run.runId);
    report.summary = QStringLiteral("A deterministic job that exercises progress, checkpoints, provenance and reports. "
                                    "Its numbers are synthetic and mean nothing beyond checking the workbench.");
    auto reader = CsvReader::open(QDir(runDir).filePath(QStringLiteral("units.tsv")));
    if (!reader)
        return reader.error();
    if (Status st = (*reader)->readHeader(); !st)
        return st.error();
    ReportSection units;
    units.heading = QStringLiteral("Per-unit statistics");
    ReportTable table;
    table.caption = QStringLiteral("First units (all in units.tsv)");
    table.header = (*reader)->header();
    PlotSeries means{QStringLiteral("mean"), {}, {}};
    for (;;) {
        auto row = (*reader)->next();
        if (!row)
            return row.error();
        if (!row->has_value())
            break;
        const QStringList& r = **row;
        if (table.rows.size() < 12)
            table.rows.append(r);
        means.x.push_back(r.value(0).toDouble());
        means.y.push_back(r.value(1).toDouble());
    }
    units.tables.append(table);
    units.plots.append({ReportPlot::Kind::Line, QStringLiteral("Mean of each unit"), QStringLiteral("unit"),
                        QStringLiteral("mean"), {means}, 0});
    ReportSection distribution;
    distribution.heading = QStringLiteral("Distribution of all values");
    auto tensors = SafetensorsReader::open(QDir(runDir).filePath(QStringLiteral("values.safetensors")));
    if (!tensors)
        return tensors.error();
    auto values = (*tensors)->toFloat(QStringLiteral("values"));
    if (!values)
        return values.error();
    PlotSeries all{QStringLiteral("values"), {}, {}};
    all.x.assign(values->begin(), values->end());
    distribution.plots.append({ReportPlot::Kind::Histogram, QStringLiteral("Histogram of all generated values"),
                               QStringLiteral("value"), QStringLiteral("count"), {all}, 60});
    distribution.paragraphs << QStringLiteral("%1 values in %2 units.").arg(values->size()).arg(means.x.size());
    report.sections = {units, distribution};
    return report;
}

} // namespace bioforge::core
