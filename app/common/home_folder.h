#pragma once

// Where a program started without HOME (cron, a systemd service, `env -i`, some batch schedulers)
// keeps its projects, settings and models: Qt's home path is then "/" (projects at /Documents,
// the registry at //.local: trial 24 T24-9). Before the application object exists, HOME is set to
// the user's home from the password database (getpwuid); with none there, the program refuses.

#include <QString>

namespace bioforge::app {

/// Sets HOME from the password database where it is unset, empty, "/" or relative. Returns an
/// error message (for the terminal, naming the program) when the user has no home there either;
/// empty when HOME is usable.
QString ensureHomeFolder(const char* program);

} // namespace bioforge::app
