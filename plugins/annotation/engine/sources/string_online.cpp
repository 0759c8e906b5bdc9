// The STRING API (https://string-db.org/api; methods and parameters as its
// help page documents them, "wait about one second between calls":
// net/host_limiter.cpp): for a batch of genes, `get_string_ids` maps each
// (its Ensembl gene id, or its symbol where HGNC gives none) to one STRING
// protein (`limit=1`, `echo_query=1`), then `interaction_partners` with
// `network_type=physical`, `required_score=400` gives every partner of those
// proteins (score 0-1 as the API writes it; ×1000 here, as in the files).
// The release is `version`'s string_version. The answer cached per gene is
// the provider's (the protein, all its partners); the fields that depend on
// the run's list are added after the cache (completeOnline).

#include "sources/string_source.h"

#include <QJsonArray>
#include <QUrlQuery>

#include <cmath>

namespace bioforge::annotation {
namespace {

QString base(const OnlineContext& context) { return context.baseUrl(QStringLiteral("string"), QStringLiteral("https://string-db.org/api")); }

core::Expected<QJsonArray> call(const OnlineContext& context, const QString& method, QUrlQuery query)
{
    query.addQueryItem(QStringLiteral("species"), QStringLiteral("9606"));
    query.addQueryItem(QStringLiteral("caller_identity"), QStringLiteral("bioforge-workbench"));
    QUrl url(base(context) + QStringLiteral("/json/") + method);
    url.setQuery(query);
    auto answer = getJson(context, url, {404});
    if (!answer)
        return answer.error();
    if (answer->status == 404)
        return QJsonArray(); // STRING answers "nothing found" so
    if (!answer->json.isArray())
        return core::Error(QStringLiteral("%1: expected a JSON array").arg(displayUrl(url)));
    return answer->json.array();
}

} // namespace

QString StringSource::apiHost() const { return QStringLiteral("string-db.org"); }

core::Expected<QString> StringSource::apiRelease(const OnlineContext& context) const
{
    auto answer = call(context, QStringLiteral("version"), {});
    if (!answer)
        return answer.error();
    const QString version = answer->isEmpty() ? QString() : answer->first().toObject().value(QStringLiteral("string_version")).toString();
    if (version.isEmpty())
        return core::Error(QStringLiteral("STRING API /json/version: no string_version"));
    return QStringLiteral("STRING %1 (API)").arg(version);
}

core::Expected<SourceValue> StringSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> StringSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    auto failAll = [&](const core::Error& e) {
        QList<core::Expected<SourceValue>> out;
        for (int i = 0; i < genes.size(); ++i)
            out << core::Expected<SourceValue>(e);
        return out;
    };
    QStringList asked;
    for (const GeneRecord& g : genes)
        asked << (g.ensemblGeneId.isEmpty() ? g.symbol : g.ensemblGeneId);
    QUrlQuery idq;
    idq.addQueryItem(QStringLiteral("identifiers"), asked.join(QLatin1Char('\r')));
    idq.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    idq.addQueryItem(QStringLiteral("echo_query"), QStringLiteral("1"));
    auto ids = call(context, QStringLiteral("get_string_ids"), idq);
    if (!ids)
        return failAll(ids.error());
    QList<QString> protein(genes.size());
    for (const QJsonValue& iv : *ids) {
        const QJsonObject o = iv.toObject();
        const int index = o.value(QStringLiteral("queryIndex")).toInt(-1);
        if (index >= 0 && index < genes.size() && protein[index].isEmpty())
            protein[index] = o.value(QStringLiteral("stringId")).toString();
    }
    QStringList proteins;
    for (const QString& p : protein)
        if (!p.isEmpty() && !proteins.contains(p))
            proteins << p;
    QHash<QString, QList<std::pair<int, QString>>> partners; // protein -> (score, partner name)
    if (!proteins.isEmpty()) {
        QUrlQuery pq;
        pq.addQueryItem(QStringLiteral("identifiers"), proteins.join(QLatin1Char('\r')));
        pq.addQueryItem(QStringLiteral("network_type"), QStringLiteral("physical"));
        pq.addQueryItem(QStringLiteral("required_score"), QString::number(kStringMinimumScore));
        pq.addQueryItem(QStringLiteral("limit"), QStringLiteral("10000")); // every partner, not the default 10
        auto rows = call(context, QStringLiteral("interaction_partners"), pq);
        if (!rows)
            return failAll(rows.error());
        for (const QJsonValue& rv : *rows) {
            const QJsonObject o = rv.toObject();
            const double raw = o.value(QStringLiteral("score")).toDouble(-1);
            if (!(raw >= 0 && raw <= 1))
                continue; // not a STRING score
            const int score = int(std::lround(raw * 1000));
            if (score < kStringMinimumScore)
                continue;
            auto& list = partners[o.value(QStringLiteral("stringId_A")).toString()];
            const QString name = o.value(QStringLiteral("preferredName_B")).toString();
            auto same = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.second == name; });
            if (same == list.end())
                list.append({score, name});
            else
                same->first = std::max(same->first, score); // a pair listed twice: its best score
        }
    }
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), base(context)}}};
    QList<core::Expected<SourceValue>> out;
    for (int i = 0; i < genes.size(); ++i) {
        SourceValue v;
        v.releases = releases;
        if (protein[i].isEmpty()) {
            v.error = QStringLiteral("STRING maps no protein to %1").arg(asked[i]);
            out << core::Expected<SourceValue>(v);
            continue;
        }
        v.status = SourceValue::Status::Found;
        v.symbolFallback = genes[i].ensemblGeneId.isEmpty();
        v.joinedOn = v.symbolFallback ? QStringLiteral("symbol %1 -> %2 (API; fallback: no Ensembl id)").arg(genes[i].symbol, protein[i])
                                      : QStringLiteral("Ensembl gene %1 -> %2 (API)").arg(genes[i].ensemblGeneId, protein[i]);
        QJsonArray all;
        for (const auto& [score, name] : partners.value(protein[i]))
            all.append(QJsonArray{name, score});
        v.value = QJsonObject{{QStringLiteral("string_protein_id"), protein[i]}, {QStringLiteral("api_partners"), all}};
        out << core::Expected<SourceValue>(v);
    }
    return out;
}

void StringSource::completeOnline(SourceValue& value, const GeneRecord& gene, const ListContext& list) const
{
    if (value.status != SourceValue::Status::Found || !value.value.contains(QStringLiteral("api_partners")))
        return;
    QList<std::pair<int, QString>> partners;
    for (const QJsonValue& p : value.value.take(QStringLiteral("api_partners")).toArray())
        partners.append({p.toArray().at(1).toInt(), p.toArray().at(0).toString()});
    addStringFields(value.value, partners, gene.symbol, list);
}

} // namespace bioforge::annotation
