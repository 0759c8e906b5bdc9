#pragma once

// The project database's numbered migrations. Migration N takes a database at
// schema N-1 to N; PRAGMA user_version holds the schema number.

#include <QStringList>

namespace bioforge::core {

class Migrations {
public:
    // Statements of each migration, index 0 = migration 1.
    static const QList<QStringList>& core();
    static int latest() { return int(core().size()); }
};

} // namespace bioforge::core
