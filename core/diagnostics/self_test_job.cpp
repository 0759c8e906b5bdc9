#include "diagnostics/self_test_job.h"

#include "checkpoint/checkpoint_store.h"
#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "io/safetensors_writer.h"
#include "io/sha256.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstring>

namespace bioforge::core {
namespace {

quint64 splitmix64(quint64& state)
{
    quint64 z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

QString unitKey(int unit) { return QStringLiteral("generate/unit-%1").arg(unit, 5, 10, QLatin1Char('0')); }

QByteArray floatBytes(const std::vector<float>& v)
{
    QByteArray bytes(qsizetype(v.size() * sizeof(float)), Qt::Uninitialized);
    std::memcpy(bytes.data(), v.data(), v.size() * sizeof(float));
    return bytes;
}

} // namespace

SelfTestJob::Parameters SelfTestJob::fromJson(const QJsonObject& json)
{
    Parameters p;
    p.units = json.value(QLatin1String("units")).toInt(p.units);
    p.values = json.value(QLatin1String("values")).toInt(p.values);
    p.work = json.value(QLatin1String("work")).toInt(p.work);
    p.seed = json.value(QLatin1String("seed")).toInteger(qint64(p.seed));
    p.failAtUnit = json.value(QLatin1String("fail_at_unit")).toInt(p.failAtUnit);
    return p;
}

std::vector<float> SelfTestJob::unitValues(const Parameters& p, int unit)
{
    std::vector<float> out(size_t(p.values));
    quint64 state = quint64(p.seed) * 0x100000001B3ull + quint64(unit);
    for (int i = 0; i < p.values; ++i) {
        quint64 mixed = splitmix64(state);
        for (int r = 0; r < p.work; ++r)
            mixed = splitmix64(mixed);
        // Two uniforms -> one normal (Box-Muller), shifted by the unit so means differ.
        const double u1 = (double(mixed >> 11) + 0.5) / 9007199254740992.0;
        const double u2 = (double(splitmix64(state) >> 11) + 0.5) / 9007199254740992.0;
        const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        out[size_t(i)] = float(normal + 0.01 * unit);
    }
    return out;
}

double SelfTestJob::unitSum(std::span<const float> values)
{
    double sum = 0;
    for (float v : values)
        sum += v;
    return sum;
}

Status SelfTestJob::writeValues(const QString& path, int units, int valuesPerUnit, const std::vector<float>& all)
{
    SafetensorsWriter tensors;
    tensors.setMetadata(QStringLiteral("producer"), QStringLiteral("bioforge self-test"));
    if (Status st = tensors.add(QStringLiteral("values"), DType::F32, {qint64(units), qint64(valuesPerUnit)}, floatBytes(all)); !st)
        return st;
    return tensors.writeAtomic(path);
}

QJsonObject SelfTestJob::summary(int units, int valuesPerUnit, qint64 seed, double grandSum)
{
    const double count = double(units) * double(valuesPerUnit);
    return {{QStringLiteral("units"), units},
            {QStringLiteral("valuesPerUnit"), valuesPerUnit},
            {QStringLiteral("seed"), double(seed)},
            {QStringLiteral("grandMean"), grandSum / (count > 0 ? count : 1)}};
}

JobOutcome SelfTestJob::run(JobContext& ctx)
{
    ctx.defineStages({{QStringLiteral("generate"), QStringLiteral("Generate"), 0.9},
                      {QStringLiteral("summarise"), QStringLiteral("Summarise"), 0.1}});
    const int first = m_parameters.firstUnit, end = m_parameters.end();
    ctx.beginStage(QStringLiteral("generate"), end - first);
    CheckpointStore& store = ctx.checkpoints();
    for (int unit = first; unit < end; ++unit) {
        if (store.loadOrDiscard(unitKey(unit))) {
            ctx.advanceReused(1);
            continue; // done before a pause or crash
        }
        if (unit == m_parameters.failAtUnit)
            throw JobFailure(QStringLiteral("self-test: failing at unit %1 as asked (fail_at_unit)").arg(unit));
        const std::vector<float> values = unitValues(m_parameters, unit);
        double sum = 0, sq = 0;
        for (float v : values) {
            sum += v;
            sq += double(v) * v;
        }
        const double mean = sum / double(values.size());
        SafetensorsWriter tensors;
        orThrow(tensors.add(QStringLiteral("values"), DType::F32, {qint64(values.size())}, floatBytes(values)));
        orThrow(store.save(unitKey(unit),
                           QJsonObject{{QStringLiteral("unit"), unit},
                                       {QStringLiteral("mean"), mean},
                                       {QStringLiteral("std"), std::sqrt(std::max(0.0, sq / double(values.size()) - mean * mean))}},
                           &tensors));
        ctx.advance();
        ctx.setMessage(QStringLiteral("unit %1 of %2").arg(unit - first + 1).arg(end - first));
        if (ctx.stopRequested())
            return ctx.stopRequest() == StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled;
    }
    ctx.beginStage(QStringLiteral("summarise"), end - first);
    summarise(ctx);
    return JobOutcome::Finished;
}

void SelfTestJob::summarise(JobContext& ctx)
{
    CheckpointStore& store = ctx.checkpoints();
    CsvWriter table(QLatin1Char('\t'));
    table.writeRow({QStringLiteral("unit"), QStringLiteral("mean"), QStringLiteral("std"), QStringLiteral("min"),
                    QStringLiteral("max"), QStringLiteral("sha256")});
    const int first = m_parameters.firstUnit, end = m_parameters.end(), units = end - first;
    std::vector<float> all;
    all.reserve(size_t(units) * size_t(m_parameters.values));
    double grandSum = 0;
    for (int unit = first; unit < end; ++unit) {
        auto loaded = store.loadOrDiscard(unitKey(unit));
        std::vector<float> values;
        if (loaded && loaded->tensors) {
            values = orThrow(loaded->tensors->toFloat(QStringLiteral("values")));
        } else {
            values = unitValues(m_parameters, unit); // rejected checkpoint: recompute
        }
        const double sum = unitSum(values);
        double sq = 0;
        float lo = values.empty() ? 0.f : values.front(), hi = lo;
        for (float v : values) {
            sq += double(v) * v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        const double mean = sum / double(values.size());
        const double sd = std::sqrt(std::max(0.0, sq / double(values.size()) - mean * mean));
        grandSum += sum;
        table.writeRow({QString::number(unit), QString::number(mean, 'g', 9), QString::number(sd, 'g', 9),
                        QString::number(lo, 'g', 9), QString::number(hi, 'g', 9), Sha256::ofData(floatBytes(values))});
        all.insert(all.end(), values.begin(), values.end());
        ctx.advance();
    }
    const QDir out(ctx.outputDir());
    orThrow(table.save(out.filePath(QStringLiteral("units.tsv"))));
    orThrow(writeValues(out.filePath(QStringLiteral("values.safetensors")), units, m_parameters.values, all));
    orThrow(AtomicFile::write(out.filePath(QStringLiteral("summary.json")),
                              QJsonDocument(summary(units, m_parameters.values, m_parameters.seed, grandSum)).toJson()));
    ctx.provenance().addOutput(QStringLiteral("per-unit statistics"), QStringLiteral("units.tsv"));
    ctx.provenance().addOutput(QStringLiteral("all values"), QStringLiteral("values.safetensors"));
    ctx.provenance().addOutput(QStringLiteral("summary"), QStringLiteral("summary.json"));
}

} // namespace bioforge::core
