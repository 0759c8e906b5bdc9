#pragma once

// Path validation: resolves a path the user or a file names, and refuses one
// that escapes the folder it must stay in (.., absolute paths, symbolic links
// pointing outside).

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

class PathGuard {
public:
    // Resolves `relative` inside `root`; an error if it would leave `root`.
    static Expected<QString> resolveInside(const QString& root, const QString& relative);
    // True if `path` (after resolving links) lies inside `root`.
    static bool isInside(const QString& root, const QString& path);
    // A name usable as one path component (no separators, not . or ..).
    static bool isSafeComponent(const QString& name);
};

} // namespace bioforge::core
