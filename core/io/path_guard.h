#pragma once

// Path validation: resolves a path the user or a file names, and refuses one
// that escapes the folder it must stay in (.., absolute paths, symbolic links
// pointing outside). Every name that becomes one path component (a model,
// run, project, report, conversation, a plugin-supplied name, a name read
// from a registry or a checkpoint) goes through checkName() first.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

class PathGuard {
public:
    // Resolves `relative` inside `root`; an error if it would leave `root`.
    static Expected<QString> resolveInside(const QString& root, const QString& relative);
    // True if `path` (after resolving links) lies inside `root`.
    static bool isInside(const QString& root, const QString& path);
    // A name usable as one path component on every platform we ship to: not
    // empty, at most 255 UTF-8 bytes, not "." or "..", no leading or trailing
    // space, no '/' '\\' ':' '*' '?' '"' '<' '>' '|', no control characters.
    static bool isSafeComponent(const QString& name);
    // The same, as an error that says which `what` ("model name", …) broke which rule.
    static Status checkName(const QString& name, const QString& what);
    // A file name made from free text (a conversation title, a run title) for
    // a save dialog to suggest: unsafe characters become '_', at most 120 characters.
    static QString fileNameFrom(const QString& text, const QString& fallback);
    // Resolves a name that must be one component inside `root`.
    static Expected<QString> childOf(const QString& root, const QString& name, const QString& what);
};

} // namespace bioforge::core
