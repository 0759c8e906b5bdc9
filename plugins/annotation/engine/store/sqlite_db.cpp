#include "store/sqlite_db.h"

#include "store/migrations.h"
#include "store/sqlite_read_only.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace bioforge::annotation {
namespace {

core::Expected<std::unique_ptr<SqliteDb>> failed(const QString& path, const QString& what)
{
    return core::Error(QStringLiteral("%1: %2").arg(path, what));
}

// A file this user may not read: said so (SQLite's "unable to open database file" named no cause).
core::Status checkReadable(const QString& path)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isReadable())
        return core::Error(QStringLiteral("%1: this user may not read it (permission denied; its owner is %2)").arg(path, info.owner()));
    return core::okStatus();
}

// Why the first read of `path` failed, in the words of its cause: a file that is not SQLite, or
// one in a place this user cannot write that could not be read as it lies.
QString firstReadFailure(const QString& path, const QSqlQuery& q)
{
    const int primary = q.lastError().nativeErrorCode().toInt() & 0xff; // extended codes: their low byte
    if (primary != 26 && (core::readOnlyPlace(path) || primary == 8)) // SQLITE_NOTADB is said as such; SQLITE_READONLY
        return QStringLiteral("the file is read-only here (a read-only folder or mount, or this user's permissions) and could not be read as it "
                              "lies (%1); use a copy in a folder you can write")
            .arg(q.lastError().databaseText());
    return QStringLiteral("not an SQLite database (%1)").arg(q.lastError().databaseText());
}

// The file's stamp: its application id (another program's file, or a newer BioForge's, is refused)
// and its schema version (PRAGMA user_version), which is returned.
core::Expected<qint64> readStamp(const QString& path, const QSqlDatabase& db, const SqliteDb::Schema& schema)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next())
        return core::Error(QStringLiteral("%1: %2").arg(path, firstReadFailure(path, q)));
    const int appId = q.value(0).toInt();
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return core::Error(QStringLiteral("%1: %2").arg(path, q.lastError().text()));
    const qint64 version = q.value(0).toLongLong();
    if (appId != 0 && appId != schema.applicationId)
        return core::Error(QStringLiteral("%1: not a BioForge %2 (application_id %3)").arg(path, schema.what, QString::number(appId)));
    if (auto st = core::checkSchemaVersion(version, int(schema.migrations.size()), schema.what); !st)
        return core::Error(QStringLiteral("%1: %2").arg(path, st.error().message()));
    return version;
}

// A connection to `path` for reading only; where the place cannot be written (core::readOnlyPlace)
// in SQLite's immutable mode, refused while its write-ahead log holds changes.
core::Status connectForReading(QSqlDatabase& db, const QString& path, const QString& what)
{
    if (core::Status readable = checkReadable(path); !readable)
        return readable;
    if (core::readOnlyFile(path)) {
        if (auto st = core::checkNoPendingWal(path, what); !st)
            return st;
        db.setDatabaseName(core::sqliteImmutableUri(path));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
    } else {
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"));
    }
    if (!db.open())
        return core::Error(QStringLiteral("%1: cannot open: %2").arg(path, db.lastError().text()));
    return core::okStatus();
}

} // namespace

SqliteDb::~SqliteDb()
{
    m_statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QSqlDatabase SqliteDb::database() const { return QSqlDatabase::database(m_connection, false); }

core::Status SqliteDb::exec(const QString& sql) const
{
    QSqlQuery q(database());
    if (!q.exec(sql))
        return core::Error(QStringLiteral("%1: SQL failed (%2): %3").arg(m_path, sql.left(80), q.lastError().text()));
    return core::okStatus();
}

core::Expected<QSqlQuery> SqliteDb::prepare(const QString& sql) const
{
    QSqlQuery q(database());
    if (!q.prepare(sql))
        return core::Error(QStringLiteral("%1: cannot prepare (%2): %3").arg(m_path, sql.left(80), q.lastError().text()));
    return q;
}

core::Expected<QSqlQuery*> SqliteDb::statement(const QString& sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto q = prepare(sql);
        if (!q)
            return q.error();
        it = m_statements.emplace(sql, std::move(*q)).first;
    }
    return &it->second;
}

core::Status SqliteDb::run(QSqlQuery& q, std::initializer_list<QVariant> values) const
{
    int i = 0;
    for (const QVariant& v : values)
        q.bindValue(i++, v);
    return run(q);
}

core::Status SqliteDb::run(QSqlQuery& q) const
{
    if (!q.exec())
        return core::Error(QStringLiteral("%1: SQL failed (%2): %3").arg(m_path, q.lastQuery().left(80), q.lastError().text()));
    return core::okStatus();
}

core::Status SqliteDb::begin() const
{
    if (!database().transaction())
        return core::Error(QStringLiteral("%1: cannot begin a transaction: %2").arg(m_path, database().lastError().text()));
    return core::okStatus();
}

core::Status SqliteDb::commit() const
{
    if (!database().commit())
        return core::Error(QStringLiteral("%1: cannot commit: %2").arg(m_path, database().lastError().text()));
    return core::okStatus();
}

void SqliteDb::rollback() const { database().rollback(); }

