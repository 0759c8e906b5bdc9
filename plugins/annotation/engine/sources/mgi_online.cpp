// MGI through MouseMine's InterMine template service
// (https://www.mousemine.org/mousemine/service; the query the
// Kidney-Genetics-DB pipeline makes, docs/annotation.md): for up to 100 human
// symbols at once, template HGene_MPhenotype with `constraint1=Gene`,
// `op1=LOOKUP`, `value1=S1,S2,…`, `extra1=H. sapiens`, `format=json` (no
// `size`: every row; `size=0` would return none) → `results[]` rows of
// [human id, human symbol, organism, mouse id, mouse symbol, organism, MP id,
// MP name]. LOOKUP also matches synonyms, so a row counts for a gene only
// when its human symbol is the gene's approved symbol. These are the
// detailed MP terms: whether one lies under MP:0005367 (renal/urinary) needs
// the MP ontology, which this path does not have, so `has_kidney_phenotype`
// is left out (the bulk report's high-level terms give it). The release is
// `version/release`.

#include "sources/mgi_source.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUrlQuery>

namespace bioforge::annotation {
namespace {

QString base(const OnlineContext& context)
{
    return context.baseUrl(QStringLiteral("mgi"), QStringLiteral("https://www.mousemine.org/mousemine/service"));
}

} // namespace

QString MgiSource::apiHost() const { return QStringLiteral("www.mousemine.org"); }

core::Expected<QString> MgiSource::apiRelease(const OnlineContext& context) const
{
    const QUrl url(base(context) + QStringLiteral("/version/release"));
    HttpRequest r;
    r.url = url;
    auto answer = context.http->send(r, context.stop);
    if (!answer)
        return answer.error();
    const QString text = QString::fromUtf8(answer->body).trimmed();
    if (answer->status >= 400 || text.isEmpty() || text.startsWith(QLatin1Char('<')))
        return core::Error(QStringLiteral("%1: no release (HTTP %2)").arg(displayUrl(url), QString::number(answer->status)));
    return QStringLiteral("MouseMine %1").arg(text.left(80));
}

core::Expected<SourceValue> MgiSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> MgiSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    QStringList symbols;
    for (const GeneRecord& g : genes)
        symbols << g.symbol;
    QUrl url(base(context) + QStringLiteral("/template/results"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("name"), QStringLiteral("HGene_MPhenotype"));
    q.addQueryItem(QStringLiteral("constraint1"), QStringLiteral("Gene"));
    q.addQueryItem(QStringLiteral("op1"), QStringLiteral("LOOKUP"));
    q.addQueryItem(QStringLiteral("value1"), symbols.join(QLatin1Char(',')));
    q.addQueryItem(QStringLiteral("extra1"), QStringLiteral("H. sapiens"));
    q.addQueryItem(QStringLiteral("format"), QStringLiteral("json"));
    url.setQuery(q);
    HttpRequest r;
    r.url = url;
    r.expect = HttpRequest::Expect::Json;
    auto answer = context.http->send(r, context.stop);
    QList<core::Expected<SourceValue>> out;
    const bool bad = answer && (answer->status >= 400 || !answer->json.object().value(QStringLiteral("results")).isArray());
    if (!answer || bad) {
        const core::Error e = answer ? core::Error(QStringLiteral("%1: HTTP %2, expected {results: [...]}")
                .arg(displayUrl(url), QString::number(answer->status))) : answer.error();
        for (int i = 0; i < genes.size(); ++i)
            out << core::Expected<SourceValue>(e);
        return out;
    }
    struct Tally {
        QJsonArray orthologs;
        QSet<QString> mouse;
        QMap<QString, QString> terms; // MP id -> name, sorted
    };
    QHash<QString, Tally> bySymbol;
    for (const QJsonValue& rv : answer->json.object().value(QStringLiteral("results")).toArray()) {
        const QJsonArray row = rv.toArray();
        if (row.size() < 8)
            continue;
        const QString human = row.at(1).toString();
        if (!symbols.contains(human))
            continue; // a synonym's match: not this gene
        Tally& t = bySymbol[human];
        const QString mouseSymbol = row.at(4).toString();
        if (!t.mouse.contains(mouseSymbol)) {
            t.mouse.insert(mouseSymbol);
            t.orthologs.append(QJsonObject{{QStringLiteral("mouse_symbol"), mouseSymbol}, {QStringLiteral("mgi_id"), row.at(3).toString()}});
        }
        if (const QString mp = row.at(6).toString(); mp.startsWith(QLatin1String("MP:")))
            t.terms.insert(mp, row.at(7).toString());
    }
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), displayUrl(url)}}};
    for (const GeneRecord& g : genes) {
        SourceValue v;
        v.releases = releases;
        const auto it = bySymbol.constFind(g.symbol);
        if (it == bySymbol.constEnd()) {
            v.error = QStringLiteral("no mouse ortholog with phenotypes for %1 (MouseMine)").arg(g.symbol);
            out << core::Expected<SourceValue>(v);
            continue;
        }
        QStringList mouse;
        for (const QJsonValue& o : it->orthologs)
            mouse << o.toObject().value(QStringLiteral("mouse_symbol")).toString();
        QJsonArray terms;
        for (auto t = it->terms.constBegin(); t != it->terms.constEnd(); ++t)
            terms.append(QJsonObject{{QStringLiteral("id"), t.key()}, {QStringLiteral("name"), t.value()}});
        v.status = SourceValue::Status::Found;
        v.symbolFallback = true;
        v.joinedOn = QStringLiteral("human symbol %1 (MouseMine LOOKUP, exact symbol kept)").arg(g.symbol);
        v.value = QJsonObject{{QStringLiteral("mouse_orthologs"), it->orthologs},
                              {QStringLiteral("mouse_symbols"), mouse.join(QLatin1Char(','))},
                              {QStringLiteral("phenotype_terms"), terms},
                              {QStringLiteral("phenotype_term_count"), int(terms.size())}};
        out << core::Expected<SourceValue>(v);
    }
    return out;
}

} // namespace bioforge::annotation
