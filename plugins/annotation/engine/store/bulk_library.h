#pragma once

// The annotation library: providers' bulk files imported once into an
// indexed SQLite file (per user, shared by every project: a ClinVar import
// takes minutes and is the same for all). Each import is a release of one
// (source, part) — e.g. ("ensembl", "gtf") — holding the file's name,
// size, SHA-256, the provider's release string and the import time; its
// rows are values keyed by the source's own id (Ensembl gene, NCBI gene,
// HGNC id, UniProt accession) with the provider's symbol beside them. A new
// import of the same part replaces the old one only when it completes, in
// one transaction: a killed import leaves the previous release in use.
// Identity releases ("hgnc", "orgdb") also fill the gene and name tables
// the resolver reads.

#include "identity/gene_record.h"
#include "store/sqlite_db.h"
#include "util/expected.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>
#include <utility>

namespace bioforge::annotation {

struct ReleaseInfo {
    qint64 id = 0;
    QString source, part;
    QString fileName, filePath, url, sha256;
    qint64 size = 0;
    QString release; // the provider's release: "gnomAD v4.1", "Ensembl 115", "ClinVar 2026-11-24"
    QString lastModified, etag;
    QDateTime importedAt;
    qint64 rows = 0;
    // Set by an import: the active release this one replaced (its rows; -1: none replaced).
    qint64 replacedRows = -1;
    QString replacedRelease;

    QJsonObject toJson() const;
    // When this import replaced a release at least twice its size (a test extract, a transfer
    // that stopped at a line end): a sentence saying so; empty otherwise.
    QString shrinkWarning() const;
};

// Kinds of names a gene is found by, in the order the resolver tries them.
enum class NameKind { Approved = 0, Previous = 1, Alias = 2 };

class BulkLibrary;

// One import under way. Rows go in batched transactions; finish() makes the
// release the active one (and drops the release it replaces).
class BulkWriter {
public:
    ~BulkWriter();
    core::Status put(const QString& id, const QString& symbol, const QJsonObject& value);
    // The value put under `id` in this import so far (to merge or choose between rows).
    core::Expected<std::optional<QJsonObject>> pending(const QString& id);
    core::Status putGene(const GeneRecord& gene);
    qint64 rows() const { return m_rows; }
    qint64 releaseId() const { return m_info.id; }
    // `release`: the provider's release string, known only once the file is read.
    core::Expected<ReleaseInfo> finish(const QString& release);

private:
    friend class BulkLibrary;
    BulkWriter(BulkLibrary& library, ReleaseInfo info) : m_library(library), m_info(std::move(info)) {}
    core::Status flushIfDue();
    BulkLibrary& m_library;
    ReleaseInfo m_info;
    qint64 m_rows = 0, m_inTransaction = 0;
    bool m_finished = false;
};

class BulkLibrary {
public:
    static constexpr int kApplicationId = 0x4246414E; // "BFAN"
    static core::Expected<std::unique_ptr<BulkLibrary>> open(const QString& path);
    // <dataDir>/annotation/library.sqlite
    static QString defaultPath(const QString& dataDir);
    const QString& path() const { return m_db->path(); }

    // The error for an import into a library opened read-only (SqliteDb::open in a place this user
    // cannot write): names `path`, what was to be imported and the ways out; kind Io.
    static core::Error readOnlyError(const QString& path, const QString& what);
    // Starts an import of (source, part); an earlier unfinished import of it is removed; refused
    // (readOnlyError) when the library is read-only.
    core::Expected<std::unique_ptr<BulkWriter>> beginImport(ReleaseInfo draft);
    core::Expected<std::optional<ReleaseInfo>> activeRelease(const QString& source, const QString& part) const;
    core::Expected<QList<ReleaseInfo>> activeReleases() const;

    core::Expected<std::optional<QJsonObject>> value(qint64 releaseId, const QString& id) const;
    // The provider symbol stored with `id` (no value parsed); empty when absent.
    core::Expected<QString> symbolOf(qint64 releaseId, const QString& id) const;
    // The same for many ids in one query: id -> symbol for those present.
    core::Expected<QHash<QString, QString>> symbolsOf(qint64 releaseId, const QStringList& ids) const;
    // Values whose provider symbol is `symbol` (case-sensitive as the provider writes it).
    core::Expected<QList<std::pair<QString, QJsonObject>>> valuesBySymbol(qint64 releaseId, const QString& symbol) const;

    // Identity tables of an identity release.
    core::Expected<std::optional<GeneRecord>> gene(qint64 releaseId, const QString& key) const;
    core::Expected<QStringList> keysByName(qint64 releaseId, const QString& name, NameKind kind) const;
    // column: "hgnc_id", "ncbi_id" or "ensembl_id"
    core::Expected<QStringList> keysById(qint64 releaseId, const QString& column, const QString& id) const;
    core::Expected<qint64> geneCount(qint64 releaseId) const;

    SqliteDb& db() const { return *m_db; }

private:
    BulkLibrary() = default;
    std::unique_ptr<SqliteDb> m_db;
};

} // namespace bioforge::annotation
