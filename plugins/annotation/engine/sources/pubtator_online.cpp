// PubTator3's search API (https://www.ncbi.nlm.nih.gov/research/pubtator3-api;
// "no more than three requests per second"): publications that annotate the
// gene, asked as the entity `@GENE_<symbol>`, newest first; `count` is the
// publication count, the first page gives the newest PMIDs and, from each
// result's `text_hl` markup, the texts that name the gene (hyphenated
// symbols such as HLA-B kept whole). The API states no release: the query's
// date is the release.

#include "sources/pubtator_source.h"

#include <QDate>
#include <QJsonArray>
#include <QUrlQuery>

namespace bioforge::annotation {

QString PubtatorSource::apiHost() const { return QStringLiteral("www.ncbi.nlm.nih.gov"); }
qint64 PubtatorSource::cacheTtlSeconds() const { return qint64(30) * 86400; }

core::Expected<QString> PubtatorSource::apiRelease(const OnlineContext&) const
{
    return QStringLiteral("PubTator3 API, queried %1").arg(QDate::currentDate().toString(Qt::ISODate));
}

core::Expected<SourceValue> PubtatorSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    QUrl url(context.baseUrl(id(), QStringLiteral("https://www.ncbi.nlm.nih.gov/research/pubtator3-api")) + QStringLiteral("/search/"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("text"), QStringLiteral("@GENE_") + gene.symbol);
    q.addQueryItem(QStringLiteral("sort"), QStringLiteral("date desc"));
    q.addQueryItem(QStringLiteral("page"), QStringLiteral("1"));
    url.setQuery(q);
    auto answer = getJson(context, url);
    if (!answer)
        return answer.error();
    SourceValue v;
    v.releases = QJsonArray{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                        {QStringLiteral("url"), displayUrl(url)}}};
    const QJsonObject o = answer->json.object();
    // A search answer has its "count" and "results" (PubTator3 search API): another JSON behind a 200
    // (an error object, a proxy's page) is no answer — it read as "found, 0 publications".
    if (!o.value(QStringLiteral("count")).isDouble() || !o.value(QStringLiteral("results")).isArray())
        return core::Error(QStringLiteral("%1: expected PubTator3's search answer {\"count\": N, \"results\": [...]}, got keys: %2")
                               .arg(displayUrl(url), o.keys().join(QStringLiteral(", "))));
    QList<qint64> pmids;
    QHash<QString, qint64> mentions;
    for (const QJsonValue& rv : o.value(QStringLiteral("results")).toArray()) {
        const QJsonObject result = rv.toObject();
        pmids << result.value(QStringLiteral("pmid")).toInteger();
        for (const PubtatorMention& m : parsePubtatorGeneHighlights(result.value(QStringLiteral("text_hl")).toString()))
            if (m.ncbiGeneId == gene.ncbiGeneId || m.symbol.compare(gene.symbol, Qt::CaseInsensitive) == 0)
                ++mentions[m.text];
    }
    std::sort(pmids.begin(), pmids.end(), std::greater<>());
    QJsonArray newest, top;
    for (qint64 p : pmids.mid(0, 20))
        newest.append(p);
    QList<std::pair<qint64, QString>> m;
    for (auto it = mentions.begin(); it != mentions.end(); ++it)
        m.append({it.value(), it.key()});
    std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (const auto& [n, text] : m.mid(0, 5))
        top.append(QJsonObject{{QStringLiteral("text"), text}, {QStringLiteral("count"), n}});
    v.status = SourceValue::Status::Found;
    v.joinedOn = QStringLiteral("entity @GENE_%1 (search API; by symbol)").arg(gene.symbol);
    v.symbolFallback = true;
    v.value = QJsonObject{{QStringLiteral("publication_count"), o.value(QStringLiteral("count")).toInteger(0)},
                          {QStringLiteral("newest_pmids"), newest},
                          {QStringLiteral("top_mentions"), top}};
    return v;
}

} // namespace bioforge::annotation
