// UniProtKB REST (https://rest.uniprot.org): entries by accession (HGNC's),
// up to 100 OR-ed in one search, every page followed through the
// `Link: <…>; rel="next"` header (a page holds at most 500 entries — the
// reference asked for more and lost the rest); genes without an accession
// by exact gene name, human, reviewed, refused when the name gives several
// entries. The release is the `X-UniProt-Release` header.

#include "sources/uniprot_source.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace bioforge::annotation {
namespace {

const char* kFields = "accession,id,protein_name,gene_names,length,cc_function,ft_domain,ft_transmem,ft_signal,xref_pfam,xref_interpro";

QString base(const OnlineContext& context) { return context.baseUrl(QStringLiteral("uniprot"), QStringLiteral("https://rest.uniprot.org")); }

HttpRequest search(const QString& baseUrl, const QString& query, int size)
{
    QUrl url(baseUrl + QStringLiteral("/uniprotkb/search"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), query);
    q.addQueryItem(QStringLiteral("fields"), QLatin1String(kFields));
    q.addQueryItem(QStringLiteral("format"), QStringLiteral("json"));
    q.addQueryItem(QStringLiteral("size"), QString::number(size));
    url.setQuery(q);
    HttpRequest r;
    r.url = url;
    r.expect = HttpRequest::Expect::Json;
    return r;
}

// Every page of a search: the `Link` header's rel="next" until there is none.
core::Expected<QJsonArray> allPages(HttpRequest r, const OnlineContext& context)
{
    static const QRegularExpression next(QStringLiteral("<([^>]+)>\\s*;\\s*rel=\"next\""));
    QJsonArray results;
    for (int page = 0; page < 1000; ++page) {
        auto answer = context.http->send(r, context.stop);
        if (!answer)
            return answer.error();
        if (answer->status >= 400)
            return core::Error(QStringLiteral("%1: HTTP %2").arg(displayUrl(r.url), QString::number(answer->status)));
        for (const QJsonValue& v : answer->json.object().value(QStringLiteral("results")).toArray())
            results.append(v);
        const auto m = next.match(QString::fromLatin1(answer->headers.value("link")));
        if (!m.hasMatch())
            return results;
        r.url = QUrl(m.captured(1));
    }
    return core::Error(QStringLiteral("%1: more than 1000 pages").arg(displayUrl(r.url)));
}

QJsonArray features(const QJsonArray& all, const QString& type)
{
    QJsonArray out;
    for (const QJsonValue& f : all) {
        const QJsonObject o = f.toObject();
        if (o.value(QStringLiteral("type")).toString() != type)
            continue;
        const QJsonObject location = o.value(QStringLiteral("location")).toObject();
        out.append(QJsonObject{{QStringLiteral("type"), type},
                               {QStringLiteral("start"), location.value(QStringLiteral("start")).toObject().value(QStringLiteral("value"))},
                               {QStringLiteral("end"), location.value(QStringLiteral("end")).toObject().value(QStringLiteral("value"))},
                               {QStringLiteral("note"), o.value(QStringLiteral("description"))}});
    }
    return out;
}

// An entry in the bulk TSV's fields.
QJsonObject valueOf(const QJsonObject& e)
{
    QJsonObject v{{QStringLiteral("accession"), e.value(QStringLiteral("primaryAccession"))},
                  {QStringLiteral("entry_name"), e.value(QStringLiteral("uniProtkbId"))},
                  {QStringLiteral("protein_name"),
                   e.value(QStringLiteral("proteinDescription")).toObject().value(QStringLiteral("recommendedName")).toObject().value(QStringLiteral("fullName")).toObject().value(QStringLiteral("value"))},
                  {QStringLiteral("length"), e.value(QStringLiteral("sequence")).toObject().value(QStringLiteral("length"))}};
    QStringList names;
    for (const QJsonValue& g : e.value(QStringLiteral("genes")).toArray())
        names << g.toObject().value(QStringLiteral("geneName")).toObject().value(QStringLiteral("value")).toString();
    v.insert(QStringLiteral("gene_names"), QJsonArray::fromStringList(names));
    for (const QJsonValue& c : e.value(QStringLiteral("comments")).toArray())
        if (c.toObject().value(QStringLiteral("commentType")).toString() == QLatin1String("FUNCTION")) {
            v.insert(QStringLiteral("function"), c.toObject().value(QStringLiteral("texts")).toArray().first().toObject().value(QStringLiteral("value")));
            break;
        }
    const QJsonArray all = e.value(QStringLiteral("features")).toArray();
    v.insert(QStringLiteral("domains"), features(all, QStringLiteral("Domain")));
    v.insert(QStringLiteral("transmembrane"), features(all, QStringLiteral("Transmembrane")));
    v.insert(QStringLiteral("signal_peptide"), features(all, QStringLiteral("Signal")));
    QStringList pfam, interpro;
    for (const QJsonValue& x : e.value(QStringLiteral("uniProtKBCrossReferences")).toArray()) {
        const QString db = x.toObject().value(QStringLiteral("database")).toString();
        if (db == QLatin1String("Pfam"))
            pfam << x.toObject().value(QStringLiteral("id")).toString();
        else if (db == QLatin1String("InterPro"))
            interpro << x.toObject().value(QStringLiteral("id")).toString();
    }
    v.insert(QStringLiteral("pfam"), QJsonArray::fromStringList(pfam));
    v.insert(QStringLiteral("interpro"), QJsonArray::fromStringList(interpro));
    v.insert(QStringLiteral("domain_count"), v.value(QStringLiteral("domains")).toArray().size());
    v.insert(QStringLiteral("has_transmembrane"), !v.value(QStringLiteral("transmembrane")).toArray().isEmpty());
    v.insert(QStringLiteral("has_signal_peptide"), !v.value(QStringLiteral("signal_peptide")).toArray().isEmpty());
    return v;
}

} // namespace

