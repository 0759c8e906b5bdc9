// Ensembl REST (https://rest.ensembl.org): genes by stable id in one
// `POST /lookup/id?expand=1` (up to 1,000 ids; we send 100), or by symbol
// through `POST /lookup/symbol/homo_sapiens` for genes without an Ensembl
// id; unknown ids come back null. Transcripts carry `is_canonical`; their
// exons are listed in transcript order (rank). The release is
// `/info/data`'s. The model and the canonical choice are the GTF path's.

#include "sources/ensembl_model.h"
#include "sources/ensembl_source.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace bioforge::annotation {
namespace {

QString base(const OnlineContext& context) { return context.baseUrl(QStringLiteral("ensembl"), QStringLiteral("https://rest.ensembl.org")); }

HttpRequest post(const QString& url, const QJsonObject& body)
{
    HttpRequest r;
    r.method = "POST";
    r.url = QUrl(url);
    r.expect = HttpRequest::Expect::Json;
    r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

Gene fromRest(const QJsonObject& o)
{
    Gene g;
    g.id = o.value(QStringLiteral("id")).toString();
    g.symbol = o.value(QStringLiteral("display_name")).toString();
    g.biotype = o.value(QStringLiteral("biotype")).toString();
    g.chromosome = o.value(QStringLiteral("seq_region_name")).toString();
    g.start = o.value(QStringLiteral("start")).toInteger();
    g.end = o.value(QStringLiteral("end")).toInteger();
    g.strand = o.value(QStringLiteral("strand")).toInt() < 0 ? QStringLiteral("-") : QStringLiteral("+");
    for (const QJsonValue& tv : o.value(QStringLiteral("Transcript")).toArray()) {
        const QJsonObject t = tv.toObject();
        Transcript tx;
        tx.id = t.value(QStringLiteral("id")).toString();
        tx.name = t.value(QStringLiteral("display_name")).toString();
        tx.biotype = t.value(QStringLiteral("biotype")).toString();
        tx.start = t.value(QStringLiteral("start")).toInteger();
        tx.end = t.value(QStringLiteral("end")).toInteger();
        if (t.value(QStringLiteral("is_canonical")).toInt() == 1)
            tx.tags.insert(QStringLiteral("Ensembl_canonical"));
        int rank = 0;
        for (const QJsonValue& ev : t.value(QStringLiteral("Exon")).toArray()) {
            const QJsonObject e = ev.toObject();
            tx.exons.append({e.value(QStringLiteral("id")).toString(), ++rank, e.value(QStringLiteral("start")).toInteger(),
                             e.value(QStringLiteral("end")).toInteger()});
        }
        tx.order = int(g.transcripts.size());
        g.index.insert(tx.id, tx.order);
        g.transcripts.append(tx);
    }
    return g;
}

} // namespace

QString EnsemblSource::apiHost() const { return QStringLiteral("rest.ensembl.org"); }
qint64 EnsemblSource::cacheTtlSeconds() const { return qint64(30) * 86400; }

core::Expected<QString> EnsemblSource::apiRelease(const OnlineContext& context) const
{
    HttpRequest r;
    r.url = QUrl(base(context) + QStringLiteral("/info/data?content-type=application/json"));
    r.expect = HttpRequest::Expect::Json;
    auto answer = context.http->send(r, context.stop);
    if (!answer)
        return answer.error();
    const QJsonArray releases = answer->json.object().value(QStringLiteral("releases")).toArray();
    if (releases.isEmpty())
        return core::Error(QStringLiteral("Ensembl REST /info/data: no release (HTTP %1)").arg(answer->status));
    return QStringLiteral("Ensembl %1 (REST)").arg(releases.first().toInt());
}

core::Expected<SourceValue> EnsemblSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> EnsemblSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), base(context)}}};
    QStringList ids, symbols;
    for (const GeneRecord& g : genes)
        (g.ensemblGeneId.isEmpty() ? symbols : ids) << (g.ensemblGeneId.isEmpty() ? g.symbol : g.ensemblGeneId);
    QJsonObject byId, bySymbol;
    std::optional<core::Error> failure;
    if (!ids.isEmpty()) {
        auto answer = context.http->send(post(base(context) + QStringLiteral("/lookup/id?expand=1"), {{QStringLiteral("ids"), QJsonArray::fromStringList(ids)}}), context.stop);
        if (answer && answer->status < 400)
            byId = answer->json.object();
        else
            failure = answer ? core::Error(QStringLiteral("Ensembl REST lookup/id: HTTP %1").arg(answer->status)) : answer.error();
    }
    if (!symbols.isEmpty() && !failure) {
        auto answer = context.http->send(post(base(context) + QStringLiteral("/lookup/symbol/homo_sapiens?expand=1"), {{QStringLiteral("symbols"), QJsonArray::fromStringList(symbols)}}),
                                         context.stop);
        if (answer && answer->status < 400)
            bySymbol = answer->json.object();
        else
            failure = answer ? core::Error(QStringLiteral("Ensembl REST lookup/symbol: HTTP %1").arg(answer->status)) : answer.error();
    }
    QList<core::Expected<SourceValue>> out;
    for (const GeneRecord& g : genes) {
        if (failure) {
            out << core::Expected<SourceValue>(*failure);
            continue;
        }
        SourceValue v;
        v.releases = releases;
        const QJsonObject o = g.ensemblGeneId.isEmpty() ? bySymbol.value(g.symbol).toObject() : byId.value(g.ensemblGeneId).toObject();
        if (o.isEmpty()) {
            v.error = QStringLiteral("Ensembl has no gene %1").arg(g.ensemblGeneId.isEmpty() ? g.symbol : g.ensemblGeneId);
            out << core::Expected<SourceValue>(v);
            continue;
        }
        Gene model = fromRest(o);
        v.value = geneValue(model);
        const QJsonObject canonical = v.value.value(QStringLiteral("canonical_transcript")).toObject();
        v.value.insert(QStringLiteral("canonical_transcript_id"), canonical.value(QStringLiteral("transcript_id")));
        v.value.insert(QStringLiteral("exon_count"), canonical.value(QStringLiteral("exon_count")));
        v.value.insert(QStringLiteral("location"), QStringLiteral("%1:%2-%3:%4").arg(model.chromosome, QString::number(model.start),
                                                                                     QString::number(model.end), model.strand));
        v.status = SourceValue::Status::Found;
        v.joinedOn = g.ensemblGeneId.isEmpty() ? QStringLiteral("symbol %1 (REST; fallback: no Ensembl id)").arg(g.symbol)
                                               : QStringLiteral("Ensembl gene %1 (REST)").arg(g.ensemblGeneId);
        v.symbolFallback = g.ensemblGeneId.isEmpty();
        out << core::Expected<SourceValue>(v);
    }
    return out;
}

} // namespace bioforge::annotation
