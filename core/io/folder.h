#pragma once

// Making a folder and its missing parents, with the system's reason when it
// cannot be made ("Permission denied", "Read-only file system", "Not a
// directory", "No space left on device"): QDir::mkpath says only no.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

// Creates `folder` and its missing parents (an existing folder is fine). Error (kind Io):
// "cannot create the folder FOLDER: REASON", the reason in the system's words (std::filesystem).
Status makeFolder(const QString& folder);

} // namespace bioforge::core
