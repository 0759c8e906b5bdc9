#include "checkpoint/checkpoint_store.h"

#include "io/atomic_file.h"
#include "io/path_guard.h"
#include "io/safetensors_writer.h"
#include "io/sha256.h"
#include "log/log.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace bioforge::core {
namespace {

constexpr auto kFormatName = "bioforge-checkpoint";

// `name`: the file on disk; `role`: what it holds (state.json, tensors.safetensors or a blob's name).
QJsonObject fileEntry(const QString& name, const QString& role, const QByteArray& data)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("role"), role},
            {QStringLiteral("size"), double(data.size())},
            {QStringLiteral("sha256"), Sha256::ofData(data)}};
}

QString roleOf(const QJsonObject& file)
{
    // Manifests written before roles existed name each file by its role.
    return file.value(QLatin1String("role")).toString(file.value(QLatin1String("name")).toString());
}

constexpr auto kSecondGeneration = ".g1";

// The files the entry's committed manifest lists (unverified: only to know
// which generation of names it uses); empty when there is none.
QStringList committedFiles(const QString& manifestPath)
{
    QFile f(manifestPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList names;
    for (const QJsonValue& v : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("files")).toArray())
        names << v.toObject().value(QLatin1String("name")).toString();
    return names;
}

} // namespace

CheckpointStore::CheckpointStore(QString rootDir, int jobSchema) : m_root(std::move(rootDir)), m_jobSchema(jobSchema) {}

Expected<QString> CheckpointStore::entryDir(const QString& key) const
{
    const QStringList parts = key.split(QLatin1Char('/'));
    for (const QString& p : parts)
        if (!PathGuard::isSafeComponent(p) || p.startsWith(QLatin1Char('.')))
            return Error(QStringLiteral("checkpoint key '%1' is not a valid relative name").arg(key));
    return PathGuard::resolveInside(m_root, key);
}

Status CheckpointStore::save(const QString& key, const QJsonObject& state, const SafetensorsWriter* tensors,
                             const QMap<QString, QByteArray>& blobs)
{
    auto dir = entryDir(key);
    if (!dir)
        return dir.error();
    // The manifest is the commit point. An entry that is rewritten (a HENAW
    // member every epoch) must stay valid whenever the process dies: the new
    // data files get the other generation's names (plain, or ".g1" appended)
    // beside the committed ones, the new manifest replaces the old atomically,
    // and only then are the old generation's files removed. A crash leaves the
    // old entry or the new one, never a mix.
    const QString manifestPath = *dir + QLatin1Char('/') + QLatin1String(kManifestName);
    const QStringList previous = committedFiles(manifestPath);
    const bool second = !previous.isEmpty() && !previous.first().endsWith(QLatin1String(kSecondGeneration));
    QJsonArray files;
    QStringList written;
    auto put = [&](const QString& role, const QByteArray& data) -> Status {
        const QString name = second ? role + QLatin1String(kSecondGeneration) : role;
        if (Status st = AtomicFile::write(*dir + QLatin1Char('/') + name, data); !st)
            return st;
        files.append(fileEntry(name, role, data));
        written << name;
        return okStatus();
    };
    if (Status st = put(QLatin1String(kStateName), QJsonDocument(state).toJson(QJsonDocument::Compact)); !st)
        return st;
    if (tensors)
        if (Status st = put(QLatin1String(kTensorsName), tensors->serialize()); !st)
            return st;
    for (auto it = blobs.begin(); it != blobs.end(); ++it) {
        if (!PathGuard::isSafeComponent(it.key()) || it.key() == QLatin1String(kManifestName) || it.key().endsWith(QLatin1String(kSecondGeneration)))
            return Error(QStringLiteral("checkpoint '%1': invalid blob name '%2'").arg(key, it.key()));
        if (Status st = put(it.key(), it.value()); !st)
            return st;
    }
    const QJsonObject manifest{
        {QStringLiteral("format"), QLatin1String(kFormatName)},
        {QStringLiteral("formatVersion"), kFormatVersion},
        {QStringLiteral("jobSchema"), m_jobSchema},
        {QStringLiteral("key"), key},
        {QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("files"), files},
    };
    if (Status st = AtomicFile::write(manifestPath, QJsonDocument(manifest).toJson(QJsonDocument::Indented)); !st)
        return st;
    for (const QString& old : previous)
        if (!written.contains(old) && PathGuard::isSafeComponent(old) && old != QLatin1String(kManifestName))
            QFile::remove(*dir + QLatin1Char('/') + old);
    return okStatus();
}

