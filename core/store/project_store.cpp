#include "store/project_store.h"

#include "store/migrations.h"
#include "store/project_store_sql.h"
#include "store/sqlite_read_only.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <functional>

namespace bioforge::core {

using sql::sqlError;
using sql::text;
using sql::timeOrNull;

namespace {

// Why the first read of a project database failed, in the words of its cause: a file that is no
// database (or a damaged one), a folder this user cannot write (SQLite's WAL needs it even to
// read), a full disk. Every such failure used to read "not an SQLite database".
QString openFailure(const QString& databasePath, const QSqlQuery& q)
{
    const int primary = q.lastError().nativeErrorCode().toInt() & 0xff; // extended codes: their low byte
    const QString folder = QFileInfo(databasePath).absolutePath();
    const qint64 free = QStorageInfo(folder).bytesAvailable();
    const QString sql = sqlError(q);
    // SQLite's own words ("database disk image is malformed"), not glued to the driver's ("Unable to fetch row").
    const QString said = q.lastError().databaseText().isEmpty() ? sql : q.lastError().databaseText();
    if (primary == 26) // SQLITE_NOTADB
        return QStringLiteral("%1: not an SQLite database (%2); `bioforge recover` rebuilds the project's run list from runs/*/provenance.json "
                              "(the file is kept aside)")
            .arg(databasePath, said);
    if (primary == 11) // SQLITE_CORRUPT
        return QStringLiteral("%1: the database is damaged (%2); `bioforge recover` rebuilds the project's run list from runs/*/provenance.json "
                              "(the damaged file is kept aside), or put back a copy of project.sqlite")
            .arg(databasePath, said);
    if (readOnlyPlace(databasePath))
        return QStringLiteral("%1: cannot open the project: its folder or database is read-only (a read-only mount, or this user's permissions) "
                              "and could not be read as it lies (%2); copy the project to a writable place")
            .arg(databasePath, sql);
    if (primary == 13 || (primary == 10 && free >= 0 && free < 1024 * 1024)) // SQLITE_FULL, or an I/O error on a full disk
        return QStringLiteral("%1: cannot open the project: the disk holding it is full (%2 bytes free); free some space (%3)")
            .arg(databasePath, QString::number(free), sql);
    return QStringLiteral("%1: cannot read the project database (%2)").arg(databasePath, sql);
}

// Runs `body` in one write transaction taken before anything is read (BEGIN IMMEDIATE: a second
// process opening the same new project waits for it — the busy timeout — instead of acting on what
// it read before), committed when `body` succeeds and rolled back otherwise. `what` names the
// transaction in its own errors.
Status inWriteTransaction(const QSqlDatabase& db, const QString& what, const std::function<Status()>& body)
{
    auto run = [&db](const char* sql) -> Status {
        QSqlQuery q(db);
        if (!q.exec(QLatin1String(sql)))
            return Error(QStringLiteral("SQL failed (%1): %2").arg(QLatin1String(sql), sqlError(q)));
        return okStatus();
    };
    if (Status st = run("BEGIN IMMEDIATE"); !st)
        return st.error().withContext(QStringLiteral("cannot start %1").arg(what));
    Status st = body();
    if (st)
        if (Status committed = run("COMMIT"); !committed)
            st = committed.error().withContext(QStringLiteral("cannot commit %1").arg(what));
    if (!st)
        (void)run("ROLLBACK");
    return st;
}

} // namespace

Status ProjectStore::deleteRuns(const QStringList& runIds)
{
    if (Status st = writable(); !st)
        return st;
    if (runIds.isEmpty())
        return okStatus();
    const QString marks = QStringList(runIds.size(), QStringLiteral("?")).join(QLatin1Char(','));
    const auto prepared = [&](const QString& sql, int times) {
        QSqlQuery q(database());
        q.prepare(sql);
        for (int i = 0; i < times; ++i)
            for (const QString& id : runIds)
                q.addBindValue(id);
        return q;
    };
    return inWriteTransaction(database(), QStringLiteral("the deletion of runs"), [&]() -> Status {
        // A continuation outside the set (a resume another process started meanwhile) keeps its chain.
        QSqlQuery outside = prepared(QStringLiteral("SELECT id, parent_run_id FROM runs WHERE parent_run_id IN (%1) AND id NOT IN (%1)").arg(marks), 2);
        if (!outside.exec())
            return Error(QStringLiteral("cannot read the runs to delete: %1").arg(sqlError(outside)));
        if (outside.next())
            return Error(QStringLiteral("run %1 was resumed as run %2, which is not to be deleted with it").arg(outside.value(1).toString(), outside.value(0).toString()),
                         Error::Kind::Invalid);
        QSqlQuery states = prepared(QStringLiteral("SELECT id, state, (SELECT count(*) FROM runs c WHERE c.parent_run_id = runs.id) FROM runs WHERE id IN (%1)").arg(marks), 1);
        if (!states.exec())
            return Error(QStringLiteral("cannot read the runs to delete: %1").arg(sqlError(states)));
        int found = 0;
        while (states.next()) {
            ++found;
            const auto state = runStateFromName(states.value(1).toString());
            if (!(state && runStateIsFinal(*state)) && states.value(2).toInt() == 0)
                return Error(QStringLiteral("run %1 is %2 now").arg(states.value(0).toString(), states.value(1).toString()), Error::Kind::Invalid);
        }
        states.finish();
        if (found != runIds.size())
            return Error(QStringLiteral("of runs %1, only %2 are in the project now").arg(runIds.join(QStringLiteral(", "))).arg(found), Error::Kind::NotFound);
        // run_files' rows go with their run (ON DELETE CASCADE).
        QSqlQuery remove = prepared(QStringLiteral("DELETE FROM runs WHERE id IN (%1)").arg(marks), 1);
        if (!remove.exec())
            return Error(QStringLiteral("cannot delete runs %1: %2").arg(runIds.join(QStringLiteral(", ")), sqlError(remove)));
        return okStatus();
    });
}

ProjectStore::~ProjectStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

Expected<std::unique_ptr<ProjectStore>> ProjectStore::open(const QString& databasePath, bool readOnly)
{
    std::unique_ptr<ProjectStore> store(new ProjectStore);
    store->m_path = databasePath;
    store->m_readOnly = readOnly;
    if (readOnly) {
        if (!QFileInfo::exists(databasePath))
            return Error(QStringLiteral("%1: no project database, and the project is read-only here (a read-only mount, or this user's "
                                        "permissions): it cannot be made")
                             .arg(databasePath),
                         Error::Kind::NotFound);
        // Immutable mode reads the database file alone: changes still in its write-ahead log would be missed.
        if (Status st = checkNoPendingWal(databasePath, QStringLiteral("the project")); !st)
            return st.error();
    }
    store->m_connection = QStringLiteral("bioforge-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), store->m_connection);
    if (!db.isValid())
        return Error(QStringLiteral("%1: the Qt SQLite driver (QSQLITE) is not available; install libqt6sql6-sqlite").arg(databasePath));
    if (readOnly) { // https://sqlite.org/uri.html: immutable=1 takes no locks and writes nothing, not even the -shm file
        db.setDatabaseName(sqliteImmutableUri(databasePath));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
    } else {
        db.setDatabaseName(databasePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    }
    if (!db.open())
        return Error(QStringLiteral("%1: cannot open project database: %2").arg(databasePath, db.lastError().text()));

    int appId = 0;
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next())
            return Error(openFailure(databasePath, q));
        appId = q.value(0).toInt();
    }
    if (appId != 0 && appId != kApplicationId)
        return Error(QStringLiteral("%1: an SQLite file of another application (application_id %2)").arg(databasePath, QString::number(appId)));
    auto version = store->readSchemaVersion();
    if (!version)
        return version.error().withContext(databasePath);
    if (Status st = checkSchemaVersion(*version, Migrations::latest(), QStringLiteral("project")); !st)
        return st.error().withContext(databasePath);
    if (readOnly) {
        if (*version == 0)
            return Error(QStringLiteral("%1: the project database is empty (no tables yet), and the project is read-only here: it cannot be "
                                        "made").arg(databasePath), Error::Kind::NotFound);
        if (*version != Migrations::latest())
            return Error(QStringLiteral("%1: the project was made by an earlier BioForge (schema %2, this one reads %3) and needs an update, which "
                                        "a read-only project cannot take: open it once where it can be written")
                             .arg(databasePath, QString::number(*version), QString::number(Migrations::latest())));
        if (Status st = store->exec(QStringLiteral("PRAGMA foreign_keys=ON")); !st)
            return st.error().withContext(databasePath);
        return store;
    }
    // Switching a new file to WAL needs it to itself: SQLite answers "database is locked" at once,
    // without waiting in the busy handler, while another process (opening the same new project)
    // holds a lock. Tried again until the busy timeout: once one of them has switched it, the
    // mode is the file's and the others' switch is a no-op.
    QDeadlineTimer walDeadline(10000);
    for (;;) {
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("PRAGMA journal_mode=WAL")))
            break;
        // SQLITE_BUSY 5, SQLITE_LOCKED 6; Qt's driver reports extended codes (SQLITE_BUSY_RECOVERY 261, …): their low byte.
        const int primary = q.lastError().nativeErrorCode().toInt() & 0xff;
        if (primary != 5 && primary != 6)
            return Error(openFailure(databasePath, q)); // the first statement that reads the file's pages
        if (walDeadline.hasExpired())
            return Error(QStringLiteral("%1: SQL failed (PRAGMA journal_mode=WAL): %2").arg(databasePath, sqlError(q)));
        q.finish();
        QThread::msleep(10);
    }
    for (const char* pragma : {"PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"})
        if (Status st = store->exec(QString::fromLatin1(pragma)); !st)
            return st.error().withContext(databasePath);
    if (Status st = store->migrate(); !st)
        return st.error().withContext(databasePath);
    return store;
}

