#include "pipeline/result_cache.h"

#include "io/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <charconv>

namespace bioforge::viral {

ResultCache::ResultCache(const QString& projectCacheDir, const QString& resultKey) : m_key(resultKey)
{
    if (!projectCacheDir.isEmpty() && !resultKey.isEmpty())
        m_dir = QDir(projectCacheDir).filePath(QStringLiteral("viral/") + resultKey);
}

namespace {
// The name of a cache file comes from a checkpoint: only a SHA-256 in hex may become one.
bool isSha256(const QString& s)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    return hex.match(s).hasMatch();
}
} // namespace

QString ResultCache::pathOf(const QString& sha) const { return QDir(m_dir).filePath(sha.left(2) + QLatin1Char('/') + sha + QStringLiteral(".json")); }

std::optional<CachedContig> ResultCache::find(const QString& sequenceSha256) const
{
    if (!enabled() || !isSha256(sequenceSha256))
        return std::nullopt;
    QFile file(pathOf(sequenceSha256));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    if (o.value(QLatin1String("key")).toString() != m_key || o.value(QLatin1String("sha256")).toString() != sequenceSha256)
        return std::nullopt;
    CachedContig c;
    c.run = o.value(QLatin1String("run")).toString();
    c.program = o.value(QLatin1String("program")).toString();
    c.length = o.value(QLatin1String("length")).toInteger(-1);
    c.chunks = o.value(QLatin1String("chunks")).toInt(-1);
    if (c.length < 0 || c.chunks < 0)
        return std::nullopt;
    for (const QJsonValue& v : o.value(QLatin1String("frames")).toArray()) {
        const QJsonObject f = v.toObject();
        CachedFrame frame{f.value(QLatin1String("chunk")).toInt(), f.value(QLatin1String("frame")).toString().toStdString(),
                          f.value(QLatin1String("nt")).toInteger(-1), f.value(QLatin1String("aa")).toInteger(-1), {}};
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
    if (!isSha256(sequenceSha256))
        return core::Error(QStringLiteral("result cache: '%1' is not a SHA-256").arg(sequenceSha256));
    // JSON written as text, frame by frame: a contig of a million frames must
    // not become a million QJsonObjects. Floats are written in their shortest
    // form that reads back to the same float.
    auto number = [](float x) {
        char buffer[32];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, x);
        return QByteArray(buffer, qsizetype(r.ptr - buffer));
    };
    QByteArray text = "{\"key\":" + QJsonDocument(QJsonArray{m_key}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
                      + ",\"sha256\":\"" + sequenceSha256.toLatin1() + "\",\"length\":" + QByteArray::number(qint64(contig.length))
                      + ",\"chunks\":" + QByteArray::number(contig.chunks)
                      + ",\"run\":" + QJsonDocument(QJsonArray{contig.run}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
                      + ",\"program\":" + QJsonDocument(QJsonArray{contig.program}).toJson(QJsonDocument::Compact).mid(1).chopped(1) + ",\"frames\":[";
    for (size_t i = 0; i < contig.frames.size(); ++i) {
        const CachedFrame& f = contig.frames[i];
        text += (i ? ",{\"chunk\":" : "{\"chunk\":") + QByteArray::number(f.chunk) + ",\"frame\":\"" + QByteArray::fromStdString(f.frame)
                + "\",\"nt\":" + QByteArray::number(qint64(f.nucleotideLength)) + ",\"aa\":" + QByteArray::number(qint64(f.proteinLength)) + ",\"p\":[";
        for (size_t k = 0; k < f.probabilities.size(); ++k)
            text += (k ? "," : "") + number(f.probabilities[k]);
        text += "]}";
    }
    text += "]}";
    const QString path = pathOf(sequenceSha256);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return core::Error(QStringLiteral("%1: cannot create the result cache folder").arg(QFileInfo(path).absolutePath()));
    return core::AtomicFile::write(path, text);
}

} // namespace bioforge::viral
