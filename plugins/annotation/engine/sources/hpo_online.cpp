// HPO through the JAX ontology API (https://ontology.jax.org/api; the calls
// the Kidney-Genetics-DB pipeline makes, docs/annotation.md): a gene's
// phenotypes and diseases from `GET /network/annotation/NCBIGene:{id}`
// → {phenotypes: [{id, name, …}], diseases: [{id, name, …}]}, asked by the
// NCBI gene id HGNC gives; a gene without one is found first with
// `GET /network/search/gene?q={symbol}&limit=-1` (exact symbol only). A 404
// for a known gene means HPO annotates no phenotype to it (as the bulk file's
// absence does). The API states no release: the query's date is the release.
// The kidney subset needs hp.obo's descendants and comes from the bulk path.

#include "sources/hpo_source.h"

#include <QDate>
#include <QJsonArray>
#include <QUrlQuery>

#include <algorithm>

namespace bioforge::annotation {
namespace {

constexpr int kKeptPhenotypes = 200; // as the bulk path

QString base(const OnlineContext& context) { return context.baseUrl(QStringLiteral("hpo"), QStringLiteral("https://ontology.jax.org/api")); }

} // namespace

QString HpoSource::apiHost() const { return QStringLiteral("ontology.jax.org"); }

core::Expected<QString> HpoSource::apiRelease(const OnlineContext&) const
{
    return QStringLiteral("JAX ontology API (HPO network), queried %1").arg(QDate::currentDate().toString(Qt::ISODate));
}

core::Expected<SourceValue> HpoSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    SourceValue v;
    QString ncbi = gene.ncbiGeneId;
    if (ncbi.isEmpty()) {
        QUrl url(base(context) + QStringLiteral("/network/search/gene"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("q"), gene.symbol);
        q.addQueryItem(QStringLiteral("limit"), QStringLiteral("-1"));
        url.setQuery(q);
        auto answer = getJson(context, url);
        if (!answer)
            return answer.error();
        for (const QJsonValue& rv : answer->json.object().value(QStringLiteral("results")).toArray()) {
            const QJsonObject o = rv.toObject();
            if (o.value(QStringLiteral("name")).toString() == gene.symbol && o.value(QStringLiteral("id")).toString().startsWith(QLatin1String("NCBIGene:")))
                ncbi = o.value(QStringLiteral("id")).toString().mid(9);
        }
        v.symbolFallback = true;
        if (ncbi.isEmpty()) {
            v.error = QStringLiteral("the HPO gene network has no gene named %1").arg(gene.symbol);
            return v;
        }
    }
    const QUrl url(base(context) + QStringLiteral("/network/annotation/NCBIGene:") + ncbi);
    auto answer = getJson(context, url, {404}); // 404: no annotated phenotype
    if (!answer)
        return answer.error();
    v.releases = QJsonArray{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                        {QStringLiteral("url"), displayUrl(url)}}};
    v.joinedOn = v.symbolFallback ? QStringLiteral("symbol %1 → NCBIGene:%2 (JAX API; fallback: no NCBI id)").arg(gene.symbol, ncbi)
                                  : QStringLiteral("NCBI gene %1 (JAX API)").arg(ncbi);
    v.status = SourceValue::Status::Found;
    if (answer->status == 404) { // no annotated phenotype
        v.value = QJsonObject{{QStringLiteral("phenotype_count"), 0}, {QStringLiteral("disease_count"), 0}};
        return v;
    }
    const QJsonObject o = answer->json.object();
    if (!o.contains(QStringLiteral("phenotypes")) && !o.contains(QStringLiteral("diseases")))
        return core::Error(QStringLiteral("%1: expected {phenotypes, diseases}").arg(displayUrl(url)));
    QJsonArray phenotypes;
    QSet<QString> seen;
    int count = 0;
    for (const QJsonValue& pv : o.value(QStringLiteral("phenotypes")).toArray()) {
        const QJsonObject p = pv.toObject();
        const QString term = p.value(QStringLiteral("id")).toString();
        if (term.isEmpty() || seen.contains(term))
            continue;
        seen.insert(term);
        ++count;
        if (phenotypes.size() < kKeptPhenotypes)
            phenotypes.append(QJsonObject{{QStringLiteral("id"), term}, {QStringLiteral("name"), p.value(QStringLiteral("name"))}});
    }
    QStringList diseases;
    for (const QJsonValue& dv : o.value(QStringLiteral("diseases")).toArray())
        if (const QString d = dv.toObject().value(QStringLiteral("id")).toString(); !d.isEmpty() && !diseases.contains(d))
            diseases << d;
    diseases.sort();
    v.value = QJsonObject{{QStringLiteral("phenotype_count"), count}, {QStringLiteral("phenotypes"), phenotypes},
                          {QStringLiteral("disease_count"), int(diseases.size())}, {QStringLiteral("diseases"), QJsonArray::fromStringList(diseases)}};
    return v;
}

} // namespace bioforge::annotation
