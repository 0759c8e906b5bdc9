#include "sources/hgnc_source.h"

#include <QFileInfo>

namespace bioforge::annotation {

QString HgncSource::id() const { return QStringLiteral("hgnc"); }
QString HgncSource::title() const { return QStringLiteral("HGNC"); }

QList<BulkPart> HgncSource::parts() const
{
    return {{QStringLiteral("genes"), QStringLiteral("hgnc_complete_set.json or .txt (genenames.org downloads, or storage.googleapis.com/public-download-files/hgnc)"), true},
            {QStringLiteral("withdrawn"), QStringLiteral("withdrawn.txt: withdrawn symbols and what they were merged into"), false}};
}

core::Expected<QString> HgncSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QByteArray h = head->trimmed();
    if (h.startsWith("HGNC_ID\tSTATUS\tWITHDRAWN_SYMBOL"))
        return QStringLiteral("withdrawn");
    if (h.startsWith('{') || h.startsWith("hgnc_id\t"))
        return QStringLiteral("genes");
    return unknownPart(*this, path);
}

core::Expected<QString> HgncSource::importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    if (part == QLatin1String("withdrawn")) {
        auto st = readHgncWithdrawn(path, [&](const WithdrawnSymbol& w) {
            return writer.put(w.hgncId, w.symbol.toUpper(),
                              QJsonObject{{QStringLiteral("symbol"), w.symbol}, {QStringLiteral("status"), w.status},
                                          {QStringLiteral("merged_into"), QJsonArray::fromStringList(w.mergedInto)}});
        });
        if (!st)
            return st.error();
        return QStringLiteral("HGNC withdrawn symbols (%1)").arg(fileRelease(path));
    }
    auto newest = readHgncCompleteSet(path, [&](const GeneRecord& g) { return writer.putGene(g); }, control);
    if (!newest)
        return newest.error();
    return newest->isEmpty() ? QStringLiteral("HGNC complete set (%1)").arg(fileRelease(path))
                             : QStringLiteral("HGNC complete set, records modified up to %1").arg(*newest);
}

core::Expected<SourceValue> HgncSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    if (gene.hgncId.isEmpty() || !view.has(QStringLiteral("genes"))) {
        v.error = QStringLiteral("the identity comes from NCBI Gene (org.Hs.eg.db); HGNC's complete set is not imported");
        return v;
    }
    v.status = SourceValue::Status::Found;
    v.joinedOn = QStringLiteral("HGNC id %1").arg(gene.hgncId);
    v.value = gene.toJson();
    v.value.remove(QStringLiteral("key"));
    return v;
}

QStringList HgncSource::tableColumns() const
{
    return {QStringLiteral("hgnc_id"), QStringLiteral("name"), QStringLiteral("locus_type"), QStringLiteral("location"), QStringLiteral("ncbi_gene_id"),
            QStringLiteral("ensembl_gene_id"), QStringLiteral("uniprot_ids"), QStringLiteral("omim_ids"), QStringLiteral("mane_select_refseq")};
}

} // namespace bioforge::annotation
