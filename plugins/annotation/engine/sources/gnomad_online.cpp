// gnomAD's GraphQL API (POST https://gnomad.broadinstitute.org/api): genes
// by Ensembl id (or symbol) on GRCh38 with their `gnomad_constraint`, up to
// 10 in one request as GraphQL aliases (g0, g1, …). An unknown gene comes
// back as null with an error whose `path` names its alias: that gene is
// absent, the others are answered. An error without a path fails the
// request. The API states no release: the release is the query's date (the
// cache keeps answers for their TTL).

#include "sources/gnomad_source.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace bioforge::annotation {
namespace {

const char* kFields = "gene_id symbol canonical_transcript_id gnomad_constraint { pLI oe_lof oe_lof_lower oe_lof_upper lof_z mis_z syn_z oe_mis "
                      "oe_mis_lower oe_mis_upper oe_syn oe_syn_lower oe_syn_upper obs_lof exp_lof obs_mis exp_mis obs_syn exp_syn flags }";

// A GraphQL string literal (ids and symbols only: letters, digits, - . _).
QString literal(const QString& s)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9._-]+$"));
    return safe.match(s).hasMatch() ? QLatin1Char('"') + s + QLatin1Char('"') : QString();
}

SourceValue fromGene(const GeneRecord& gene, const QJsonObject& g, const QJsonArray& releases)
{
    SourceValue v;
    v.releases = releases;
    const bool byId = !gene.ensemblGeneId.isEmpty();
    const QJsonObject c = g.value(QStringLiteral("gnomad_constraint")).toObject();
    if (g.isEmpty() || c.isEmpty()) {
        v.error = g.isEmpty() ? QStringLiteral("gnomAD has no gene %1").arg(byId ? gene.ensemblGeneId : gene.symbol)
                              : QStringLiteral("gnomAD has no constraint for %1").arg(gene.symbol);
        return v;
    }
    // The API's names to the bulk file's (the same numbers: pLI, LOEUF = oe_lof_upper, …).
    const std::pair<const char*, const char*> names[] = {
        {"pli", "pLI"}, {"loeuf", "oe_lof_upper"}, {"oe_lof", "oe_lof"}, {"oe_lof_lower", "oe_lof_lower"}, {"lof_z", "lof_z"}, {"obs_lof", "obs_lof"},
        {"exp_lof", "exp_lof"}, {"mis_z", "mis_z"}, {"oe_mis", "oe_mis"}, {"oe_mis_lower", "oe_mis_lower"}, {"oe_mis_upper", "oe_mis_upper"},
        {"obs_mis", "obs_mis"}, {"exp_mis", "exp_mis"}, {"syn_z", "syn_z"}, {"oe_syn", "oe_syn"}, {"oe_syn_lower", "oe_syn_lower"},
        {"oe_syn_upper", "oe_syn_upper"}, {"obs_syn", "obs_syn"}, {"exp_syn", "exp_syn"}};
    for (const auto& [ours, theirs] : names)
        if (c.value(QLatin1String(theirs)).isDouble())
            v.value.insert(QLatin1String(ours), c.value(QLatin1String(theirs)));
    v.value.insert(QStringLiteral("gene_id"), g.value(QStringLiteral("gene_id")));
    v.value.insert(QStringLiteral("transcript"), g.value(QStringLiteral("canonical_transcript_id")));
    v.value.insert(QStringLiteral("symbol"), g.value(QStringLiteral("symbol")));
    v.value.insert(QStringLiteral("flags"), c.value(QStringLiteral("flags")).isArray() ? c.value(QStringLiteral("flags")) : QJsonValue(QJsonArray()));
    v.status = SourceValue::Status::Found;
    v.joinedOn = byId ? QStringLiteral("Ensembl gene %1 (API)").arg(gene.ensemblGeneId) : QStringLiteral("symbol %1 (API; fallback: no Ensembl id)").arg(gene.symbol);
    v.symbolFallback = !byId;
    return v;
}

} // namespace

QString GnomadSource::apiHost() const { return QStringLiteral("gnomad.broadinstitute.org"); }
qint64 GnomadSource::cacheTtlSeconds() const { return qint64(90) * 86400; }

