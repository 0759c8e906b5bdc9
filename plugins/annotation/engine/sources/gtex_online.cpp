// GTEx Portal API v2 (https://gtexportal.org/api/v2; parameters as the
// rOpenSci gtexr reference documents them): for a batch of genes,
// `GET /reference/gene?geneId=…&geneId=…&gencodeVersion=v26&genomeBuild=GRCh38/hg38`
// gives each gene's versioned GENCODE id (asked by the unversioned Ensembl id
// HGNC gives, or by symbol where there is none), then
// `GET /expression/medianGeneExpression?gencodeId=…&datasetId=gtex_v8&itemsPerPage=…&page=N`
// gives `data[]` rows {gencodeId, tissueSiteDetailId, median, unit}, every
// page of `paging_info` followed. The dataset is gtex_v8 (GENCODE v26), the
// release of the bulk GCT this source imports, so both paths agree; the
// portal states no rate limit and asks for no parallel queries (1/s, one at
// a time: net/host_limiter.cpp).

#include "sources/gtex_source.h"

#include <QDate>
#include <QJsonArray>
#include <QUrlQuery>

namespace bioforge::annotation {
namespace {

constexpr const char* kDataset = "gtex_v8";
constexpr int kItemsPerPage = 10000;

QString base(const OnlineContext& context) { return context.baseUrl(QStringLiteral("gtex"), QStringLiteral("https://gtexportal.org/api/v2")); }

core::Expected<QJsonObject> getObject(const OnlineContext& context, const QUrl& url)
{
    auto answer = getJson(context, url);
    if (!answer)
        return answer.error();
    if (!answer->json.isObject())
        return core::Error(QStringLiteral("%1: expected a JSON object with data[]").arg(displayUrl(url)));
    return answer->json.object();
}

QString unversioned(const QString& gencodeId) { return gencodeId.section(QLatin1Char('.'), 0, 0); }

} // namespace

QString GtexSource::apiHost() const { return QStringLiteral("gtexportal.org"); }
qint64 GtexSource::cacheTtlSeconds() const { return qint64(90) * 86400; } // a fixed dataset

core::Expected<QString> GtexSource::apiRelease(const OnlineContext&) const
{
    // The dataset is fixed by name; the portal serves it unchanged.
    return QStringLiteral("GTEx %1 (Portal API v2)").arg(QLatin1String(kDataset));
}

core::Expected<SourceValue> GtexSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> GtexSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    auto failAll = [&](const core::Error& e) {
        QList<core::Expected<SourceValue>> out;
        for (int i = 0; i < genes.size(); ++i)
            out << core::Expected<SourceValue>(e);
        return out;
    };
    // 1. Versioned GENCODE ids.
    QUrl genesUrl(base(context) + QStringLiteral("/reference/gene"));
    QUrlQuery gq;
    for (const GeneRecord& g : genes)
        gq.addQueryItem(QStringLiteral("geneId"), g.ensemblGeneId.isEmpty() ? g.symbol : g.ensemblGeneId);
    gq.addQueryItem(QStringLiteral("gencodeVersion"), QStringLiteral("v26"));
    gq.addQueryItem(QStringLiteral("genomeBuild"), QStringLiteral("GRCh38/hg38"));
    gq.addQueryItem(QStringLiteral("itemsPerPage"), QString::number(std::max<qsizetype>(250, genes.size() * 4)));
    genesUrl.setQuery(gq);
    auto reference = getObject(context, genesUrl);
    if (!reference)
        return failAll(reference.error());
    // GTEx's API pages its answers: {"data": [...], "paging_info": {...}}. Another JSON behind a 200
    // (an error object, a proxy's page, a wrong mirror path) is no answer, never "no such gene".
    auto pagedShape = [](const QJsonObject& o, const QUrl& url) -> core::Status {
        if (!o.value(QStringLiteral("data")).isArray())
            return core::Error(QStringLiteral("%1: expected GTEx's {\"data\": [...], \"paging_info\": …}, got keys: %2")
                                   .arg(displayUrl(url), o.keys().join(QStringLiteral(", "))));
        return core::okStatus();
    };
    if (core::Status shape = pagedShape(*reference, genesUrl); !shape)
        return failAll(shape.error());
    QHash<QString, QString> gencodeByEnsembl, gencodeBySymbol;
    for (const QJsonValue& dv : reference->value(QStringLiteral("data")).toArray()) {
        const QJsonObject d = dv.toObject();
        const QString gencode = d.value(QStringLiteral("gencodeId")).toString();
        if (gencode.isEmpty())
            continue;
        gencodeByEnsembl.insert(unversioned(gencode), gencode);
        gencodeBySymbol.insert(d.value(QStringLiteral("geneSymbol")).toString(), gencode);
    }
    QStringList gencodeIds;
    QList<QString> chosen; // per gene, its versioned id or empty
    for (const GeneRecord& g : genes) {
        const QString id = g.ensemblGeneId.isEmpty() ? gencodeBySymbol.value(g.symbol) : gencodeByEnsembl.value(g.ensemblGeneId);
        chosen << id;
        if (!id.isEmpty() && !gencodeIds.contains(id))
            gencodeIds << id;
    }
    // 2. Median TPM per tissue, every page.
    QHash<QString, QJsonObject> tpm; // gencode id -> tissue -> median
    QString expressionUrl;
    for (int page = 0, pages = 1; page < pages && !gencodeIds.isEmpty(); ++page) {
        QUrl url(base(context) + QStringLiteral("/expression/medianGeneExpression"));
        QUrlQuery q;
        for (const QString& id : gencodeIds)
            q.addQueryItem(QStringLiteral("gencodeId"), id);
        q.addQueryItem(QStringLiteral("datasetId"), QLatin1String(kDataset));
        q.addQueryItem(QStringLiteral("itemsPerPage"), QString::number(kItemsPerPage));
        q.addQueryItem(QStringLiteral("page"), QString::number(page));
        url.setQuery(q);
        expressionUrl = displayUrl(url);
        auto answer = getObject(context, url);
        if (!answer)
            return failAll(answer.error());
        if (core::Status shape = pagedShape(*answer, url); !shape)
            return failAll(shape.error());
        for (const QJsonValue& dv : answer->value(QStringLiteral("data")).toArray()) {
            const QJsonObject d = dv.toObject();
            const QJsonValue median = d.value(QStringLiteral("median"));
            if (!median.isDouble())
                continue; // NA
            tpm[d.value(QStringLiteral("gencodeId")).toString()].insert(d.value(QStringLiteral("tissueSiteDetailId")).toString(), median.toDouble());
        }
        pages = std::clamp(answer->value(QStringLiteral("paging_info")).toObject().value(QStringLiteral("numberOfPages")).toInt(1), 1, 1000);
    }
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), expressionUrl.isEmpty() ? base(context) : expressionUrl}}};
    QList<core::Expected<SourceValue>> out;
    for (int i = 0; i < genes.size(); ++i) {
        const GeneRecord& g = genes[i];
        SourceValue v;
        v.releases = releases;
        if (chosen[i].isEmpty() || !tpm.contains(chosen[i])) {
            v.error = chosen[i].isEmpty() ? QStringLiteral("GTEx (GENCODE v26) has no gene %1").arg(g.ensemblGeneId.isEmpty() ? g.symbol : g.ensemblGeneId)
                                          : QStringLiteral("GTEx %1 has no expression for %2").arg(QLatin1String(kDataset), chosen[i]);
            out << core::Expected<SourceValue>(v);
            continue;
        }
        v.status = SourceValue::Status::Found;
        v.symbolFallback = g.ensemblGeneId.isEmpty();
        v.joinedOn = v.symbolFallback ? QStringLiteral("symbol %1 (Portal API; fallback: no Ensembl id)").arg(g.symbol)
                                      : QStringLiteral("Ensembl gene %1 = %2 (Portal API)").arg(g.ensemblGeneId, chosen[i]);
        v.value = QJsonObject{{QStringLiteral("gencode_id"), chosen[i]}, {QStringLiteral("symbol"), g.symbol}, {QStringLiteral("median_tpm"), tpm.value(chosen[i])}};
        addGtexSummary(v.value);
        out << core::Expected<SourceValue>(v);
    }
    return out;
}

} // namespace bioforge::annotation
