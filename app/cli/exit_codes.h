#pragma once

// Exit codes of the `bioforge` command line, stable for scripts (docs/cli.md).

#include "util/expected.h"

namespace bioforge::cli {

enum ExitCode : int {
    kOk = 0,          // the command (or run) finished
    kRunFailed = 1,   // a run failed; its message is printed
    kUsage = 2,       // bad command line
    kPaused = 3,      // a run was paused (Ctrl-C) or is still resumable
    kCancelled = 4,   // a run was cancelled
    kProjectError = 5,// the project or a file could not be opened or written
    kNotFound = 6,    // no such run, plugin, model or file
};

// The exit code for an error by its kind; `otherwise` for Error::Kind::Failed.
inline int exitCodeFor(const core::Error& error, int otherwise)
{
    switch (error.kind()) {
    case core::Error::Kind::NotFound: return kNotFound;
    case core::Error::Kind::Invalid: return kUsage;
    case core::Error::Kind::Io: return kProjectError;
    case core::Error::Kind::Failed: break;
    }
    return otherwise;
}

} // namespace bioforge::cli