Expected<QJsonObject> CheckpointStore::verifiedManifest(const QString& key) const
{
    auto dir = entryDir(key);
    if (!dir)
        return dir.error();
    const QString manifestPath = *dir + QLatin1Char('/') + QLatin1String(kManifestName);
    auto raw = AtomicFile::readVerified(manifestPath);
    if (!raw)
        return raw.error();
    if (raw->isEmpty())
        return Error(QStringLiteral("%1: empty manifest").arg(manifestPath));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*raw, &parseError);
    if (!doc.isObject())
        return Error(QStringLiteral("%1: manifest is not valid JSON (%2)").arg(manifestPath, parseError.errorString()));
    const QJsonObject manifest = doc.object();
    if (manifest.value(QLatin1String("format")).toString() != QLatin1String(kFormatName))
        return Error(QStringLiteral("%1: not a BioForge checkpoint manifest").arg(manifestPath));
    const int format = manifest.value(QLatin1String("formatVersion")).toInt(-1);
    if (format != kFormatVersion)
        return Error(QStringLiteral("%1: checkpoint format version %2, this build reads version %3")
                         .arg(manifestPath, QString::number(format), QString::number(kFormatVersion)));
    const int schema = manifest.value(QLatin1String("jobSchema")).toInt(-1);
    if (schema != m_jobSchema)
        return Error(QStringLiteral("%1: written by a job with checkpoint schema %2, this job uses schema %3")
                         .arg(manifestPath, QString::number(schema), QString::number(m_jobSchema)));
    if (manifest.value(QLatin1String("key")).toString() != key)
        return Error(QStringLiteral("%1: manifest belongs to key '%2', expected '%3'")
                         .arg(manifestPath, manifest.value(QLatin1String("key")).toString(), key));
    for (const QJsonValue& v : manifest.value(QLatin1String("files")).toArray()) {
        const QJsonObject f = v.toObject();
        const QString name = f.value(QLatin1String("name")).toString();
        if (!PathGuard::isSafeComponent(name))
            return Error(QStringLiteral("%1: invalid file name '%2' in manifest").arg(manifestPath, name));
        const QString path = *dir + QLatin1Char('/') + name;
        const QFileInfo info(path);
        if (!info.exists())
            return Error(QStringLiteral("%1: missing (listed in the manifest)").arg(path));
        const qint64 expectedSize = f.value(QLatin1String("size")).toInteger(-1);
        if (info.size() != expectedSize)
            return Error(QStringLiteral("%1: %2 bytes, the manifest says %3 (truncated or replaced)")
                             .arg(path, QString::number(info.size()), QString::number(expectedSize)));
        auto sha = Sha256::ofFile(path);
        if (!sha)
            return sha.error();
        if (*sha != f.value(QLatin1String("sha256")).toString())
            return Error(QStringLiteral("%1: SHA-256 %2 does not match the manifest's %3 (corrupted)")
                             .arg(path, *sha, f.value(QLatin1String("sha256")).toString()));
    }
    return manifest;
}

Expected<LoadedCheckpoint> CheckpointStore::load(const QString& key) const
{
    auto manifest = verifiedManifest(key);
    if (!manifest)
        return manifest.error();
    const QString dir = *entryDir(key);
    LoadedCheckpoint loaded;
    loaded.key = key;
    for (const QJsonValue& v : manifest->value(QLatin1String("files")).toArray()) {
        const QString name = v.toObject().value(QLatin1String("name")).toString();
        const QString role = roleOf(v.toObject());
        const QString path = dir + QLatin1Char('/') + name;
        if (role == QLatin1String(kStateName)) {
            auto raw = AtomicFile::readVerified(path, v.toObject().value(QLatin1String("sha256")).toString());
            if (!raw)
                return raw.error();
            const QJsonDocument doc = QJsonDocument::fromJson(*raw);
            if (!doc.isObject())
                return Error(QStringLiteral("%1: state is not a JSON object").arg(path));
            loaded.state = doc.object();
        } else if (role == QLatin1String(kTensorsName)) {
            auto reader = SafetensorsReader::open(path);
            if (!reader)
                return reader.error();
            loaded.tensors = std::move(*reader);
        } else {
            auto raw = AtomicFile::readVerified(path, v.toObject().value(QLatin1String("sha256")).toString());
            if (!raw)
                return raw.error();
            loaded.blobs.insert(role, *raw);
        }
    }
    return loaded;
}

std::optional<LoadedCheckpoint> CheckpointStore::loadOrDiscard(const QString& key)
{
    if (!hasManifest(key)) {
        // A folder without a manifest is an entry whose write never committed.
        if (auto dir = entryDir(key); dir && QFileInfo::exists(*dir))
            log::warn(QStringLiteral("checkpoint '%1' in %2 has no manifest (interrupted write); recomputing").arg(key, m_root));
        return std::nullopt;
    }
    auto loaded = load(key);
    if (loaded)
        return std::move(*loaded);
    log::warn(QStringLiteral("checkpoint '%1' rejected: %2; recomputing").arg(key, loaded.error().message()));
    (void)remove(key);
    return std::nullopt;
}

bool CheckpointStore::hasManifest(const QString& key) const
{
    auto dir = entryDir(key);
    return dir && QFileInfo::exists(*dir + QLatin1Char('/') + QLatin1String(kManifestName));
}

QStringList CheckpointStore::keys() const
{
    QStringList out;
    const QDir root(m_root);
    QDirIterator it(m_root, {QLatin1String(kManifestName)}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        out.append(root.relativeFilePath(it.fileInfo().absolutePath()));
    }
    out.sort();
    return out;
}

Status CheckpointStore::remove(const QString& key)
{
    auto dir = entryDir(key);
    if (!dir)
        return dir.error();
    // Remove the manifest first: an interrupted removal leaves an uncommitted entry.
    QFile::remove(*dir + QLatin1Char('/') + QLatin1String(kManifestName));
    QDir d(*dir);
    for (const QFileInfo& f : d.entryInfoList(QDir::Files | QDir::Hidden))
        QFile::remove(f.absoluteFilePath());
    d.rmdir(*dir);
    return okStatus();
}

} // namespace bioforge::core
