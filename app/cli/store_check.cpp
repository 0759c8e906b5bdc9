#include "store_check.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace bioforge::cli {

namespace {

void check(StoreCheck& out, QSqlDatabase& db)
{
    if (!db.open()) {
        out.integrity = db.lastError().text();
        return;
    }
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next()) {
        out.integrity = q.lastError().text();
        return;
    }
    out.integrity = q.value(0).toString();
    out.ok = out.integrity == QLatin1String("ok");
    QStringList names;
    if (q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")))
        while (q.next())
            names << q.value(0).toString();
    for (const QString& name : names) {
        QSqlQuery count(db);
        if (count.exec(QStringLiteral("SELECT count(*) FROM \"%1\"").arg(QString(name).replace(QLatin1Char('"'), QStringLiteral("\"\"")))) && count.next())
            out.tables.append({name, count.value(0).toLongLong()});
    }
}

} // namespace

QList<StoreCheck> checkSqliteStores(const QString& folder)
{
    QList<StoreCheck> stores;
    for (const QFileInfo& file : QDir(folder).entryInfoList({QStringLiteral("*.sqlite")}, QDir::Files, QDir::Name)) {
        StoreCheck store{file.fileName(), file.size(), false, {}, {}};
        const QString connection = QStringLiteral("inspect-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(file.absoluteFilePath());
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            check(store, db);
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        stores.append(store);
    }
    return stores;
}

} // namespace bioforge::cli
