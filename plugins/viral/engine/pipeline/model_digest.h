#pragma once

// One SHA-256 for a model given by path, computed as the model registry
// computes it for its entries (ModelEntry::combinedSha256: SHA-256 over
// "relative-path sha256" lines sorted by path), so a folder used directly
// and the same folder imported into the registry have the same checksum.
// A classifier file counts with its .json beside it.

#include "models/model_entry.h"
#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

core::Expected<QString> modelDigest(const QString& path);
// The files modelDigest reads, each with its size and SHA-256 (root: the folder, or the
// classifier file's folder). Errors: no such file or folder; a file that cannot be read.
core::Expected<core::ModelEntry> modelFileDigests(const QString& path);
// A cheap fingerprint of the same files (names, sizes, modification times):
// when it is unchanged, a digest computed earlier still holds.
QString modelFingerprint(const QString& path);

} // namespace bioforge::viral
