// The other providers' APIs against loopback servers in their documented
// shapes: UniProt's search followed page by page through its Link header
// (the reference lost everything past the first page) with the release from
// X-UniProt-Release; Ensembl's POST lookup/id with null for unknown ids and
// exons in transcript order; PubTator3's search with hyphenated symbols in
// its highlights.

#include "annotation_test_support.h"
#include "provider_server.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

class TstAnnotationOnlineSources : public QObject {
    Q_OBJECT
    TestLibrary m_lib;

    QJsonObject parameters(const QString& source, const ProviderServer& server, const QString& genes, const QString& cache) const
    {
        return {{QStringLiteral("genes_text"), genes},
                {QStringLiteral("library"), m_lib.library->path()},
                {QStringLiteral("sources"), source},
                {QStringLiteral("api_urls"), source + QLatin1Char('=') + server.url(QString()).toString()},
                {QStringLiteral("cache"), m_lib.dir.filePath(cache)}};
    }

private slots:
    void initTestCase() { QVERIFY(m_lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt")))); }

    void uniprotFollowsEveryPage()
    {
        ProviderServer uniprot;
        uniprot.route(QStringLiteral("/uniprotkb/search"), [&uniprot](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            const QString query = q.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded);
            QStringList accessions;
            static const QRegularExpression accession(QStringLiteral("accession:([A-Z0-9]+)"));
            for (auto it = accession.globalMatch(query); it.hasNext();)
                accessions << it.next().captured(1);
            if (accessions.isEmpty())
                accessions << QStringLiteral("P00000"); // the release probe
            // Two entries a page, whatever `size` asks: the client must follow Link.
            const int at = q.queryItemValue(QStringLiteral("cursor")).toInt();
            QJsonArray results;
            for (const QString& a : accessions.mid(at, 2))
                results.append(QJsonObject{{QStringLiteral("primaryAccession"), a}, {QStringLiteral("uniProtkbId"), a + QStringLiteral("_HUMAN")},
                                           {QStringLiteral("sequence"), QJsonObject{{QStringLiteral("length"), 100 + a.size()}}},
                                           {QStringLiteral("features"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Domain")}, {QStringLiteral("description"), QStringLiteral("D")},
                                                                                               {QStringLiteral("location"), QJsonObject{{QStringLiteral("start"), QJsonObject{{QStringLiteral("value"), 5}}},
                                                                                                                                        {QStringLiteral("end"), QJsonObject{{QStringLiteral("value"), 50}}}}}}}},
                                           {QStringLiteral("uniProtKBCrossReferences"), QJsonArray{QJsonObject{{QStringLiteral("database"), QStringLiteral("Pfam")}, {QStringLiteral("id"), QStringLiteral("PF00001")}}}}});
            ProviderServer::Response answer = ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("results"), results}}).toJson(QJsonDocument::Compact));
            answer.headers = {{"X-UniProt-Release", "2025_04"}};
            if (at + 2 < accessions.size()) {
                QUrlQuery next(q);
                next.removeAllQueryItems(QStringLiteral("cursor"));
                next.addQueryItem(QStringLiteral("cursor"), QString::number(at + 2));
                QUrl url = uniprot.url(QStringLiteral("/uniprotkb/search"));
                url.setQuery(next);
                answer.headers.append({"Link", "<" + url.toEncoded() + ">; rel=\"next\""});
            }
            return answer;
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("uniprot"), uniprot, QStringLiteral("PKD1 PKD2 UMOD NPHS1 COL4A5"), QStringLiteral("u.sqlite")),
                                          fastLimits(uniprot));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        for (const char* symbol : {"PKD1", "PKD2", "UMOD", "NPHS1", "COL4A5"}) {
            const QJsonObject v = sourceOf(o.genes, QLatin1String(symbol), QStringLiteral("uniprot"));
            QVERIFY2(v.value(QStringLiteral("status")).toString() == QLatin1String("found"), symbol);
            QCOMPARE(v.value(QStringLiteral("value")).toObject().value(QStringLiteral("domain_count")).toInt(), 1);
            QVERIFY(v.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("release")).toString().contains(QStringLiteral("2025_04")));
        }
        QCOMPARE(uniprot.requests().size(), 1 + 3); // the release, then one search in three pages
    }

    void ensemblRestLookupByIdInOneRequest()
    {
        ProviderServer ensembl;
        ensembl.route(QStringLiteral("/info/data"), [](const ProviderServer::Request&) { return ProviderServer::json("{\"releases\":[115]}"); });
        ensembl.route(QStringLiteral("/lookup/id"), [](const ProviderServer::Request& r) {
            QJsonObject out;
            for (const QJsonValue& id : QJsonDocument::fromJson(r.body).object().value(QStringLiteral("ids")).toArray()) {
                if (id.toString() != QLatin1String("ENSG00000169344")) {
                    out.insert(id.toString(), QJsonValue::Null); // Ensembl answers unknown ids with null
                    continue;
                }
                // UMOD, minus strand: exons listed by rank, the first with the highest coordinates.
                const QJsonArray exons{QJsonObject{{QStringLiteral("id"), QStringLiteral("E1")}, {QStringLiteral("start"), 20355000}, {QStringLiteral("end"), 20356000}},
                                       QJsonObject{{QStringLiteral("id"), QStringLiteral("E2")}, {QStringLiteral("start"), 20340000}, {QStringLiteral("end"), 20341000}}};
                out.insert(id.toString(),
                           QJsonObject{{QStringLiteral("id"), id.toString()}, {QStringLiteral("display_name"), QStringLiteral("UMOD")},
                                       {QStringLiteral("biotype"), QStringLiteral("protein_coding")}, {QStringLiteral("seq_region_name"), QStringLiteral("16")},
                                       {QStringLiteral("start"), 20333000}, {QStringLiteral("end"), 20356000}, {QStringLiteral("strand"), -1},
                                       {QStringLiteral("Transcript"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ENST2")}, {QStringLiteral("is_canonical"), 0},
                                                                                             {QStringLiteral("biotype"), QStringLiteral("protein_coding")}, {QStringLiteral("start"), 1}, {QStringLiteral("end"), 2}},
                                                                                 QJsonObject{{QStringLiteral("id"), QStringLiteral("ENST00000396138")}, {QStringLiteral("is_canonical"), 1},
                                                                                             {QStringLiteral("biotype"), QStringLiteral("protein_coding")}, {QStringLiteral("start"), 20333000},
                                                                                             {QStringLiteral("end"), 20356000}, {QStringLiteral("Exon"), exons}}}}});
            }
            return ProviderServer::json(QJsonDocument(out).toJson(QJsonDocument::Compact));
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("ensembl"), ensembl, QStringLiteral("UMOD PKD1"), QStringLiteral("e.sqlite")),
                                          fastLimits(ensembl));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject umod = sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("ensembl"));
        const QJsonObject t = umod.value(QStringLiteral("value")).toObject().value(QStringLiteral("canonical_transcript")).toObject();
        QCOMPARE(t.value(QStringLiteral("transcript_id")).toString(), QStringLiteral("ENST00000396138"));
        QCOMPARE(t.value(QStringLiteral("exons")).toArray().first().toObject().value(QStringLiteral("start")).toInt(), 20355000);
        QCOMPARE(umod.value(QStringLiteral("value")).toObject().value(QStringLiteral("strand")).toString(), QStringLiteral("-"));
        QVERIFY(umod.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("release")).toString().contains(QStringLiteral("115")));
        QCOMPARE(sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("ensembl")).value(QStringLiteral("status")).toString(), QStringLiteral("absent"));
        QCOMPARE(ensembl.requests(QStringLiteral("/lookup/id")).size(), 1); // both genes in one request
    }

    void pubtatorSearchKeepsHyphenatedSymbols()
    {
        ProviderServer pubtator;
        pubtator.route(QStringLiteral("/search/"), [](const ProviderServer::Request& r) {
            const QString text = QUrlQuery(r.query).queryItemValue(QStringLiteral("text"), QUrl::FullyDecoded);
            if (text != QLatin1String("@GENE_HLA-B"))
                return ProviderServer::json("{\"results\":[],\"count\":0,\"total_pages\":0}");
            return ProviderServer::json("{\"count\":1234,\"total_pages\":124,\"results\":["
                                        "{\"pmid\":39000001,\"text_hl\":\"Alleles of @GENE_HLA-B @GENE_3106 @@@<m>HLA-B</m>@@@ in nephropathy\"},"
                                        "{\"pmid\":39000007,\"text_hl\":\"@GENE_HLA-B @GENE_3106 @@@HLA-B*58:01@@@ and @GENE_APOL1 @GENE_8542 @@@APOL1@@@\"}]}");
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("pubtator"), pubtator, QStringLiteral("HLA-B UMOD"), QStringLiteral("p.sqlite")),
                                          fastLimits(pubtator));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject hlab = sourceOf(o.genes, QStringLiteral("HLA-B"), QStringLiteral("pubtator")).value(QStringLiteral("value")).toObject();
        QCOMPARE(hlab.value(QStringLiteral("publication_count")).toInt(), 1234);
        QCOMPARE(hlab.value(QStringLiteral("newest_pmids")).toArray().first().toInteger(), qint64(39000007));
        QStringList texts;
        for (const QJsonValue& m : hlab.value(QStringLiteral("top_mentions")).toArray())
            texts << m.toObject().value(QStringLiteral("text")).toString();
        QVERIFY2(texts.contains(QStringLiteral("HLA-B")) && texts.contains(QStringLiteral("HLA-B*58:01")) && !texts.contains(QStringLiteral("APOL1")), qPrintable(texts.join(QLatin1Char('|'))));
        QCOMPARE(sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("pubtator")).value(QStringLiteral("value")).toObject().value(QStringLiteral("publication_count")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TstAnnotationOnlineSources)
#include "tst_annotation_online_sources.moc"
