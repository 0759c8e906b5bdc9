#pragma once

// One provider file into the annotation library: the source recognises
// which of its parts the file is (or is told), the file's SHA-256 and size
// are recorded with the provider release the source reads from it, and the
// rows stream in. A failed or stopped import leaves the previous release of
// that part in use. Imports of one (source, part) into one library take
// turns (a lock file beside the library, `<library>.<source>-<part>.import-lock`,
// freed when its process ends however it ends): two runs importing the same
// file at once dropped each other's unfinished release ("FOREIGN KEY
// constraint failed").

#include "identity/hgnc_reader.h"
#include "store/bulk_library.h"

namespace bioforge::annotation {

struct ImportRequest {
    QString source;       // "clinvar"
    QString path;
    QString part;         // empty: recognised from the file
    QString url, lastModified, etag; // when it was downloaded (provenance)
    bool partLocked = false; // the caller holds the part's import lock (importIfChanged)
};

// The release returned says which it replaced (ReleaseInfo::replacedRows, shrinkWarning).
core::Expected<ReleaseInfo> importBulkFile(BulkLibrary& library, const ImportRequest& request, const StreamControl& control = {});

// The source a file belongs to, asking each source in turn; an error that
// lists what each source takes when none recognises it.
core::Expected<std::pair<QString, QString>> detectSourceAndPart(const QString& path);

// When `release` holds fewer rows than a whole release of its part (AnnotationSource::wholeReleaseRows):
// a sentence saying it is an extract and what that means for genes outside it; empty otherwise.
QString extractWarning(const ReleaseInfo& release);

// Imports `path` unless the active release of its (source, part) is already
// this file (same SHA-256): returns that release, and whether it imported.
core::Expected<std::pair<ReleaseInfo, bool>> importIfChanged(BulkLibrary& library, const QString& path, const StreamControl& control = {});

} // namespace bioforge::annotation
