#pragma once

// One gene as the identity layer knows it: an HGNC record (HGNC complete
// set, https://www.genenames.org/download/archive/) or, where HGNC's file is
// not imported, an NCBI Gene record from Bioconductor's org.Hs.eg.db. Every
// source joins on the ids held here (Ensembl gene, NCBI gene, UniProt), the
// symbol only as a fallback that results mark.

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bioforge::annotation {

enum class IdentityAuthority { Hgnc, NcbiGene };

struct GeneRecord {
    // "HGNC:9008", or "NCBIGene:5310" for a record that only NCBI Gene holds.
    QString key;
    QString hgncId;       // "HGNC:9008"; empty without HGNC
    QString symbol;       // approved symbol
    QString name;
    QString status;       // HGNC: "Approved"; NCBI Gene: "live"
    QString locusGroup;   // HGNC locus_group, e.g. "protein-coding gene"
    QString locusType;    // HGNC locus_type / NCBI gene type
    QString location;     // cytogenetic band, e.g. "16p13.3"
    QString ncbiGeneId;   // "5310"
    QString ensemblGeneId; // "ENSG00000008710", unversioned
    QStringList uniprotIds, omimIds, refseqAccessions;
    QStringList previousSymbols, aliasSymbols;
    QString maneSelectEnsembl; // "ENST00000262304.9"
    QString maneSelectRefseq;  // "NM_001009944.3"
    QString dateModified;      // HGNC date_modified, ISO date

    QJsonObject toJson() const;
    static GeneRecord fromJson(const QJsonObject& o);
};

// A withdrawn HGNC entry (withdrawn.txt): the symbol is no longer a gene's;
// `mergedInto` names approved records it went into, if any.
struct WithdrawnSymbol {
    QString hgncId, symbol, status; // status: "Entry Withdrawn" or "Merged/Split"
    QStringList mergedInto;         // approved symbols
};

} // namespace bioforge::annotation
