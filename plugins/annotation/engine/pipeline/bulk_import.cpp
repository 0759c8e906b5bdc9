#include "pipeline/bulk_import.h"

#include "io/sha256.h"
#include "sources/annotation_source.h"

#include <QFileInfo>
#include <QLockFile>

#include <memory>

namespace bioforge::annotation {

namespace {

// The import lock of (source, part) in `library`, waited for (a stop request ends the wait);
// null for a library that is not a file.
core::Expected<std::unique_ptr<QLockFile>> lockPart(const BulkLibrary& library, const QString& source, const QString& part, const StreamControl& control)
{
    // A library read-only here takes no import (importBulkFile refuses it), and no lock file beside it can be made.
    if (library.path().isEmpty() || library.path() == QLatin1String(":memory:") || library.db().readOnly())
        return std::unique_ptr<QLockFile>();
    auto lock = std::make_unique<QLockFile>(QStringLiteral("%1.%2-%3.import-lock").arg(library.path(), source, part));
    lock->setStaleLockTime(0); // never taken from a live importer however long it runs; a dead one's is (its PID is gone)
    while (!lock->tryLock(200)) {
        if (lock->error() != QLockFile::LockFailedError)
            return core::Error(QStringLiteral("%1: cannot take the lock of the %2 %3 import (%4)")
                                   .arg(library.path(), source, part, lock->error() == QLockFile::PermissionError ? QStringLiteral("permission denied")
                                                                                                                 : QStringLiteral("unknown error")));
        if (control.stopped())
            return core::Error(QStringLiteral("%1: stopped while another program imported %2 %3").arg(library.path(), source, part));
    }
    return lock;
}

} // namespace

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
        QStringList parts;
        for (const BulkPart& p : source->parts())
            parts << p.id;
        if (!parts.contains(part)) // the file may be the right one: the part's name is the mistake (a usage error)
            return core::Error(QStringLiteral("%1 has no part '%2' (parts: %3)").arg(source->id(), part, parts.join(QStringLiteral(", "))),
                               core::Error::Kind::Invalid);
    }
    if (library.db().readOnly())
        return BulkLibrary::readOnlyError(library.path(), QStringLiteral("%1 (%2)").arg(partTitle(*source, part), info.fileName()));
    std::unique_ptr<QLockFile> lock;
    if (!request.partLocked) {
        auto locked = lockPart(library, source->id(), part, control);
        if (!locked)
            return locked.error();
        lock = std::move(*locked);
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
        return release.error().withContext(partTitle(*source, part));
    if ((*writer)->rows() == 0)
        return core::Error(QStringLiteral("%1: no %2 rows in the file").arg(request.path, partTitle(*source, part)));
    auto finished = (*writer)->finish(*release);
    if (finished && *previous) {
        finished->replacedRows = (*previous)->rows;
        finished->replacedRelease = (*previous)->release;
    }
    return finished;
}

QString extractWarning(const ReleaseInfo& release)
{
    for (const auto& source : allSources())
        if (source->id() == release.source && release.rows < source->wholeReleaseRows(release.part))
            return QStringLiteral("%1 %2: %3 holds %4 rows, an extract (a whole release has over %5): a gene outside it is 'absent' (not known), "
                                  "not a zero%6")
                .arg(source->title(), release.part, release.fileName, QString::number(release.rows), QString::number(source->wholeReleaseRows(release.part)),
                     source->hasApi() ? QStringLiteral("; an online run (--offline false) asks the API for it") : QString());
    return {};
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
    // Under the part's lock: a program that imported this very file meanwhile leaves nothing to do.
    auto lock = lockPart(library, which->first, which->second, control);
    if (!lock)
        return lock.error();
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
    auto imported = importBulkFile(library, {which->first, path, which->second, {}, {}, {}, true}, control);
    if (!imported)
        return imported.error();
    return std::pair<ReleaseInfo, bool>(*imported, true);
}

} // namespace bioforge::annotation
