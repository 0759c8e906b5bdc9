#include "sources/hgnc_source.h"

#include <QFileInfo>
#include <QUrl>

#include <tuple>

namespace bioforge::annotation {

QString HgncSource::id() const { return QStringLiteral("hgnc"); }
QString HgncSource::title() const { return QStringLiteral("HGNC"); }

QList<BulkPart> HgncSource::parts() const
{
    return {{QStringLiteral("genes"), QStringLiteral("hgnc_complete_set.json or .txt (genenames.org downloads, or storage.googleapis.com/public-download-files/hgnc)"), true, QStringLiteral("https://storage.googleapis.com/public-download-files/hgnc/json/json/hgnc_complete_set.json")},
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
    // What was looked for, and the table a lab most often has saved (genenames.org's custom
    // download: columns the user chose, 'HGNC ID', 'Approved symbol', …), which is not read.
    const QString first = QString::fromUtf8(h.left(h.indexOf('\n') < 0 ? 60 : std::min<qsizetype>(60, h.indexOf('\n')))).trimmed().replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    QString message = unknownPart(*this, path).message()
                      + QStringLiteral(". Its first line starts '%1'; HGNC's genes file starts with '{' (JSON) or a header starting 'hgnc_id' (TSV), "
                                       "withdrawn.txt with 'HGNC_ID\\tSTATUS\\tWITHDRAWN_SYMBOL'")
                            .arg(first);
    if (h.startsWith("HGNC ID\t"))
        message += QStringLiteral(". This looks like a genenames.org custom download (columns chosen by hand): it is not read; download "
                                  "hgnc_complete_set.txt (bioforge annotation download hgnc)");
    return core::Error(message);
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
    const QString genes = QStringLiteral("genes");
    if (!gene.hgncId.isEmpty() && view.has(genes)) { // the identity is HGNC's own record
        v.status = SourceValue::Status::Found;
        v.joinedOn = QStringLiteral("HGNC id %1").arg(gene.hgncId);
        v.value = gene.toJson();
        v.value.remove(QStringLiteral("key"));
        return v;
    }
    if (!view.has(genes)) {
        v.error = QStringLiteral("HGNC's complete set is not imported (bioforge annotation import-bulk hgnc hgnc_complete_set.txt)");
        return v;
    }
    // An identity from NCBI Gene (--identity orgdb, or a gene HGNC's set lacks): HGNC's record of the
    // same NCBI Gene id, else of the same Ensembl gene; one record only (HGNC maps each id once).
    for (const auto& [column, id, said] : {std::tuple{QStringLiteral("ncbi_id"), gene.ncbiGeneId, QStringLiteral("NCBI Gene id")},
                                           std::tuple{QStringLiteral("ensembl_id"), gene.ensemblGeneId, QStringLiteral("Ensembl gene")}}) {
        auto found = view.genesById(genes, column, id);
        if (!found)
            return found.error();
        if (found->size() > 1) {
            QStringList ids;
            for (const GeneRecord& g : *found)
                ids << QStringLiteral("%1 (%2)").arg(g.hgncId, g.symbol);
            v.error = QStringLiteral("HGNC's complete set gives %1 %2 to %3 records: %4").arg(said, id).arg(found->size()).arg(ids.join(QStringLiteral(", ")));
            return v;
        }
        // Found by Ensembl gene, HGNC's record must not name another NCBI gene (org.Hs.eg.db gives one
        // Ensembl id to a readthrough or LOC gene HGNC lacks and to the approved gene beside it).
        if (found->size() == 1 && column == QLatin1String("ensembl_id") && !gene.ncbiGeneId.isEmpty() && !found->first().ncbiGeneId.isEmpty()
            && found->first().ncbiGeneId != gene.ncbiGeneId) {
            v.error = QStringLiteral("HGNC's complete set has no gene with NCBI Gene id %1; its record of %2 %3 is %4 (%5, NCBI Gene id %6), another gene")
                          .arg(gene.ncbiGeneId, said, id, found->first().hgncId, found->first().symbol, found->first().ncbiGeneId);
            return v;
        }
        if (found->size() == 1) {
            v.status = SourceValue::Status::Found;
            v.joinedOn = QStringLiteral("%1 %2").arg(said, id);
            v.value = found->first().toJson();
            v.value.remove(QStringLiteral("key"));
            return v;
        }
    }
    QStringList looked;
    if (!gene.ncbiGeneId.isEmpty())
        looked << QStringLiteral("NCBI Gene id %1").arg(gene.ncbiGeneId);
    if (!gene.ensemblGeneId.isEmpty())
        looked << QStringLiteral("Ensembl gene %1").arg(gene.ensemblGeneId);
    v.error = looked.isEmpty() ? QStringLiteral("the gene has no HGNC, NCBI Gene or Ensembl id to join HGNC's complete set on")
                               : QStringLiteral("HGNC's complete set has no gene with %1").arg(looked.join(QStringLiteral(" or ")));
    return v;
}

QStringList HgncSource::tableColumns() const
{
    return {QStringLiteral("hgnc_id"), QStringLiteral("name"), QStringLiteral("locus_type"), QStringLiteral("location"), QStringLiteral("ncbi_gene_id"),
            QStringLiteral("ensembl_gene_id"), QStringLiteral("uniprot_ids"), QStringLiteral("omim_ids"), QStringLiteral("mane_select_refseq")};
}

// HGNC REST (https://www.genenames.org/help/rest/): JSON only with
// `Accept: application/json`; `fetch/{field}/{term}` returns every stored
// field in the bulk file's doc shape; `info` says when the data changed.
QString HgncSource::apiHost() const { return QStringLiteral("rest.genenames.org"); }
qint64 HgncSource::cacheTtlSeconds() const { return qint64(7) * 86400; }

core::Expected<QString> HgncSource::apiRelease(const OnlineContext& context) const
{
    HttpRequest r;
    r.url = QUrl(context.baseUrl(id(), QStringLiteral("https://rest.genenames.org")) + QStringLiteral("/info"));
    r.expect = HttpRequest::Expect::Json;
    auto info = context.http->send(r, context.stop);
    if (!info)
        return info.error();
    const QString modified = info->json.object().value(QStringLiteral("lastModified")).toString();
    if (info->status != 200 || modified.isEmpty())
        return core::Error(QStringLiteral("HGNC REST /info: no lastModified (HTTP %1)").arg(info->status));
    return QStringLiteral("HGNC REST, data modified %1").arg(modified);
}

core::Expected<SourceValue> HgncSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    const QString base = context.baseUrl(id(), QStringLiteral("https://rest.genenames.org"));
    HttpRequest r;
    r.expect = HttpRequest::Expect::Json;
    QString joined;
    if (!gene.hgncId.isEmpty()) {
        r.url = QUrl(base + QStringLiteral("/fetch/hgnc_id/") + gene.hgncId.mid(5));
        joined = QStringLiteral("HGNC id %1 (REST)").arg(gene.hgncId);
    } else {
        r.url = QUrl(base + QStringLiteral("/fetch/symbol/") + QString::fromLatin1(QUrl::toPercentEncoding(gene.symbol)));
        joined = QStringLiteral("symbol %1 (REST; fallback: no HGNC id)").arg(gene.symbol);
    }
    auto answer = context.http->send(r, context.stop);
    if (!answer)
        return answer.error();
    SourceValue v;
    v.releases = QJsonArray{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                        {QStringLiteral("url"), displayUrl(r.url)}}};
    const QJsonArray docs = answer->json.object().value(QStringLiteral("response")).toObject().value(QStringLiteral("docs")).toArray();
    if (answer->status == 404 || docs.isEmpty()) {
        v.error = QStringLiteral("HGNC REST has no record for %1").arg(gene.hgncId.isEmpty() ? gene.symbol : gene.hgncId);
        return v;
    }
    GeneRecord record = geneFromHgncDoc(docs.first().toObject());
    v.status = SourceValue::Status::Found;
    v.joinedOn = joined;
    v.symbolFallback = gene.hgncId.isEmpty();
    v.value = record.toJson();
    v.value.remove(QStringLiteral("key"));
    return v;
}

} // namespace bioforge::annotation
