#include "pipeline/result_cache.h"

#include "io/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace bioforge::viral {

ResultCache::ResultCache(const QString& projectCacheDir, const QString& resultKey) : m_key(resultKey)
{
    if (!projectCacheDir.isEmpty() && !resultKey.isEmpty())
        m_dir = QDir(projectCacheDir).filePath(QStringLiteral("viral/") + resultKey);
}

QString ResultCache::pathOf(const QString& sha) const { return QDir(m_dir).filePath(sha.left(2) + QLatin1Char('/') + sha + QStringLiteral(".json")); }

std::optional<CachedContig> ResultCache::find(const QString& sequenceSha256) const
{
    if (!enabled() || sequenceSha256.size() != 64)
        return std::nullopt;
    QFile file(pathOf(sequenceSha256));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    if (o.value(QLatin1String("key")).toString() != m_key || o.value(QLatin1String("sha256")).toString() != sequenceSha256)
        return std::nullopt;
    CachedContig c;
    c.length = int64_t(o.value(QLatin1String("length")).toDouble(-1));
    c.chunks = o.value(QLatin1String("chunks")).toInt(-1);
    if (c.length < 0 || c.chunks < 0)
        return std::nullopt;
    for (const QJsonValue& v : o.value(QLatin1String("frames")).toArray()) {
        const QJsonObject f = v.toObject();
        CachedFrame frame{f.value(QLatin1String("chunk")).toInt(), f.value(QLatin1String("frame")).toString().toStdString(),
                          int64_t(f.value(QLatin1String("nt")).toDouble(-1)), int64_t(f.value(QLatin1String("aa")).toDouble(-1)), {}};
        for (const QJsonValue& p : f.value(QLatin1String("p")).toArray())
            frame.probabilities.push_back(float(p.toDouble()));
        if (frame.chunk < 1 || frame.chunk > c.chunks || frame.frame.size() != 2 || frame.probabilities.size() < 2)
            return std::nullopt;
        c.frames.push_back(std::move(frame));
    }
    return c;
}

core::Status ResultCache::store(const QString& sequenceSha256, const CachedContig& contig) const
{
    if (!enabled())
        return core::okStatus();
    QJsonArray frames;
    for (const CachedFrame& f : contig.frames) {
        QJsonArray p;
        for (float x : f.probabilities)
            p.append(double(x)); // a float converts to double exactly and back
        frames.append(QJsonObject{{QStringLiteral("chunk"), f.chunk},
                                  {QStringLiteral("frame"), QString::fromStdString(f.frame)},
                                  {QStringLiteral("nt"), double(f.nucleotideLength)},
                                  {QStringLiteral("aa"), double(f.proteinLength)},
                                  {QStringLiteral("p"), p}});
    }
    const QJsonObject o{{QStringLiteral("key"), m_key}, {QStringLiteral("sha256"), sequenceSha256}, {QStringLiteral("length"), double(contig.length)},
                        {QStringLiteral("chunks"), contig.chunks}, {QStringLiteral("frames"), frames}};
    const QString path = pathOf(sequenceSha256);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return core::Error(QStringLiteral("%1: cannot create the result cache folder").arg(QFileInfo(path).absolutePath()));
    return core::AtomicFile::write(path, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace bioforge::viral
