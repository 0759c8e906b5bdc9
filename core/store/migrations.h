#pragma once

// The project database's numbered migrations. Migration N takes a database at
// schema N-1 to N; PRAGMA user_version holds the schema number.

#include "util/expected.h"

#include <QStringList>

namespace bioforge::core {

class Migrations {
public:
    // Statements of each migration, index 0 = migration 1.
    static const QList<QStringList>& core();
    static int latest() { return int(core().size()); }
};

// Checks a schema number read from a database file (PRAGMA user_version, a
// plugin's row in plugin_schema) before it selects migrations: valid are 0
// (nothing created yet) to `latest`. A newer BioForge, another program or a
// damaged file can leave any 64-bit value there; a negative one once indexed
// the migration list before its start (found by fuzz_project_db).
// Errors (without the file, which the caller adds): "<what> schema N, written
// by a newer BioForge ..." above `latest`; "<what> schema N, which is not a
// valid schema number ..." below 0. `what` names the schema ("project",
// "the tables of plugin 'age' are at", "annotation library").
Status checkSchemaVersion(qint64 version, int latest, const QString& what);

} // namespace bioforge::core
