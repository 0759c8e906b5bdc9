#pragma once

// The SQLite stores a run keeps beside its checkpoint entries (the annotate run's
// progress.sqlite: its resolution and one row per source and gene), checked for
// `bioforge inspect`: SQLite's own PRAGMA quick_check, and each table's rows.

#include <QList>
#include <QString>

#include <utility>

namespace bioforge::cli {

struct StoreCheck {
    QString file;   // its name in the folder
    qint64 bytes = 0;
    bool ok = false;
    QString integrity; // quick_check's first answer ("ok"), or why it could not be opened
    QList<std::pair<QString, qint64>> tables; // name, rows
};

// Every *.sqlite at the top of `folder`, opened read-only (never created, never written).
QList<StoreCheck> checkSqliteStores(const QString& folder);

} // namespace bioforge::cli
