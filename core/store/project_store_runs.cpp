// The run table of the project store (store/project_store.h): runs recorded,
// updated (guarded where two programs may act on one run at once), read back.

#include "store/project_store.h"
#include "store/project_store_sql.h"

#include <QJsonDocument>
#include <QSqlQuery>

#include <algorithm>

namespace bioforge::core {

using sql::sqlError;
using sql::text;
using sql::timeOrNull;

namespace {

// The states a run is resumed from, as an SQL list ('paused', …).
QString resumableStates()
{
    QStringList names;
    for (RunState s : {RunState::Queued, RunState::Running, RunState::Paused, RunState::Cancelled, RunState::Finished, RunState::Failed, RunState::Interrupted})
        if (runStateIsResumable(s))
            names << QLatin1Char('\'') + runStateName(s) + QLatin1Char('\'');
    return names.join(QStringLiteral(", "));
}

} // namespace

namespace {

// A run's id, plugin, verb, title, state, parameters, parent, checkpoint and creation time, bound in
// that order (the first columns of both inserts of a run).
void bindIdentity(QSqlQuery& q, const RunRecord& run)
{
    q.addBindValue(run.runId);
    q.addBindValue(run.pluginId);
    q.addBindValue(run.verb);
    q.addBindValue(text(run.title));
    q.addBindValue(runStateName(run.state));
    q.addBindValue(QString::fromUtf8(QJsonDocument(run.parameters).toJson(QJsonDocument::Compact)));
    q.addBindValue(run.parentRunId.isEmpty() ? QVariant() : QVariant(run.parentRunId));
    q.addBindValue(run.checkpointId);
    q.addBindValue(timeOrNull(run.createdAt));
}

} // namespace

Status ProjectStore::insertRun(const RunRecord& run, const RunOwner& owner)
{
    if (Status st = writable(); !st)
        return st;
    QSqlQuery q(database());
    q.prepare(QStringLiteral(
        "INSERT INTO runs (id, plugin_id, verb, title, state, parameters, parent_run_id, checkpoint_id, created_at,"
        " started_at, ended_at, error, owner_pid, owner_host, owner_start, record)"
        " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
        " WHERE ? IS NULL OR (EXISTS (SELECT 1 FROM runs WHERE id = ? AND state IN (%1))"
        " AND NOT EXISTS (SELECT 1 FROM runs WHERE parent_run_id = ?))").arg(resumableStates()));
    bindIdentity(q, run);
    q.addBindValue(timeOrNull(run.startedAt));
    q.addBindValue(timeOrNull(run.endedAt));
    q.addBindValue(text(run.error));
    q.addBindValue(owner.pid);
    q.addBindValue(owner.host);
    q.addBindValue(owner.processStart);
    q.addBindValue(QString::fromUtf8(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact)));
    const QVariant parent = run.parentRunId.isEmpty() ? QVariant() : QVariant(run.parentRunId);
    for (int i = 0; i < 3; ++i)
        q.addBindValue(parent);
    if (!q.exec())
        return Error(QStringLiteral("cannot record run %1: %2").arg(run.runId, sqlError(q)));
    if (q.numRowsAffected() != 1)
        return Error(QStringLiteral("run %1 cannot be resumed: another program resumed or cancelled it meanwhile (bioforge runs shows it)").arg(run.parentRunId),
                     Error::Kind::Failed);
    return okStatus();
}

Status ProjectStore::insertRecoveredRun(const RunRecord& run)
{
    if (Status st = writable(); !st)
        return st;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO runs (id, plugin_id, verb, title, state, parameters, parent_run_id, checkpoint_id, created_at, record)"
                             " VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM runs WHERE id = ?), ?, ?, ?)")); // a parent not recovered: none
    bindIdentity(q, run);
    q.addBindValue(QString::fromUtf8(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact)));
    if (!q.exec())
        return Error(QStringLiteral("cannot record run %1: %2").arg(run.runId, sqlError(q)));
    return updateRun(run); // times, error, files; a finished run's progress
}

Status ProjectStore::updateRun(const RunRecord& run) { return updateRunWhere(run, QString()); }

Status ProjectStore::updateIdleRun(const RunRecord& run)
{
    return updateRunWhere(run, QStringLiteral(" AND state IN ('%1', '%2') AND NOT EXISTS (SELECT 1 FROM runs AS c WHERE c.parent_run_id = runs.id)")
                                   .arg(runStateName(RunState::Paused), runStateName(RunState::Interrupted)));
}

