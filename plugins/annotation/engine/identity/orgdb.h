#pragma once

// Bioconductor's org.Hs.eg.db (Debian: r-bioc-org.hs.eg.db): NCBI Gene for
// human as one SQLite file (AnnotationDbi's HUMAN_DB schema 2.1: tables
// genes, gene_info, alias, ensembl, uniprot, omim, refseq,
// cytogenetic_locations, chromosome_locations, genetype, go_bp/cc/mf,
// pubmed; `metadata` holds each source's date, e.g. EGSOURCEDATE
// 2022-Sep12). Read in place, read-only: as an identity authority when
// HGNC's file is not imported, and as an annotation source (GO terms,
// literature, location) keyed by NCBI gene id.

#include "identity/gene_record.h"
#include "identity/hgnc_reader.h"
#include "store/sqlite_db.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QMap>

#include <memory>
#include <optional>

namespace bioforge::annotation {

class OrgDb {
public:
    // Where R installs it (R_LIBS_USER, /usr/local/lib/R/site-library, /usr/lib/R/site-library); empty when absent.
    static QString findInstalled();
    static core::Expected<std::unique_ptr<OrgDb>> open(const QString& sqlitePath);

    const QString& path() const { return m_db->path(); }
    // "org.Hs.eg.db 3.16.0 (NCBI Gene 2022-Sep12)"; the package version when its DESCRIPTION is beside.
    QString release() const;
    QMap<QString, QString> metadata() const { return m_metadata; }

    // Every gene as a record keyed "NCBIGene:<id>" (aliases without the symbol itself).
    core::Status forEachGene(const std::function<core::Status(const GeneRecord&)>& each, const StreamControl& control = {}) const;
    // GO terms by ontology, PubMed count and newest PMIDs, location, gene type; nullopt when the id is unknown.
    core::Expected<std::optional<QJsonObject>> annotation(const QString& ncbiGeneId) const;

private:
    OrgDb() = default;
    std::unique_ptr<SqliteDb> m_db;
    QMap<QString, QString> m_metadata;
    QString m_packageVersion;
};

} // namespace bioforge::annotation
