#pragma once

// The project database: one SQLite file per project (WAL, foreign keys on,
// numbered migrations). Holds runs with their provenance, caches and plugin
// tables. A file from a newer schema is refused with a clear message.
// QtSql connections belong to the thread that opened them: open one
// ProjectStore per thread that needs the database.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace bioforge::core {

struct RunOwner {
    qint64 pid = 0;
    QString host;
    QString processStart; // distinguishes a reused pid
    static RunOwner current();
    // The process `pid` of this machine (an empty processStart where there is none, or it ended).
    static RunOwner of(qint64 pid);
    // A process of this machine that still runs (not ended, not a zombie its parent has yet to
    // reap: it will never close its runs); a process of another machine always counts as alive.
    bool isAlive() const;
};

class ProjectStore {
public:
    static constexpr int kApplicationId = 0x42464F52; // "BFOR"

    ~ProjectStore();
    // Opens (creating when missing) and migrates the database. Where it cannot be written (a
    // read-only mount, this user's permissions: core::readOnlyPlace) an existing, current database is
    // opened to read only — SQLite's immutable mode, since WAL needs to write beside the file even
    // to read — unless its write-ahead log holds changes (a writer that was killed), which only a
    // writer can fold in: then an error says so. Every write of a read-only store is an error that
    // names the project as read-only.
    static Expected<std::unique_ptr<ProjectStore>> open(const QString& databasePath, bool readOnly = false);
    bool readOnly() const { return m_readOnly; }
    // An error (kind Io) naming the project as read-only, for anything that would write to a
    // read-only store; ok otherwise. Asked first by what records (a run, a chat) so nothing is
    // prepared for a write that cannot happen.
    Status writable() const;

    const QString& path() const { return m_path; }
    // PRAGMA user_version: the schema the file is at (Migrations), -1 when it cannot be read.
    qint64 schemaVersion() const;
    QSqlDatabase database() const;

    // A run with a parent (a resume) is recorded only while the parent is paused, interrupted or
    // failed and no other run continues it, in one statement: two programs resuming one run at
    // once record one continuation; the other gets Failed ("resumed or cancelled meanwhile").
    Status insertRun(const RunRecord& run, const RunOwner& owner = RunOwner::current());
    Status updateRun(const RunRecord& run);
    // A run's record put back as it was written (project_recovery.h): no check of its parent's
    // state, no owner (it runs nowhere). An error where its id is recorded already.
    Status insertRecoveredRun(const RunRecord& run);
    // Writes the record of a run that ends while idle (`bioforge cancel`): only if the stored run is
    // still paused or interrupted and no run continues it — checked in the UPDATE itself, so a
    // resume by another program in between is never overwritten. Failed when it changed meanwhile.
    Status updateIdleRun(const RunRecord& run);
    Status updateProgress(const QString& runId, double fraction);
    // Removes the runs' records and their files' rows, all of them or none, in one write
    // transaction that checks first, as the project stands then (another process may have resumed
    // one since the caller looked): each run has ended or was resumed, and no run outside them
    // continues one of them (`bioforge delete`: their folders go after). Errors: a run that no
    // longer qualifies (Invalid, naming it), a read-only project, SQLite's.
    Status deleteRuns(const QStringList& runIds);
    // Each run's last saved progress (0 … 1, by run id): the fraction a running run reached at its
    // last save (RunService::saveProgress), the one a paused, failed or cancelled run ended at.
    Expected<QHash<QString, double>> runProgress() const;
    // One run's (NotFound when the project has no run of that id).
    Expected<double> runProgress(const QString& runId) const;
    Expected<RunRecord> run(const QString& runId) const;
    Expected<QList<RunRecord>> runs() const;
    // Every run's stored state name by run id (the runs table's `state` column, no record parsed).
    Expected<QHash<QString, QString>> runStates() const;
    // SQLite's PRAGMA data_version: it changes when another connection (another process: a
    // `bioforge run` in a terminal) commits to the database, never for this connection's own writes.
    Expected<qint64> dataVersion() const;
    // Runs left queued or running by a process that is no longer alive.
    Expected<QList<RunRecord>> orphanedRuns() const;
    // Stop requests (project_store_requests.cpp): another process asks the one running `runId` to
    // pause it (or cancel it); the owner reads them (run id -> cancel) and clears its own.
    Status requestStop(const QString& runId, bool cancel);
    Expected<QHash<QString, bool>> stopRequests() const;
    Status clearStopRequest(const QString& runId);

    // A plugin's own tables, migrated like the core's.
    Status ensurePluginSchema(const QString& pluginId, const QList<QStringList>& migrations);

    Status cachePut(const QString& key, const QByteArray& value, const std::optional<QDateTime>& expiresAt = {});
    Expected<std::optional<QByteArray>> cacheGet(const QString& key) const;

private:
    ProjectStore() = default;
    Status updateRunWhere(const RunRecord& run, const QString& condition);
    Status migrate();
    Status exec(const QString& sql) const;
    // The schema number, or the SQL error that kept it from being read (a locked file is not a damaged one).
    Expected<qint64> readSchemaVersion() const;
    // The integer a PRAGMA answers ("user_version", "data_version"); an error names it and SQLite's reason.
    Expected<qint64> pragmaInteger(const char* name) const;

    QString m_path;
    QString m_connection;
    bool m_readOnly = false;
};

} // namespace bioforge::core