core::Expected<std::unique_ptr<SqliteDb>> SqliteDb::openReadOnly(const QString& path)
{
    std::unique_ptr<SqliteDb> d(new SqliteDb);
    d->m_path = path;
    d->m_connection = QStringLiteral("annotation-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->m_connection);
    if (!db.isValid())
        return failed(path, QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; install libqt6sql6-sqlite"));
    d->m_readOnly = true;
    if (auto st = connectForReading(db, path, QStringLiteral("the file")); !st)
        return st.error();
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !q.next())
        return failed(path, firstReadFailure(path, q));
    return d;
}

core::Expected<std::unique_ptr<SqliteDb>> SqliteDb::open(const QString& path, const Schema& schema)
{
    std::unique_ptr<SqliteDb> d(new SqliteDb);
    d->m_path = path;
    d->m_connection = QStringLiteral("annotation-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->m_connection).isValid())
        return failed(path, QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; install libqt6sql6-sqlite"));
    // No handle on the connection here while openImmutable may drop it: Qt warned "removeDatabase:
    // connection … is still in use" on every refusal of a read-only library.
    if (core::readOnlyFile(path))
        return openImmutable(std::move(d), schema);
    if (core::Status readable = checkReadable(path); !readable)
        return readable.error();
    QSqlDatabase db = d->database();
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
    if (!db.open())
        return failed(path, QStringLiteral("cannot open the %1: %2").arg(schema.what, db.lastError().text()));
    auto stamped = readStamp(path, db, schema);
    if (!stamped)
        return stamped.error();
    qint64 version = *stamped;
    // Turning a new file to WAL takes an exclusive lock that SQLite does not wait for through the
    // busy timeout: programs opening a new library at once got "database is locked". Skipped when
    // the file is WAL already; else tried again for up to the busy timeout.
    {
        bool wal = false;
        {
            QSqlQuery mode(db);
            wal = mode.exec(QStringLiteral("PRAGMA journal_mode")) && mode.next() && mode.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) == 0;
            mode.finish(); // a statement left open holds a read transaction, in which WAL cannot be set
        }
        for (int attempt = 0; !wal; ++attempt) {
            auto st = d->exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            if (st)
                break;
            if (!st.error().message().contains(QLatin1String("locked")) || attempt >= 600)
                return st.error();
            QThread::msleep(50);
        }
    }
    for (const char* pragma : {"PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"})
        if (auto st = d->exec(QString::fromLatin1(pragma)); !st)
            return st.error();
    // Each step under the write lock (BEGIN IMMEDIATE), with the version read again inside it: two
    // programs opening a new library at once (imports started together by a script) would both have
    // seen version 0 and both created the tables ("table release already exists").
    const int latest = int(schema.migrations.size());
    while (version < latest) {
        if (auto st = d->exec(QStringLiteral("BEGIN IMMEDIATE")); !st)
            return st.error();
        {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
                (void)d->exec(QStringLiteral("ROLLBACK"));
                return failed(path, q.lastError().text());
            }
            version = q.value(0).toLongLong();
        }
        if (version >= latest) { // another program migrated it meanwhile (a newer one, maybe)
            if (auto st = d->exec(QStringLiteral("COMMIT")); !st)
                return st.error();
            if (auto st = core::checkSchemaVersion(version, latest, schema.what); !st)
                return failed(path, st.error().message());
            break;
        }
        const int v = int(version) + 1;
        for (const QString& sql : schema.migrations[v - 1])
            if (auto st = d->exec(sql); !st) {
                (void)d->exec(QStringLiteral("ROLLBACK"));
                return st.error().withContext(QStringLiteral("migration %1").arg(v));
            }
        for (const QString& pragma : {QStringLiteral("PRAGMA user_version = %1").arg(v), QStringLiteral("PRAGMA application_id = %1").arg(schema.applicationId)})
            if (auto st = d->exec(pragma); !st) {
                (void)d->exec(QStringLiteral("ROLLBACK"));
                return st.error();
            }
        if (auto st = d->exec(QStringLiteral("COMMIT")); !st)
            return st.error();
        version = v;
    }
    return d;
}

core::Expected<std::unique_ptr<SqliteDb>> SqliteDb::openImmutable(std::unique_ptr<SqliteDb> d, const Schema& schema)
{
    const QString path = d->m_path;
    QSqlDatabase db = d->database();
    d->m_readOnly = true;
    if (auto st = connectForReading(db, path, QStringLiteral("the ") + schema.what); !st)
        return st.error();
    auto stamped = readStamp(path, db, schema);
    if (!stamped)
        return stamped.error();
    const qint64 version = *stamped;
    if (version == 0)
        return failed(path, QStringLiteral("the %1 is empty (no tables yet) and read-only here (a read-only folder or mount, or this user's "
                                           "permissions): it cannot be made")
                                .arg(schema.what));
    if (version < int(schema.migrations.size()))
        return failed(path, QStringLiteral("the %1 was made by an earlier BioForge (schema %2, this one reads %3) and needs an update, which it "
                                           "cannot take where it is read-only: open it once where it can be written")
                                .arg(schema.what, QString::number(version), QString::number(schema.migrations.size())));
    if (auto st = d->exec(QStringLiteral("PRAGMA foreign_keys=ON")); !st)
        return st.error();
    return d;
}

} // namespace bioforge::annotation