core::Expected<QString> GnomadSource::apiRelease(const OnlineContext&) const
{
    return QStringLiteral("gnomAD GraphQL API, queried %1").arg(QDate::currentDate().toString(Qt::ISODate));
}

core::Expected<SourceValue> GnomadSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> GnomadSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    HttpRequest r;
    r.method = "POST";
    r.url = QUrl(context.baseUrl(id(), QStringLiteral("https://gnomad.broadinstitute.org")) + QStringLiteral("/api"));
    r.expect = HttpRequest::Expect::Json; // errors are read here: they may name one alias
    r.headers = {{"Content-Type", "application/json"}};
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), displayUrl(r.url)}}};
    QList<core::Expected<SourceValue>> out;
    QStringList parts;
    for (int i = 0; i < genes.size(); ++i) {
        const bool byId = !genes[i].ensemblGeneId.isEmpty();
        const QString value = literal(byId ? genes[i].ensemblGeneId : genes[i].symbol);
        if (value.isEmpty())
            continue;
        parts << QStringLiteral("g%1: gene(%2: %3, reference_genome: GRCh38) { %4 }").arg(i).arg(byId ? QStringLiteral("gene_id") : QStringLiteral("gene_symbol"), value,
                                                                                             QLatin1String(kFields));
    }
    r.body = QJsonDocument(QJsonObject{{QStringLiteral("query"), QStringLiteral("query { %1 }").arg(parts.join(QLatin1Char(' ')))}}).toJson(QJsonDocument::Compact);
    auto answer = context.http->send(r, context.stop);
    if (!answer) {
        for (int i = 0; i < genes.size(); ++i)
            out << core::Expected<SourceValue>(answer.error());
        return out;
    }
    // A GraphQL answer has "data" or "errors" (GraphQL spec §7.1): anything else (a proxy's JSON, a
    // wrong path of a mirror) is no answer, never "gnomAD has no such gene".
    const QJsonObject body = answer->json.object();
    if (!body.value(QStringLiteral("data")).isObject() && !body.value(QStringLiteral("errors")).isArray()) {
        for (int i = 0; i < genes.size(); ++i)
            out << core::Expected<SourceValue>(core::Error(QStringLiteral("%1: not a GraphQL answer (no \"data\" or \"errors\"; keys: %2)")
                                                               .arg(displayUrl(r.url), body.keys().join(QStringLiteral(", ")))));
        return out;
    }
    const QJsonObject data = body.value(QStringLiteral("data")).toObject();
    QHash<QString, QString> errorOf; // alias -> message
    QString general;
    for (const QJsonValue& e : answer->json.object().value(QStringLiteral("errors")).toArray()) {
        const QJsonArray path = e.toObject().value(QStringLiteral("path")).toArray();
        const QString message = e.toObject().value(QStringLiteral("message")).toString();
        if (path.isEmpty())
            general = message;
        else
            errorOf.insert(path.first().toString(), message);
    }
    for (int i = 0; i < genes.size(); ++i) {
        const QString alias = QStringLiteral("g%1").arg(i);
        if (literal(genes[i].ensemblGeneId.isEmpty() ? genes[i].symbol : genes[i].ensemblGeneId).isEmpty()) {
            out << core::Expected<SourceValue>(core::Error(QStringLiteral("'%1' cannot be put in a GraphQL query").arg(genes[i].symbol)));
        } else if (!general.isEmpty() && !data.contains(alias)) {
            out << core::Expected<SourceValue>(core::Error(QStringLiteral("%1: GraphQL errors in a 200 answer: %2").arg(displayUrl(r.url), general)));
        } else if (errorOf.contains(alias) && !errorOf.value(alias).contains(QStringLiteral("not found"), Qt::CaseInsensitive)) {
            out << core::Expected<SourceValue>(core::Error(QStringLiteral("%1: GraphQL error for %2: %3").arg(displayUrl(r.url), genes[i].symbol, errorOf.value(alias))));
        } else {
            out << core::Expected<SourceValue>(fromGene(genes[i], data.value(alias).toObject(), releases)); // null (not found): absent
        }
    }
    return out;
}

} // namespace bioforge::annotation
