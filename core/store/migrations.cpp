#include "store/migrations.h"

namespace bioforge::core {

const QList<QStringList>& Migrations::core()
{
    static const QList<QStringList> migrations{
        // 1: runs, their files, caches, plugin schemas, settings.
        {
            QStringLiteral("CREATE TABLE runs ("
                           " id TEXT PRIMARY KEY,"
                           " plugin_id TEXT NOT NULL,"
                           " verb TEXT NOT NULL,"
                           " title TEXT NOT NULL DEFAULT '',"
                           " state TEXT NOT NULL,"
                           " parameters TEXT NOT NULL,"
                           " parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,"
                           " checkpoint_id TEXT NOT NULL,"
                           " created_at TEXT NOT NULL,"
                           " started_at TEXT,"
                           " ended_at TEXT,"
                           " progress REAL NOT NULL DEFAULT 0,"
                           " error TEXT NOT NULL DEFAULT '',"
                           " owner_pid INTEGER,"
                           " owner_host TEXT,"
                           " owner_start TEXT,"
                           " record TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX runs_state ON runs(state)"),
            QStringLiteral("CREATE TABLE run_files ("
                           " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                           " role TEXT NOT NULL CHECK (role IN ('input', 'model', 'output')),"
                           " name TEXT NOT NULL,"
                           " path TEXT NOT NULL,"
                           " sha256 TEXT NOT NULL,"
                           " size INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX run_files_run ON run_files(run_id)"),
            QStringLiteral("CREATE TABLE cache ("
                           " key TEXT PRIMARY KEY,"
                           " value BLOB NOT NULL,"
                           " created_at TEXT NOT NULL,"
                           " expires_at TEXT)"),
            QStringLiteral("CREATE TABLE plugin_schema (plugin_id TEXT PRIMARY KEY, version INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
        },
    };
    return migrations;
}

Status checkSchemaVersion(qint64 version, int latest, const QString& what)
{
    if (version > latest)
        return Error(QStringLiteral("%1 schema %2, written by a newer BioForge (this version reads up to %3). "
                                    "Open it with a newer BioForge; it was not modified.")
                         .arg(what, QString::number(version), QString::number(latest)));
    if (version < 0)
        return Error(QStringLiteral("%1 schema %2, which is not a valid schema number (expected 0 to %3): the file is damaged "
                                    "or was written by another program; it was not modified.")
                         .arg(what, QString::number(version), QString::number(latest)));
    return okStatus();
}

} // namespace bioforge::core