QSqlDatabase ProjectStore::database() const { return QSqlDatabase::database(m_connection, false); }

qint64 ProjectStore::schemaVersion() const { return readSchemaVersion().valueOr(-1); }

Expected<qint64> ProjectStore::readSchemaVersion() const
{
    auto version = pragmaInteger("user_version");
    if (!version)
        return Error(QStringLiteral("cannot read the project schema: %1").arg(version.error().message()));
    return version;
}

Expected<qint64> ProjectStore::pragmaInteger(const char* name) const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("PRAGMA ") + QLatin1String(name)) || !q.next())
        return Error(QStringLiteral("PRAGMA %1: %2").arg(QLatin1String(name), sqlError(q)));
    const qint64 value = q.value(0).toLongLong();
    q.finish(); // no open read transaction may outlive the query
    return value;
}

Status ProjectStore::exec(const QString& sql) const
{
    QSqlQuery q(database());
    if (!q.exec(sql))
        return Error(QStringLiteral("SQL failed (%1): %2").arg(sql.left(80), sqlError(q)));
    return okStatus();
}

Status ProjectStore::writable() const
{
    if (!m_readOnly)
        return okStatus();
    return Error(QStringLiteral("%1: the project is read-only here (a read-only mount, or this user's permissions): its runs can be listed, "
                                "shown, inspected and reported, but nothing can be recorded in it; copy the project to a writable place to run in it")
                     .arg(QFileInfo(m_path).absolutePath()),
                 Error::Kind::Io);
}