Status ProjectStore::updateRunWhere(const RunRecord& run, const QString& condition)
{
    if (Status st = writable(); !st)
        return st;
    QSqlDatabase db = database();
    if (!db.transaction())
        return Error(QStringLiteral("cannot update run %1: %2").arg(run.runId, db.lastError().text()));
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE runs SET state = ?, started_at = ?, ended_at = ?, error = ?, record = ?,"
                             " progress = CASE WHEN ? = 'finished' THEN 1 ELSE progress END WHERE id = ?") + condition);
    q.addBindValue(runStateName(run.state));
    q.addBindValue(timeOrNull(run.startedAt));
    q.addBindValue(timeOrNull(run.endedAt));
    q.addBindValue(text(run.error));
    q.addBindValue(QString::fromUtf8(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact)));
    q.addBindValue(runStateName(run.state));
    q.addBindValue(run.runId);
    if (!q.exec() || q.numRowsAffected() != 1) {
        db.rollback();
        if (q.lastError().isValid())
            return Error(QStringLiteral("cannot update run %1: %2").arg(run.runId, sqlError(q)));
        return condition.isEmpty() ? Error(QStringLiteral("cannot update run %1: no such run").arg(run.runId))
                                   : Error(QStringLiteral("run %1 changed meanwhile (another program resumed or ended it; bioforge runs shows it)").arg(run.runId),
                                           Error::Kind::Failed);
    }
    QSqlQuery del(db);
    del.prepare(QStringLiteral("DELETE FROM run_files WHERE run_id = ?"));
    del.addBindValue(run.runId);
    del.exec();
    auto insertFile = [&](const QString& role, const QString& name, const QString& path, const QString& sha, qint64 size) {
        QSqlQuery f(db);
        f.prepare(QStringLiteral("INSERT INTO run_files (run_id, role, name, path, sha256, size) VALUES (?, ?, ?, ?, ?, ?)"));
        f.addBindValue(run.runId);
        f.addBindValue(role);
        f.addBindValue(text(name));
        f.addBindValue(text(path));
        f.addBindValue(text(sha));
        f.addBindValue(size);
        return f.exec();
    };
    bool ok = true;
    for (const FileRef& f : run.inputs)
        ok = ok && insertFile(QStringLiteral("input"), f.name, f.path, f.sha256, f.size);
    for (const ModelRef& m : run.models)
        ok = ok && insertFile(QStringLiteral("model"), m.name, m.path, m.sha256, 0); // reference data too (the table allows input, model, output)
    for (const FileRef& f : run.outputs)
        ok = ok && insertFile(QStringLiteral("output"), f.name, f.path, f.sha256, f.size);
    if (!ok || !db.commit()) {
        db.rollback();
        return Error(QStringLiteral("cannot record the files of run %1: %2").arg(run.runId, db.lastError().text()));
    }
    return okStatus();
}

Status ProjectStore::updateProgress(const QString& runId, double fraction)
{
    if (Status st = writable(); !st)
        return st;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE runs SET progress = ? WHERE id = ?"));
    q.addBindValue(fraction);
    q.addBindValue(runId);
    if (!q.exec())
        return Error(QStringLiteral("cannot update progress of run %1: %2").arg(runId, sqlError(q)));
    return okStatus();
}

Expected<QHash<QString, double>> ProjectStore::runProgress() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT id, progress FROM runs")))
        return Error(QStringLiteral("cannot read the runs' progress: %1").arg(sqlError(q)), Error::Kind::Io);
    QHash<QString, double> out;
    while (q.next())
        out.insert(q.value(0).toString(), std::clamp(q.value(1).toDouble(), 0.0, 1.0)); // an edited database: never above 100 %
    return out;
}

Expected<double> ProjectStore::runProgress(const QString& runId) const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT progress FROM runs WHERE id = ?"));
    q.addBindValue(runId);
    if (!q.exec())
        return Error(QStringLiteral("cannot read the progress of run %1: %2").arg(runId, sqlError(q)), Error::Kind::Io);
    if (!q.next())
        return Error(QStringLiteral("no run with id '%1' in %2").arg(runId, m_path), Error::Kind::NotFound);
    return std::clamp(q.value(0).toDouble(), 0.0, 1.0); // an edited database: never above 100 %
}

Expected<RunRecord> ProjectStore::run(const QString& runId) const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT record FROM runs WHERE id = ?"));
    q.addBindValue(runId);
    if (!q.exec())
        return Error(QStringLiteral("cannot read run %1: %2").arg(runId, sqlError(q)), Error::Kind::Io);
    if (!q.next())
        return Error(QStringLiteral("no run with id '%1' in %2").arg(runId, m_path), Error::Kind::NotFound);
    const QJsonDocument doc = QJsonDocument::fromJson(q.value(0).toString().toUtf8());
    return RunRecord::fromJson(doc.object());
}

Expected<QList<RunRecord>> ProjectStore::runs() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT record FROM runs ORDER BY created_at, rowid")))
        return Error(QStringLiteral("cannot list runs: %1").arg(sqlError(q)));
    QList<RunRecord> out;
    while (q.next()) {
        auto r = RunRecord::fromJson(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
        if (!r)
            return r.error();
        out.append(*r);
    }
    return out;
}

Expected<QHash<QString, QString>> ProjectStore::runStates() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT id, state FROM runs")))
        return Error(QStringLiteral("cannot list runs: %1").arg(sqlError(q)));
    QHash<QString, QString> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toString());
    return out;
}

Expected<qint64> ProjectStore::dataVersion() const { return pragmaInteger("data_version"); }

Expected<QList<RunRecord>> ProjectStore::orphanedRuns() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT record, owner_pid, owner_host, owner_start FROM runs"
                               " WHERE state IN ('queued', 'running') ORDER BY created_at")))
        return Error(QStringLiteral("cannot list runs: %1").arg(sqlError(q)));
    QList<RunRecord> out;
    while (q.next()) {
        RunOwner owner{q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString()};
        if (owner.isAlive())
            continue;
        auto r = RunRecord::fromJson(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
        if (r)
            out.append(*r);
    }
    return out;
}

} // namespace bioforge::core
