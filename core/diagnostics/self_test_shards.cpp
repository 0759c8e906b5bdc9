#include "diagnostics/self_test_shards.h"

#include "cluster/shard_split.h"
#include "diagnostics/self_test_job.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "io/safetensors_reader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace bioforge::core {

namespace {
const QString kSchema = QStringLiteral("bioforge-selftest-shards/1");
} // namespace

QJsonObject SelfTestShardPlan::toJson() const
{
    QJsonArray shards;
    for (const auto& [first, end] : ranges)
        shards.append(QJsonArray{first, end});
    return {{QStringLiteral("schema"), kSchema}, {QStringLiteral("units"), units}, {QStringLiteral("shards"), shards}};
}

Expected<SelfTestShardPlan> SelfTestShardPlan::fromJson(const QJsonObject& json, const QString& source)
{
    if (json.value(QLatin1String("schema")).toString() != kSchema)
        return Error(QStringLiteral("%1: not a self-test shard plan (schema %2 expected)").arg(source, kSchema));
    SelfTestShardPlan plan;
    plan.units = int(json.value(QLatin1String("units")).toInteger(-1));
    int next = 0;
    for (const QJsonValue& v : json.value(QLatin1String("shards")).toArray()) {
        const QJsonArray r = v.toArray();
        const int first = int(r.at(0).toInteger(-1)), end = int(r.at(1).toInteger(-1));
        if (r.size() != 2 || first != next || end <= first || end > plan.units)
            return Error(QStringLiteral("%1: shard %2 is not a range [first, end) following the previous one within %3 units")
                             .arg(source, QString::number(plan.ranges.size() + 1), QString::number(plan.units)));
        plan.ranges.append({first, end});
        next = end;
    }
    if (plan.units < 1 || next != plan.units)
        return Error(QStringLiteral("%1: the shards do not cover the %2 units").arg(source, QString::number(plan.units)));
    return plan;
}

SelfTestShardPlan planSelfTestShards(int units, int shards)
{
    SelfTestShardPlan plan;
    plan.units = units;
    const int n = std::max(1, std::min(shards, units));
    for (int i = 0; i < n; ++i)
        plan.ranges.append({int(qint64(units) * i / n), int(qint64(units) * (i + 1) / n)});
    return plan;
}

Expected<std::pair<int, int>> selfTestUnitRange(const QJsonObject& parameters, int units)
{
    const QString shard = parameters.value(QLatin1String("shard")).toString();
    if (shard.isEmpty())
        return std::pair<int, int>{0, units};
    auto spec = parseShardSpec(shard, QStringLiteral("workbench selftest"));
    if (!spec)
        return spec.error();
    const QString planFile = parameters.value(QLatin1String("shard_plan")).toString();
    if (planFile.isEmpty())
        return Error(QStringLiteral("workbench selftest: shard %1 needs its plan (shard_plan)").arg(shard));
    auto json = readJsonObjectFile(planFile);
    if (!json)
        return json.error();
    auto plan = SelfTestShardPlan::fromJson(*json, planFile);
    if (!plan)
        return plan.error();
    if (plan->units != units || plan->ranges.size() != spec->count)
        return Error(QStringLiteral("%1: the plan is for %2 units in %3 shards, not %4 units in %5")
                         .arg(planFile, QString::number(plan->units), QString::number(plan->ranges.size()), QString::number(units),
                              QString::number(spec->count)));
    return plan->ranges.at(spec->index);
}

Expected<QList<MergedOutput>> mergeSelfTestShards(const QStringList& shardOutputDirs, const QString& outputDir, int expectedUnits)
{
    if (shardOutputDirs.isEmpty())
        return Error(QStringLiteral("no shard to merge"));
    QByteArray table, header;
    std::vector<float> all;
    double grandSum = 0;
    int units = 0, valuesPerUnit = -1;
    qint64 seed = 0;
    for (const QString& dir : shardOutputDirs) {
        const QString tablePath = QDir(dir).filePath(QStringLiteral("units.tsv"));
        auto text = AtomicFile::readVerified(tablePath);
        if (!text)
            return text.error();
        const qsizetype eol = text->indexOf('\n');
        if (eol < 0)
            return Error(QStringLiteral("%1: no header line").arg(tablePath));
        if (header.isEmpty())
            header = text->left(eol + 1), table = header;
        else if (text->left(eol + 1) != header)
            return Error(QStringLiteral("%1: another header than the first shard's").arg(tablePath));
        table += text->mid(eol + 1);

        const QString summaryPath = QDir(dir).filePath(QStringLiteral("summary.json"));
        auto summary = readJsonObjectFile(summaryPath);
        if (!summary)
            return summary.error();
        const int shardUnits = int(summary->value(QLatin1String("units")).toInteger(-1));
        const int perUnit = int(summary->value(QLatin1String("valuesPerUnit")).toInteger(-1));
        const qint64 shardSeed = qint64(summary->value(QLatin1String("seed")).toDouble());
        if (shardUnits < 1 || perUnit < 1 || (valuesPerUnit >= 0 && (perUnit != valuesPerUnit || shardSeed != seed)))
            return Error(QStringLiteral("%1: units, valuesPerUnit and seed expected, the same values per unit and seed as the first shard's").arg(summaryPath));
        valuesPerUnit = perUnit;
        seed = shardSeed;

        const QString valuesPath = QDir(dir).filePath(QStringLiteral("values.safetensors"));
        auto reader = SafetensorsReader::open(valuesPath);
        if (!reader)
            return reader.error();
        auto values = (*reader)->toFloat(QStringLiteral("values"));
        if (!values)
            return values.error();
        if (qint64(values->size()) != qint64(shardUnits) * perUnit)
            return Error(QStringLiteral("%1: %2 values, not %3 units of %4").arg(valuesPath, QString::number(values->size()), QString::number(shardUnits),
                                                                                  QString::number(perUnit)));
        for (int u = 0; u < shardUnits; ++u) // summed unit by unit, as the single-machine run adds them
            grandSum += SelfTestJob::unitSum(std::span<const float>(*values).subspan(size_t(u) * size_t(perUnit), size_t(perUnit)));
        all.insert(all.end(), values->begin(), values->end());
        units += shardUnits;
    }
    if (units != expectedUnits)
        return Error(QStringLiteral("the %1 shards hold %2 units, not the run's %3").arg(QString::number(shardOutputDirs.size()), QString::number(units),
                                                                                       QString::number(expectedUnits)));
    const QDir out(outputDir);
    if (Status st = AtomicFile::write(out.filePath(QStringLiteral("units.tsv")), table); !st)
        return st.error();
    if (Status st = SelfTestJob::writeValues(out.filePath(QStringLiteral("values.safetensors")), units, valuesPerUnit, all); !st)
        return st.error();
    if (Status st = AtomicFile::write(out.filePath(QStringLiteral("summary.json")),
                                      QJsonDocument(SelfTestJob::summary(units, valuesPerUnit, seed, grandSum)).toJson());
        !st)
        return st.error();
    return QList<MergedOutput>{{QStringLiteral("per-unit statistics"), QStringLiteral("units.tsv")},
                               {QStringLiteral("all values"), QStringLiteral("values.safetensors")},
                               {QStringLiteral("summary"), QStringLiteral("summary.json")}};
}

} // namespace bioforge::core