QString UniprotSource::apiHost() const { return QStringLiteral("rest.uniprot.org"); }
qint64 UniprotSource::cacheTtlSeconds() const { return qint64(30) * 86400; }

core::Expected<QString> UniprotSource::apiRelease(const OnlineContext& context) const
{
    auto answer = context.http->send(search(base(context), QStringLiteral("organism_id:9606 AND reviewed:true"), 1), context.stop);
    if (!answer)
        return answer.error();
    const QByteArray release = answer->headers.value("x-uniprot-release");
    if (release.isEmpty())
        return core::Error(QStringLiteral("UniProt REST: no X-UniProt-Release header (HTTP %1)").arg(answer->status));
    return QStringLiteral("UniProtKB release %1 (REST)").arg(QString::fromLatin1(release));
}

core::Expected<SourceValue> UniprotSource::annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const
{
    return annotateOnlineBatch({gene}, context, release).first();
}

QList<core::Expected<SourceValue>> UniprotSource::annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9._-]+$"));
    const QJsonArray releases{QJsonObject{{QStringLiteral("source"), id()}, {QStringLiteral("part"), QStringLiteral("api")}, {QStringLiteral("release"), release},
                                          {QStringLiteral("url"), base(context)}}};
    QStringList byAccession, byName;
    for (const GeneRecord& g : genes) {
        for (const QString& a : g.uniprotIds)
            if (safe.match(a).hasMatch())
                byAccession << QStringLiteral("accession:") + a;
        if (g.uniprotIds.isEmpty() && safe.match(g.symbol).hasMatch())
            byName << QStringLiteral("gene_exact:") + g.symbol;
    }
    QJsonArray entries;
    core::Error failure;
    bool failed = false;
    if (!byAccession.isEmpty()) {
        auto found = allPages(search(base(context), QStringLiteral("(%1)").arg(byAccession.join(QStringLiteral(" OR "))), 500), context);
        if (found)
            for (const QJsonValue& e : *found)
                entries.append(e);
        else
            failed = true, failure = found.error();
    }
    if (!byName.isEmpty() && !failed) {
        auto found = allPages(search(base(context), QStringLiteral("(%1) AND organism_id:9606 AND reviewed:true").arg(byName.join(QStringLiteral(" OR "))), 500), context);
        if (found)
            for (const QJsonValue& e : *found)
                entries.append(e);
        else
            failed = true, failure = found.error();
    }
    QList<core::Expected<SourceValue>> out;
    for (const GeneRecord& g : genes) {
        if (failed) {
            out << core::Expected<SourceValue>(failure);
            continue;
        }
        SourceValue v;
        v.releases = releases;
        QList<QJsonObject> matches;
        for (const QJsonValue& e : entries) {
            const QJsonObject o = e.toObject();
            const QString accession = o.value(QStringLiteral("primaryAccession")).toString();
            if (!g.uniprotIds.isEmpty() ? g.uniprotIds.contains(accession)
                                        : o.value(QStringLiteral("genes")).toArray().first().toObject().value(QStringLiteral("geneName")).toObject().value(QStringLiteral("value")).toString().compare(g.symbol, Qt::CaseInsensitive) == 0)
                matches << o;
        }
        if (matches.size() == 1 || (!g.uniprotIds.isEmpty() && !matches.isEmpty())) {
            v.status = SourceValue::Status::Found;
            v.value = valueOf(matches.first()); // by accession: HGNC's first accession that UniProt has
            v.joinedOn = g.uniprotIds.isEmpty() ? QStringLiteral("gene name %1 (REST; fallback: no accession)").arg(g.symbol)
                                                : QStringLiteral("UniProt %1 (REST)").arg(v.value.value(QStringLiteral("accession")).toString());
            v.symbolFallback = g.uniprotIds.isEmpty();
        } else {
            v.error = matches.isEmpty() ? QStringLiteral("no reviewed UniProtKB entry for %1").arg(g.uniprotIds.isEmpty() ? g.symbol : g.uniprotIds.join(QLatin1Char(',')))
                                        : QStringLiteral("gene name %1 gives %2 reviewed entries: not guessed").arg(g.symbol, QString::number(matches.size()));
        }
        out << core::Expected<SourceValue>(v);
    }
    return out;
}

} // namespace bioforge::annotation
