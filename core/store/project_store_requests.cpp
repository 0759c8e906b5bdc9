// ProjectStore: stop requests, one process asking another to pause or cancel a run it runs
// (`bioforge pause`, `bioforge cancel`, the window's Jobs dock for a run "running elsewhere"): kept
// in the settings table as "stop_request/<run id>" -> "pause" or "cancel", read by the owning
// process (RunService, every 2 s) and removed when it acts or the run ends (trial 24 T24-12).

#include "store/project_store.h"

#include "store/project_store_sql.h"

#include <QSqlQuery>

namespace bioforge::core {

using sql::sqlError;

namespace {
const QString kStopRequestPrefix = QStringLiteral("stop_request/");
} // namespace

Status ProjectStore::requestStop(const QString& runId, bool cancel)
{
    if (Status st = writable(); !st)
        return st;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"));
    q.addBindValue(kStopRequestPrefix + runId);
    q.addBindValue(cancel ? QStringLiteral("cancel") : QStringLiteral("pause"));
    if (!q.exec())
        return Error(QStringLiteral("cannot ask for run %1 to stop: %2").arg(runId, sqlError(q)));
    return okStatus();
}

Expected<QHash<QString, bool>> ProjectStore::stopRequests() const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT key, value FROM settings WHERE key >= ? AND key < ?"));
    q.addBindValue(kStopRequestPrefix);
    q.addBindValue(QStringLiteral("stop_request0")); // '0' follows '/': every key with the prefix
    if (!q.exec())
        return Error(QStringLiteral("cannot read the stop requests: %1").arg(sqlError(q)), Error::Kind::Io);
    QHash<QString, bool> out;
    while (q.next())
        out.insert(q.value(0).toString().mid(kStopRequestPrefix.size()), q.value(1).toString() == QLatin1String("cancel"));
    return out;
}

Status ProjectStore::clearStopRequest(const QString& runId)
{
    if (readOnly())
        return okStatus(); // none can have been written
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM settings WHERE key = ?"));
    q.addBindValue(kStopRequestPrefix + runId);
    if (!q.exec())
        return Error(QStringLiteral("cannot clear the stop request of run %1: %2").arg(runId, sqlError(q)));
    return okStatus();
}

} // namespace bioforge::core
