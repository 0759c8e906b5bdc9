#pragma once

// An SQLite file on one QtSql connection (WAL, foreign keys, busy timeout),
// migrated by numbered statement lists (PRAGMA user_version) and stamped
// with an application id, so a foreign or newer file is refused with a
// message naming it. A connection belongs to the thread that opened it.

#include "util/expected.h"

#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <initializer_list>
#include <map>
#include <memory>

namespace bioforge::annotation {

class SqliteDb {
public:
    ~SqliteDb();
    struct Schema {
        int applicationId = 0;
        QString what;                    // "annotation library", for messages
        QList<QStringList> migrations;   // index 0 = migration 1
    };
    // Opens (creating when missing) and migrates `path`. An existing file where this user cannot
    // write (a shared library on a read-only mount: core::readOnlyPlace) is opened to read only, in
    // SQLite's immutable mode (core/store/sqlite_read_only.h): refused when it is empty, needs a
    // migration or its write-ahead log holds changes; readOnly() is then true and every write fails.
    static core::Expected<std::unique_ptr<SqliteDb>> open(const QString& path, const Schema& schema);
    // Read-only, no migrations (someone else's database, e.g. org.Hs.eg.db); immutable mode where
    // the place cannot be written.
    static core::Expected<std::unique_ptr<SqliteDb>> openReadOnly(const QString& path);
    // Opened to read only (openReadOnly, or open() of a file in a read-only place).
    bool readOnly() const { return m_readOnly; }

    const QString& path() const { return m_path; }
    QSqlDatabase database() const;
    core::Status exec(const QString& sql) const;
    // A prepared statement, or an error naming the SQL and the file.
    core::Expected<QSqlQuery> prepare(const QString& sql) const;
    // A prepared statement kept for reuse on this connection (hot paths).
    core::Expected<QSqlQuery*> statement(const QString& sql);
    // Binds `values` by position and runs it; error names the file.
    core::Status run(QSqlQuery& q, std::initializer_list<QVariant> values) const;
    // Runs a prepared query with its bound values; error names the file.
    core::Status run(QSqlQuery& q) const;
    core::Status begin() const;
    core::Status commit() const;
    void rollback() const;

private:
    SqliteDb() = default;
    static core::Expected<std::unique_ptr<SqliteDb>> openImmutable(std::unique_ptr<SqliteDb> d, const Schema& schema);
    QString m_path, m_connection;
    bool m_readOnly = false;
    std::map<QString, QSqlQuery> m_statements;
};

} // namespace bioforge::annotation
