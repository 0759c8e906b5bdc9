#include "pipeline/bulk_import.h"

#include "io/sha256.h"
#include "sources/annotation_source.h"

#include <QFileInfo>

namespace bioforge::annotation {

core::Expected<ReleaseInfo> importBulkFile(BulkLibrary& library, const ImportRequest& request, const StreamControl& control)
{
    const auto source = sourceById(request.source);
    if (!source) {
        QStringList ids;
        for (const auto& s : allSources())
            ids << s->id();
        return core::Error(QStringLiteral("no annotation source '%1'; sources: %2").arg(request.source, ids.join(QStringLiteral(", "))));
    }
    const QFileInfo info(request.path);
    if (!info.isFile())
        return core::Error(QStringLiteral("%1: no such file").arg(request.path));
    QString part = request.part;
    if (part.isEmpty()) {
        auto detected = source->detectPart(request.path);
        if (!detected)
            return detected.error();
        part = *detected;
    } else {
        bool known = false;
        for (const BulkPart& p : source->parts())
            known = known || p.id == part;
        if (!known)
            return unknownPart(*source, request.path).withContext(QStringLiteral("part '%1'").arg(part));
    }
    auto sha = core::Sha256::ofFile(request.path);
    if (!sha)
        return sha.error();
    ReleaseInfo draft;
    draft.source = source->id();
    draft.part = part;
    draft.fileName = info.fileName();
    draft.filePath = info.absoluteFilePath();
    draft.url = request.url;
    draft.lastModified = request.lastModified;
    draft.etag = request.etag;
    draft.sha256 = *sha;
    draft.size = info.size();
    auto previous = library.activeRelease(source->id(), part);
    if (!previous)
        return previous.error();
    auto writer = library.beginImport(draft);
    if (!writer)
        return writer.error();
    auto release = source->importPart(part, request.path, **writer, control);
    if (!release)
        return release.error().withContext(QStringLiteral("%1 %2").arg(source->title(), part));
    if ((*writer)->rows() == 0)
        return core::Error(QStringLiteral("%1: no %2 %3 rows in the file").arg(request.path, source->title(), part));
    auto finished = (*writer)->finish(*release);
    if (finished && *previous) {
        finished->replacedRows = (*previous)->rows;
        finished->replacedRelease = (*previous)->release;
    }
    return finished;
}

core::Expected<std::pair<QString, QString>> detectSourceAndPart(const QString& path)
{
    QStringList takes;
    for (const auto& source : allSources()) {
        auto part = source->detectPart(path);
        if (part)
            return std::pair<QString, QString>(source->id(), *part);
        takes << source->id();
    }
    return core::Error(QStringLiteral("%1: no annotation source recognises this file (sources: %2; `bioforge annotation sources` lists the files each takes)")
                           .arg(path, takes.join(QStringLiteral(", "))));
}

core::Expected<std::pair<ReleaseInfo, bool>> importIfChanged(BulkLibrary& library, const QString& path, const StreamControl& control)
{
    auto which = detectSourceAndPart(path);
    if (!which)
        return which.error();
    auto active = library.activeRelease(which->first, which->second);
    if (!active)
        return active.error();
    if (*active) {
        auto sha = core::Sha256::ofFile(path);
        if (!sha)
            return sha.error();
        if ((*active)->sha256 == *sha)
            return std::pair<ReleaseInfo, bool>(**active, false);
    }
    auto imported = importBulkFile(library, {which->first, path, which->second, {}, {}, {}}, control);
    if (!imported)
        return imported.error();
    return std::pair<ReleaseInfo, bool>(*imported, true);
}

} // namespace bioforge::annotation
