// ClinVar through NCBI E-utilities (https://www.ncbi.nlm.nih.gov/books/NBK25499/):
// esearch db=clinvar term=SYMBOL[gene] gives the VariationIDs (paged by
// retstart), esummary gives each variation's germline classification,
// review status, type, traits and name, in batches of 200 ids; einfo's
// lastupdate dates the database. The counts are the bulk path's (the same
// tally, the same term mapping).

#include "sources/clinvar_source.h"
#include "sources/clinvar_tally.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

namespace bioforge::annotation {
namespace {

constexpr int kSearchPage = 5000;
constexpr int kSummaryBatch = 200;

QString eutils(const OnlineContext& context) { return context.baseUrl(QStringLiteral("clinvar"), QStringLiteral("https://eutils.ncbi.nlm.nih.gov/entrez/eutils")); }

HttpRequest request(const QString& base, const QString& tool, const QList<std::pair<QString, QString>>& items)
{
    QUrl url(base + QLatin1Char('/') + tool);
    QUrlQuery q;
    for (const auto& [k, v] : items)
        q.addQueryItem(k, v);
    q.addQueryItem(QStringLiteral("retmode"), QStringLiteral("json"));
    q.addQueryItem(QStringLiteral("tool"), QStringLiteral("bioforge-workbench")); // NCBI asks tools to name themselves
    url.setQuery(q);
    HttpRequest r;
    r.url = url;
    r.expect = HttpRequest::Expect::Json;
    return r;
}

} // namespace

QString ClinvarSource::apiHost() const { return QStringLiteral("eutils.ncbi.nlm.nih.gov"); }
qint64 ClinvarSource::cacheTtlSeconds() const { return qint64(7) * 86400; }

core::Expected<QString> ClinvarSource::apiRelease(const OnlineContext& context) const
{
    auto info = context.http->send(request(eutils(context), QStringLiteral("einfo.fcgi"), {{QStringLiteral("db"), QStringLiteral("clinvar")}}), context.stop);
    if (!info)
        return info.error();
    const QJsonValue dbinfo = info->json.object().value(QStringLiteral("einforesult")).toObject().value(QStringLiteral("dbinfo"));
    const QJsonObject db = dbinfo.isArray() ? dbinfo.toArray().first().toObject() : dbinfo.toObject();
    const QString updated = db.value(QStringLiteral("lastupdate")).toString();
    if (updated.isEmpty())
        return core::Error(QStringLiteral("E-utilities einfo db=clinvar: no lastupdate (HTTP %1)").arg(info->status));
    return QStringLiteral("ClinVar (E-utilities), updated %1").arg(updated);
}

core::Expected<SourceValue> ClinvarSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    const QString base = eutils(context);
    SourceValue v;
    v.releases = QJsonArray{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                        {QStringLiteral("url"), base}}};
    // The VariationIDs naming the gene, page by page.
    QStringList ids;
    qint64 count = 0;
    do {
        auto search = context.http->send(request(base, QStringLiteral("esearch.fcgi"),
                                                 {{QStringLiteral("db"), QStringLiteral("clinvar")},
                                                  {QStringLiteral("term"), gene.symbol + QStringLiteral("[gene]")},
                                                  {QStringLiteral("retstart"), QString::number(ids.size())},
                                                  {QStringLiteral("retmax"), QString::number(kSearchPage)}}),
                                         context.stop);
        if (!search)
            return search.error();
        const QJsonObject result = search->json.object().value(QStringLiteral("esearchresult")).toObject();
        count = result.value(QStringLiteral("count")).toString().toLongLong();
        const QJsonArray page = result.value(QStringLiteral("idlist")).toArray();
        if (page.isEmpty())
            break;
        for (const QJsonValue& id : page)
            ids << id.toString();
    } while (ids.size() < count);
    Interned texts;
    GeneTally tally;
    tally.symbol = gene.symbol;
    for (qsizetype at = 0; at < ids.size(); at += kSummaryBatch) {
        auto summary = context.http->send(request(base, QStringLiteral("esummary.fcgi"),
                                                  {{QStringLiteral("db"), QStringLiteral("clinvar")},
                                                   {QStringLiteral("id"), ids.mid(at, kSummaryBatch).join(QLatin1Char(','))}}),
                                          context.stop);
        if (!summary)
            return summary.error();
        const QJsonObject result = summary->json.object().value(QStringLiteral("result")).toObject();
        for (const QJsonValue& uid : result.value(QStringLiteral("uids")).toArray()) {
            const QJsonObject doc = result.value(uid.toString()).toObject();
            // 2024 on: germline_classification; before: clinical_significance.
            QJsonObject cls = doc.value(QStringLiteral("germline_classification")).toObject();
            if (cls.isEmpty())
                cls = doc.value(QStringLiteral("clinical_significance")).toObject();
            QList<int> traits;
            for (const QJsonValue& t : cls.value(QStringLiteral("trait_set")).toArray()) {
                const QString name = t.toObject().value(QStringLiteral("trait_name")).toString();
                if (!name.isEmpty() && name != QLatin1String("not provided") && name != QLatin1String("not specified"))
                    traits << texts.id(name);
            }
            const QString title = doc.value(QStringLiteral("title")).toString();
            tally.add(uid.toString().toUInt(), classifyClinicalSignificance(cls.value(QStringLiteral("description")).toString().toUtf8()),
                      clinvarReviewStars(cls.value(QStringLiteral("review_status")).toString().toUtf8()),
                      int(consequenceNames().indexOf(consequenceFromHgvs(title.toUtf8()))), texts.id(doc.value(QStringLiteral("obj_type")).toString()), traits,
                      title);
        }
    }
    v.status = SourceValue::Status::Found; // no variation is a real zero
    v.joinedOn = QStringLiteral("symbol %1 (E-utilities [gene] search)").arg(gene.symbol);
    v.symbolFallback = true;
    v.value = tally.toJson(texts);
    if (!gene.ncbiGeneId.isEmpty())
        v.value.insert(QStringLiteral("ncbi_gene_id"), gene.ncbiGeneId);
    return v;
}

} // namespace bioforge::annotation