Status ProjectStore::migrate()
{
    // BEGIN IMMEDIATE takes the write lock before the version is read: a second process opening the
    // same new project (two runs started together, a cluster array) waits for it (the busy timeout)
    // and then finds the tables made, instead of reading version 0 too and failing on "table runs
    // already exists". Every pending version in one transaction: all of them or none. A project
    // already at the latest version takes no lock.
    if (const auto current = readSchemaVersion(); current && *current == Migrations::latest())
        return okStatus();
    return inWriteTransaction(database(), QStringLiteral("the project's migration"), [this]() -> Status {
        const auto read = readSchemaVersion();
        if (!read)
            return read.error();
        const qint64 from = *read;
        const auto& all = Migrations::core();
        if (Status st = checkSchemaVersion(from, int(all.size()), QStringLiteral("project")); !st)
            return st;
        for (int version = int(from) + 1; version <= int(all.size()); ++version) {
            for (const QString& sql : all[version - 1])
                if (Status st = exec(sql); !st)
                    return st.error().withContext(QStringLiteral("migration %1").arg(version));
            if (Status st = exec(QStringLiteral("PRAGMA user_version = %1").arg(version)); !st)
                return st;
            if (Status st = exec(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId)); !st)
                return st;
        }
        return okStatus();
    });
}

