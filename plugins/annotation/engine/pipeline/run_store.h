#pragma once

// A run's durable state, in its checkpoint folder (progress.sqlite): the
// resolution of every input, fixed at the run's start so a resume annotates
// the same genes, and one row per (source, gene) holding the value with its
// releases and fetch time. The row is the completion record: a value and
// its "done" are one INSERT in one transaction, so pause, kill -9 and
// resume lose nothing and redo nothing stored.

#include "identity/gene_resolver.h"
#include "sources/annotation_source.h"
#include "store/sqlite_db.h"

#include <QDateTime>
#include <QSet>

#include <memory>
#include <optional>

namespace bioforge::annotation {

struct StoredValue {
    QString source, geneKey;
    SourceValue value;
    QDateTime fetchedAt;
    int attempts = 1;
};

class RunStore {
public:
    static constexpr int kApplicationId = 0x42464152; // "BFAR"
    static core::Expected<std::unique_ptr<RunStore>> open(const QString& path);
    // As open(), after SQLite's PRAGMA quick_check: a store that is damaged (a bad sector, a copy cut
    // short; or no SQLite file at all) is moved aside (PATH.damaged-TIME, its -wal and -shm too) and
    // a new one made, `note` saying so: the run starts again from its gene list (pinned when it
    // began) instead of failing on every resume with SQLite's words (trial 24 T24-20). A store that
    // cannot be opened for another reason (busy, unreadable) is an error.
    static core::Expected<std::unique_ptr<RunStore>> openChecked(const QString& path, QString* note);

    core::Expected<QList<Resolution>> resolutions() const;
    core::Status saveResolutions(const QList<Resolution>& all);

    // (source, gene) pairs stored with a value (found or absent), as "source\tkey".
    core::Expected<QSet<QString>> done() const;
    // Stores values in one transaction.
    core::Status store(const QList<StoredValue>& values);
    // The stored value of one (source, gene), if any.
    core::Expected<std::optional<StoredValue>> value(const QString& source, const QString& geneKey) const;
    core::Expected<qint64> count() const;

private:
    RunStore() = default;
    std::unique_ptr<SqliteDb> m_db;
};

} // namespace bioforge::annotation
