#include "identity/gene_record.h"

#include <QJsonArray>

namespace bioforge::annotation {
namespace {

void put(QJsonObject& o, const char* name, const QString& v)
{
    if (!v.isEmpty())
        o.insert(QLatin1String(name), v);
}

void put(QJsonObject& o, const char* name, const QStringList& v)
{
    if (!v.isEmpty())
        o.insert(QLatin1String(name), QJsonArray::fromStringList(v));
}

QStringList list(const QJsonObject& o, const char* name)
{
    QStringList out;
    for (const QJsonValue& v : o.value(QLatin1String(name)).toArray())
        out << v.toString();
    return out;
}

} // namespace

QJsonObject GeneRecord::toJson() const
{
    QJsonObject o;
    put(o, "key", key);
    put(o, "hgnc_id", hgncId);
    put(o, "symbol", symbol);
    put(o, "name", name);
    put(o, "status", status);
    put(o, "locus_group", locusGroup);
    put(o, "locus_type", locusType);
    put(o, "location", location);
    put(o, "ncbi_gene_id", ncbiGeneId);
    put(o, "ensembl_gene_id", ensemblGeneId);
    put(o, "uniprot_ids", uniprotIds);
    put(o, "omim_ids", omimIds);
    put(o, "refseq_accessions", refseqAccessions);
    put(o, "prev_symbols", previousSymbols);
    put(o, "alias_symbols", aliasSymbols);
    put(o, "mane_select_ensembl", maneSelectEnsembl);
    put(o, "mane_select_refseq", maneSelectRefseq);
    put(o, "date_modified", dateModified);
    return o;
}

GeneRecord GeneRecord::fromJson(const QJsonObject& o)
{
    GeneRecord r;
    r.key = o.value(QLatin1String("key")).toString();
    r.hgncId = o.value(QLatin1String("hgnc_id")).toString();
    r.symbol = o.value(QLatin1String("symbol")).toString();
    r.name = o.value(QLatin1String("name")).toString();
    r.status = o.value(QLatin1String("status")).toString();
    r.locusGroup = o.value(QLatin1String("locus_group")).toString();
    r.locusType = o.value(QLatin1String("locus_type")).toString();
    r.location = o.value(QLatin1String("location")).toString();
    r.ncbiGeneId = o.value(QLatin1String("ncbi_gene_id")).toString();
    r.ensemblGeneId = o.value(QLatin1String("ensembl_gene_id")).toString();
    r.uniprotIds = list(o, "uniprot_ids");
    r.omimIds = list(o, "omim_ids");
    r.refseqAccessions = list(o, "refseq_accessions");
    r.previousSymbols = list(o, "prev_symbols");
    r.aliasSymbols = list(o, "alias_symbols");
    r.maneSelectEnsembl = o.value(QLatin1String("mane_select_ensembl")).toString();
    r.maneSelectRefseq = o.value(QLatin1String("mane_select_refseq")).toString();
    r.dateModified = o.value(QLatin1String("date_modified")).toString();
    return r;
}

} // namespace bioforge::annotation
