#include "pipeline/model_digest.h"

#include "io/sha256.h"
#include "models/model_entry.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>

namespace bioforge::viral {

namespace {

// The files a model consists of: (absolute path, path relative to the model).
QList<std::pair<QString, QString>> modelFiles(const QString& path)
{
    QList<std::pair<QString, QString>> files;
    const QFileInfo info(path);
    if (info.isFile()) {
        files.append({path, info.fileName()});
        const QString spec = info.dir().filePath(info.completeBaseName() + QStringLiteral(".json"));
        if (QFileInfo::exists(spec))
            files.append({spec, QFileInfo(spec).fileName()});
    } else if (info.isDir()) {
        const QDir root(path);
        QDirIterator it(path, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            files.append({file, root.relativeFilePath(file)});
        }
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return files;
}

} // namespace

QString modelFingerprint(const QString& path)
{
    QByteArray text;
    for (const auto& [file, relative] : modelFiles(path)) {
        const QFileInfo info(file);
        text += relative.toUtf8() + ' ' + QByteArray::number(info.size()) + ' ' + QByteArray::number(info.lastModified().toMSecsSinceEpoch()) + '\n';
    }
    return core::Sha256::ofData(text);
}

core::Expected<core::ModelEntry> modelFileDigests(const QString& path)
{
    const auto files = modelFiles(path);
    if (files.isEmpty())
        return core::Error(QStringLiteral("%1: no such model file or folder").arg(path));
    core::ModelEntry entry;
    entry.root = QFileInfo(path).isDir() ? QFileInfo(path).absoluteFilePath() : QFileInfo(path).absolutePath();
    for (const auto& [file, relative] : files) {
        auto sha = core::Sha256::ofFile(file);
        if (!sha)
            return sha.error();
        entry.files.append({relative, QFileInfo(file).size(), *sha, QString()});
    }
    return entry;
}

core::Expected<QString> modelDigest(const QString& path)
{
    auto entry = modelFileDigests(path);
    if (!entry)
        return entry.error();
    return entry->combinedSha256();
}

} // namespace bioforge::viral
