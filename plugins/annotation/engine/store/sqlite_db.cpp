#include "store/sqlite_db.h"

#include "store/migrations.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QThread>
#include <QUuid>

namespace bioforge::annotation {
namespace {

core::Expected<std::unique_ptr<SqliteDb>> failed(const QString& path, const QString& what)
{
    return core::Error(QStringLiteral("%1: %2").arg(path, what));
}

// Why the first read of `path` failed, in the words of its cause: a file that is not SQLite, or
// one in a place this user cannot write — a library in WAL mode needs to write beside itself
// (its -shm file) even to be read, and SQLite then says "attempt to write a readonly database".
QString firstReadFailure(const QString& path, const QSqlQuery& q)
{
    const QFileInfo file(path);
    const bool readOnly = QStorageInfo(file.absolutePath()).isReadOnly() || !QFileInfo(file.absolutePath()).isWritable() || !file.isWritable();
    if (readOnly || (q.lastError().nativeErrorCode().toInt() & 0xff) == 8) // SQLITE_READONLY
        return QStringLiteral("the library is read-only here (a read-only folder or mount, or this user's permissions), and SQLite needs "
                              "to write beside it even to read it (%1); use a copy in a folder you can write, or ask its owner to open "
                              "it once where it can be written")
            .arg(q.lastError().databaseText());
    return QStringLiteral("not an SQLite database (%1)").arg(q.lastError().databaseText());
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
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open())
        return failed(path, QStringLiteral("cannot open: %1").arg(db.lastError().text()));
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
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->m_connection);
    if (!db.isValid())
        return failed(path, QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; install libqt6sql6-sqlite"));
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
    if (!db.open())
        return failed(path, QStringLiteral("cannot open the %1: %2").arg(schema.what, db.lastError().text()));
    int appId = 0;
    qint64 version = 0;
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next())
            return failed(path, firstReadFailure(path, q));
        appId = q.value(0).toInt();
        if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
            return failed(path, q.lastError().text());
        version = q.value(0).toLongLong();
    }
    if (appId != 0 && appId != schema.applicationId)
        return failed(path, QStringLiteral("not a BioForge %1 (application_id %2)").arg(schema.what, QString::number(appId)));
    if (auto st = core::checkSchemaVersion(version, int(schema.migrations.size()), schema.what); !st)
        return failed(path, st.error().message());
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

} // namespace bioforge::annotation
