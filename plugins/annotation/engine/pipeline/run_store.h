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
