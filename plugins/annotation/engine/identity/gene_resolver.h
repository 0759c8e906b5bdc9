#pragma once

// Every input of a gene list to one gene record, or a reason why not.
// Order (HGNC's own precedence): an id (HGNC:n, an Ensembl gene id with or
// without version, an NCBI gene id as digits) by that id; a symbol as the
// approved symbol, then as a previous symbol, then as an alias — case-
// insensitive, the exact case preferred. A name that matches several
// genes at the first kind it matches is refused as ambiguous, its
// candidates listed, never guessed. A withdrawn HGNC symbol is reported
// with what it was merged into. Identity comes from HGNC's complete set
// when imported, else from org.Hs.eg.db (NCBI Gene).

#include "identity/gene_record.h"
#include "store/bulk_library.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace bioforge::annotation {

enum class ResolutionStatus { Resolved, Ambiguous, Unknown, Withdrawn, Duplicate };
QString statusName(ResolutionStatus s);

struct Resolution {
    QString input;
    qint64 line = 0;
    ResolutionStatus status = ResolutionStatus::Unknown;
    QString via;          // "approved symbol", "previous symbol", "alias", "HGNC id", "Ensembl gene id", "NCBI gene id"
    QString key;          // the gene's key when resolved (or the first line's gene for a duplicate)
    QString symbol;       // its approved symbol
    QStringList candidates; // ambiguous: the genes the name matches ("SYMBOL (HGNC:n)")
    QString reason;       // for the resolution table: why not resolved, or how
};

class GeneResolver {
public:
    // HGNC's complete set has over 40,000 records: fewer than this is an extract (a demo panel, a
    // genenames.org custom download), whose other genes are 'unknown'.
    static constexpr qint64 kExtractRows = 20000;
    // The identity release as a summary names it, from summary.json's "identity" (ReleaseInfo::toJson):
    // its release text, and "(an extract of N genes)" for an HGNC extract (the run's warning says it
    // far below; the summary read "Identities from HGNC complete set" of a 33-gene panel).
    static QString describeIdentity(const QJsonObject& identity);

    // Picks the identity release: HGNC's when imported, else org.Hs.eg.db's.
    // `authority`: "hgnc", "orgdb" or "" (either).
    static core::Expected<GeneResolver> open(const BulkLibrary& library, const QString& authority = {});
    const ReleaseInfo& release() const { return m_release; }

    core::Expected<Resolution> resolve(const QString& input) const;
    // The identity set is an extract (a few genes of HGNC's complete set): a name that is only an
    // alias or a previous symbol there may be another gene's own symbol in the whole set ("AGT" is
    // an alias of AGXT in an extract without AGT). `complete` (a complete set of another source,
    // org.Hs.eg.db) is asked: a name it holds as the approved symbol of another gene is Ambiguous,
    // naming both; without one, such names resolve as before (the run warns of them).
    void setExtract(std::optional<ReleaseInfo> complete)
    {
        m_extract = true;
        m_complete = std::move(complete);
    }
    core::Expected<std::optional<GeneRecord>> record(const QString& key) const { return m_library->gene(m_release.id, key); }
    // The symbol a spreadsheet turned into the date `input` shows ("1-Mar", "Sep-2", "2-Sep-2024",
    // "1-DEC": MARCH1, SEPT2, SEPT2, DEC1), or empty when it is no such date.
    static QString spreadsheetDateSymbol(const QString& input);
    // What an unresolved input looks like when it is an identifier of something other than a gene,
    // as a hint for the reason: a GENCODE "_PAR_Y" Ensembl gene id (the Y copy of a
    // pseudoautosomal gene: give the id without the suffix), an Ensembl transcript or protein id
    // (ENST…, ENSP…), a RefSeq transcript or protein accession (NM_, NR_, XM_, XR_, NP_, XP_).
    // Empty when it looks like none.
    static QString accessionHint(const QString& input);

private:
    GeneResolver() = default;
    core::Expected<Resolution> byName(Resolution r) const;
    core::Expected<QString> label(const QString& key) const;
    const BulkLibrary* m_library = nullptr;
    ReleaseInfo m_release;
    std::optional<ReleaseInfo> m_withdrawn;
    bool m_extract = false;
    std::optional<ReleaseInfo> m_complete;
};

} // namespace bioforge::annotation