Status ProjectStore::ensurePluginSchema(const QString& pluginId, const QList<QStringList>& migrations)
{
    // As migrate(): the version is read inside the write transaction, so two processes loading the
    // plugin on a new project do not both create its tables (and one whose tables are current
    // takes no lock).
    {
        QSqlQuery q(database());
        q.prepare(QStringLiteral("SELECT version FROM plugin_schema WHERE plugin_id = ?"));
        q.addBindValue(pluginId);
        if (q.exec() && q.next() && q.value(0).toLongLong() == migrations.size())
            return okStatus();
    }
    if (Status st = writable(); !st)
        return st.error().withContext(QStringLiteral("the tables of plugin '%1' need an update").arg(pluginId));
    return inWriteTransaction(database(), QStringLiteral("the migration of plugin %1").arg(pluginId), [&]() -> Status {
        QSqlDatabase db = database();
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT version FROM plugin_schema WHERE plugin_id = ?"));
        q.addBindValue(pluginId);
        if (!q.exec())
            return Error(QStringLiteral("cannot read schema of plugin %1: %2").arg(pluginId, sqlError(q)));
        const qint64 from = q.next() ? q.value(0).toLongLong() : 0;
        q.finish();
        if (Status st = checkSchemaVersion(from, int(migrations.size()), QStringLiteral("the tables of plugin '%1' are at").arg(pluginId)); !st)
            return st.error().withContext(m_path);
        for (int version = int(from) + 1; version <= int(migrations.size()); ++version) {
            for (const QString& sql : migrations[version - 1])
                if (Status st = exec(sql); !st)
                    return st.error().withContext(QStringLiteral("plugin %1 migration %2").arg(pluginId, QString::number(version)));
            QSqlQuery set(db);
            set.prepare(QStringLiteral("INSERT INTO plugin_schema (plugin_id, version) VALUES (?, ?)"
                                       " ON CONFLICT(plugin_id) DO UPDATE SET version = excluded.version"));
            set.addBindValue(pluginId);
            set.addBindValue(version);
            if (!set.exec())
                return Error(QStringLiteral("cannot record schema of plugin %1: %2").arg(pluginId, sqlError(set)));
        }
        return okStatus();
    });
}

Status ProjectStore::cachePut(const QString& key, const QByteArray& value, const std::optional<QDateTime>& expiresAt)
{
    if (Status st = writable(); !st)
        return st;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO cache (key, value, created_at, expires_at) VALUES (?, ?, ?, ?)"
                             " ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at,"
                             " expires_at = excluded.expires_at"));
    q.addBindValue(key);
    q.addBindValue(value);
    q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    q.addBindValue(expiresAt ? timeOrNull(*expiresAt) : QVariant());
    if (!q.exec())
        return Error(QStringLiteral("cannot write cache entry %1: %2").arg(key, sqlError(q)));
    return okStatus();
}

Expected<std::optional<QByteArray>> ProjectStore::cacheGet(const QString& key) const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT value, expires_at FROM cache WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec())
        return Error(QStringLiteral("cannot read cache entry %1: %2").arg(key, sqlError(q)));
    if (!q.next())
        return std::optional<QByteArray>();
    if (!q.value(1).isNull()) {
        const QDateTime expires = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        if (expires.isValid() && expires < QDateTime::currentDateTimeUtc())
            return std::optional<QByteArray>();
    }
    return std::optional<QByteArray>(q.value(0).toByteArray());
}

} // namespace bioforge::core
