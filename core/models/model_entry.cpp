#include "models/model_entry.h"

#include "io/path_guard.h"
#include "io/sha256.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace bioforge::core {

QString ModelEntry::combinedSha256() const
{
    QList<ModelFile> sorted = files;
    std::sort(sorted.begin(), sorted.end(), [](const ModelFile& a, const ModelFile& b) { return a.path < b.path; });
    QByteArray text;
    for (const ModelFile& f : sorted)
        text += f.path.toUtf8() + ' ' + f.sha256.toLatin1() + '\n';
    return Sha256::ofData(text);
}

QString ModelEntry::filePath(const QString& relative) const { return QDir(root).filePath(relative); }

QList<FileRef> ModelEntry::provenanceFiles() const
{
    QList<FileRef> out;
    for (const ModelFile& f : files)
        out.append({f.path, filePath(f.path), f.sha256, f.size});
    return out;
}

const ModelFile* ModelEntry::file(const QString& relative) const
{
    for (const ModelFile& f : files)
        if (f.path == relative)
            return &f;
    return nullptr;
}

Status ModelEntry::verifyFiles(bool quick, QList<ModelFile>* hashed) const
{
    for (const ModelFile& f : files) {
        const QString path = filePath(f.path);
        const QFileInfo info(path);
        if (!info.isFile())
            return Error(QStringLiteral("model '%1': %2 is missing").arg(name, path), Error::Kind::NotFound);
        if (info.size() != f.size)
            return Error(QStringLiteral("model '%1': %2 has %3 bytes, registered with %4").arg(name, path, QString::number(info.size()), QString::number(f.size)),
                         Error::Kind::Failed);
        const qint64 modified = info.lastModified().toMSecsSinceEpoch();
        if (quick && f.modifiedMs != 0 && modified == f.modifiedMs)
            continue;
        auto sha = Sha256::ofFile(path);
        if (!sha)
            return sha.error();
        if (*sha != f.sha256)
            return Error(QStringLiteral("model '%1': %2 has SHA-256 %3, registered with %4").arg(name, path, *sha, f.sha256), Error::Kind::Failed);
        if (hashed) {
            ModelFile now = f;
            now.modifiedMs = modified;
            hashed->append(now);
        }
    }
    return okStatus();
}

QJsonObject ModelEntry::toJson() const
{
    QJsonArray fileArray;
    for (const ModelFile& f : files) {
        QJsonObject file{{QStringLiteral("path"), f.path}, {QStringLiteral("size"), double(f.size)}, {QStringLiteral("sha256"), f.sha256}, {QStringLiteral("url"), f.url}};
        if (f.modifiedMs != 0)
            file.insert(QStringLiteral("modified_ms"), double(f.modifiedMs));
        fileArray.append(file);
    }
    QJsonObject json{{QStringLiteral("name"), name},       {QStringLiteral("kind"), kind},
                     {QStringLiteral("revision"), revision}, {QStringLiteral("root"), root},
                     {QStringLiteral("source"), source},   {QStringLiteral("added"), added.toString(Qt::ISODate)},
                     {QStringLiteral("files"), fileArray}};
    if (testModel)
        json.insert(QStringLiteral("test_model"), true);
    return json;
}

QString ModelEntry::displayName() const
{
    return testModel ? QStringLiteral("%1 — TEST model (random weights)").arg(name) : name;
}

Expected<ModelEntry> ModelEntry::fromJson(const QJsonObject& json)
{
    ModelEntry e;
    e.name = json.value(QLatin1String("name")).toString();
    if (Status st = PathGuard::checkName(e.name, QStringLiteral("model name")); !st)
        return st.error();
    e.kind = json.value(QLatin1String("kind")).toString();
    e.revision = json.value(QLatin1String("revision")).toString();
    e.root = json.value(QLatin1String("root")).toString();
    e.source = json.value(QLatin1String("source")).toString();
    e.testModel = json.value(QLatin1String("test_model")).toBool(false);
    e.added = QDateTime::fromString(json.value(QLatin1String("added")).toString(), Qt::ISODate);
    for (const QJsonValue& v : json.value(QLatin1String("files")).toArray()) {
        const QJsonObject o = v.toObject();
        ModelFile f{o.value(QLatin1String("path")).toString(), o.value(QLatin1String("size")).toInteger(),
                    o.value(QLatin1String("sha256")).toString(), o.value(QLatin1String("url")).toString(), o.value(QLatin1String("modified_ms")).toInteger()};
        if (f.path.isEmpty() || f.sha256.size() != 64)
            return Error(QStringLiteral("model '%1': a file entry lacks a path or a SHA-256").arg(e.name));
        // Files are read (and verified) as root/path: a path from the registry must stay inside the model's folder.
        if (QDir::isAbsolutePath(f.path) || QDir::cleanPath(f.path).startsWith(QLatin1String("..")) || f.path.contains(QLatin1String("/../")))
            return Error(QStringLiteral("model '%1': file '%2' is not a path inside the model's folder").arg(e.name, f.path));
        e.files.append(f);
    }
    return e;
}

} // namespace bioforge::core
