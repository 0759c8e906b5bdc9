#include "checkpoint/checkpoint_inspector.h"

#include "checkpoint/checkpoint_store.h"
#include "io/safetensors_reader.h"
#include "store/project.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace bioforge::core {

QString TensorStats::shapeText() const { return core::shapeText(shape); }

TensorStats CheckpointInspector::stats(const SafetensorsReader& reader, const TensorInfo& info)
{
    TensorStats s;
    s.name = info.name;
    s.dtype = dtypeName(info.dtype);
    s.shape = info.shape;
    s.bytes = info.byteSize;
    s.elements = info.elementCount();
    auto values = reader.toFloat(info.name);
    if (!values)
        return s;
    s.numeric = true;
    double sum = 0, sq = 0;
    qint64 finite = 0;
    s.min = std::numeric_limits<double>::infinity();
    s.max = -std::numeric_limits<double>::infinity();
    for (float v : *values) {
        if (std::isnan(v)) {
            ++s.nanCount;
            continue;
        }
        if (std::isinf(v)) {
            ++s.infCount;
            continue;
        }
        ++finite;
        sum += v;
        sq += double(v) * v;
        s.min = std::min(s.min, double(v));
        s.max = std::max(s.max, double(v));
    }
    if (finite == 0) {
        s.min = s.max = 0;
        return s;
    }
    s.mean = sum / double(finite);
    s.std = std::sqrt(std::max(0.0, sq / double(finite) - s.mean * s.mean));
    return s;
}

std::vector<double> CheckpointInspector::histogram(const std::vector<float>& values, int bins, double* lo, double* hi)
{
    bins = std::max(1, bins);
    double mn = std::numeric_limits<double>::infinity(), mx = -mn;
    for (float v : values)
        if (std::isfinite(v)) {
            mn = std::min(mn, double(v));
            mx = std::max(mx, double(v));
        }
    std::vector<double> counts(size_t(bins), 0.0);
    if (!std::isfinite(mn)) {
        *lo = *hi = 0;
        return counts;
    }
    if (mx == mn)
        mx = mn + 1.0;
    *lo = mn;
    *hi = mx;
    const double width = (mx - mn) / bins;
    for (float v : values) {
        if (!std::isfinite(v))
            continue;
        const int b = std::min(bins - 1, int((double(v) - mn) / width));
        counts[size_t(b)] += 1.0;
    }
    return counts;
}

namespace {

// The store an entry belongs to and its key there. A cluster run's checkpoint folder holds its
// tasks' own projects (cluster/tasks/<i>/project/checkpoints/<task run>/…), whose entries are keyed
// from their run's checkpoint folder: verified from the outer folder, every healthy one read as
// BAD ("manifest belongs to key 'classify/shard-00000'").
std::pair<QString, QString> storeOf(const QString& checkpointDir, const QString& key)
{
    const QStringList parts = key.split(QLatin1Char('/'));
    for (qsizetype at = parts.size() - 3; at >= 1; --at) // …/<project>/checkpoints/<run>/<key in that run>
        if (parts[at] == QLatin1String("checkpoints") && Project::looksLikeProject(QDir(checkpointDir).filePath(parts.mid(0, at).join(QLatin1Char('/')))))
            return {QDir(checkpointDir).filePath(parts.mid(0, at + 2).join(QLatin1Char('/'))), parts.mid(at + 2).join(QLatin1Char('/'))};
    return {checkpointDir, key};
}

} // namespace

QList<CheckpointEntryReport> CheckpointInspector::inspect(const QString& checkpointDir)
{
    QList<CheckpointEntryReport> out;
    const CheckpointStore scan(checkpointDir, 0);
    for (const QString& key : scan.keys()) {
        CheckpointEntryReport r;
        r.key = key;
        QFile manifestFile(QDir(checkpointDir).filePath(key + QStringLiteral("/manifest.json")));
        if (manifestFile.open(QIODevice::ReadOnly))
            r.manifest = QJsonDocument::fromJson(manifestFile.readAll()).object();
        r.created = r.manifest.value(QLatin1String("created")).toString();
        r.jobSchema = r.manifest.value(QLatin1String("jobSchema")).toInt();
        // Verify with the schema the entry claims, so the inspector shows
        // integrity separately from whether a job would accept it.
        const auto [root, keyThere] = storeOf(checkpointDir, key);
        const CheckpointStore store(root, r.jobSchema);
        auto loaded = store.load(keyThere);
        if (!loaded) {
            r.error = loaded.error().message();
            out.append(r);
            continue;
        }
        r.verified = true;
        r.state = loaded->state;
        if (loaded->tensors) {
            r.tensorFile = loaded->tensors->path();
            for (const TensorInfo& t : loaded->tensors->tensors())
                r.tensors.append(stats(*loaded->tensors, t));
        }
        out.append(r);
    }
    return out;
}

} // namespace bioforge::core
