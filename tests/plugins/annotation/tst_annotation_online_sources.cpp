// The other providers' APIs against loopback servers in their documented
// shapes: UniProt's search followed page by page through its Link header
// (the reference lost everything past the first page) with the release from
// X-UniProt-Release; Ensembl's POST lookup/id with null for unknown ids and
// exons in transcript order; PubTator3's search with hyphenated symbols in
// its highlights; the GTEx Portal's gene reference and median expression
// for a batch in few requests, every page followed; the JAX HPO network by
// NCBI gene id, a 404 meaning no annotated phenotype; STRING's ids then
// partners for a batch, the partners within the list added after the cache;
// MouseMine's LOOKUP for a batch, synonym matches dropped.

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

    void gtexPortalBatchesAndFollowsEveryPage()
    {
        ProviderServer gtex;
        gtex.route(QStringLiteral("/reference/gene"), [](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            QJsonArray data;
            const QHash<QString, std::pair<QString, QString>> known{{QStringLiteral("ENSG00000169344"), {QStringLiteral("ENSG00000169344.15"), QStringLiteral("UMOD")}},
                                                                    {QStringLiteral("ENSG00000008710"), {QStringLiteral("ENSG00000008710.19"), QStringLiteral("PKD1")}}};
            for (const QString& id : q.allQueryItemValues(QStringLiteral("geneId")))
                if (known.contains(id))
                    data.append(QJsonObject{{QStringLiteral("gencodeId"), known[id].first}, {QStringLiteral("geneSymbol"), known[id].second}});
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson(QJsonDocument::Compact));
        });
        gtex.route(QStringLiteral("/expression/medianGeneExpression"), [](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            if (q.queryItemValue(QStringLiteral("datasetId")) != QLatin1String("gtex_v8"))
                return ProviderServer::json("{\"data\":[]}", 400);
            auto row = [](const char* gene, const char* tissue, QJsonValue median) {
                return QJsonObject{{QStringLiteral("gencodeId"), QLatin1String(gene)}, {QStringLiteral("tissueSiteDetailId"), QLatin1String(tissue)},
                                   {QStringLiteral("median"), median}, {QStringLiteral("unit"), QStringLiteral("TPM")}};
            };
            QJsonArray data;
            if (q.queryItemValue(QStringLiteral("page")) == QLatin1String("0"))
                data = {row("ENSG00000169344.15", "Kidney_Cortex", 5000.5), row("ENSG00000169344.15", "Whole_Blood", 0.1)};
            else
                data = {row("ENSG00000169344.15", "Kidney_Medulla", 3000.0), row("ENSG00000008710.19", "Kidney_Cortex", 20.0),
                        row("ENSG00000008710.19", "Liver", QJsonValue::Null)};
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("data"), data},
                                                                  {QStringLiteral("paging_info"), QJsonObject{{QStringLiteral("numberOfPages"), 2}}}})
                                            .toJson(QJsonDocument::Compact));
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("gtex"), gtex, QStringLiteral("UMOD PKD1 NPHS1"), QStringLiteral("g.sqlite")), fastLimits(gtex));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject umod = sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("gtex")).value(QStringLiteral("value")).toObject();
        QCOMPARE(umod.value(QStringLiteral("gencode_id")).toString(), QStringLiteral("ENSG00000169344.15"));
        QCOMPARE(umod.value(QStringLiteral("kidney_cortex")).toDouble(), 5000.5);
        QCOMPARE(umod.value(QStringLiteral("kidney_medulla")).toDouble(), 3000.0); // from the second page
        QCOMPARE(umod.value(QStringLiteral("top_tissue")).toString(), QStringLiteral("Kidney_Cortex"));
        const QJsonObject pkd1 = sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("gtex")).value(QStringLiteral("value")).toObject();
        QVERIFY(!pkd1.value(QStringLiteral("median_tpm")).toObject().contains(QStringLiteral("Liver"))); // null median: no value
        QCOMPARE(sourceOf(o.genes, QStringLiteral("NPHS1"), QStringLiteral("gtex")).value(QStringLiteral("status")).toString(), QStringLiteral("absent"));
        QCOMPARE(gtex.requests(QStringLiteral("/reference/gene")).size(), 1);                 // the whole batch at once
        QCOMPARE(gtex.requests(QStringLiteral("/expression/medianGeneExpression")).size(), 2); // two pages
        const QUrlQuery first(gtex.requests(QStringLiteral("/expression/medianGeneExpression")).first().query);
        QCOMPARE(first.allQueryItemValues(QStringLiteral("gencodeId")).size(), 2);
    }

    // JSON of another shape behind a 200 (a proxy's, a wrong mirror path, an API change) is a failed
    // request, never evidence: gnomAD read it as "no such gene", PubTator as "found, 0 papers",
    // GTEx as "absent".
    void answersOfAnotherShapeAreFailuresNotEvidence()
    {
        for (const QString& source : {QStringLiteral("gnomad"), QStringLiteral("pubtator"), QStringLiteral("gtex")}) {
            ProviderServer wrong;
            wrong.route(QStringLiteral("/"), [](const ProviderServer::Request&) {
                return ProviderServer::json(R"({"responseHeader":{"status":0},"response":{"numFound":0,"docs":[]}})");
            });
            QTemporaryDir run;
            const OnlineOutcome o = runOnline(run.path(), parameters(source, wrong, QStringLiteral("PKD1"), QStringLiteral("wrong-%1.sqlite").arg(source)),
                                              fastLimits(wrong));
            QVERIFY2(o.outcome != core::JobOutcome::Finished, qPrintable(source));
            QVERIFY2(o.error.contains(QStringLiteral("every value failed")) && o.error.contains(QStringLiteral("responseHeader")),
                     qPrintable(source + QStringLiteral(": ") + o.error));
        }
    }

    void hpoNetworkByNcbiGeneWith404AsNoPhenotype()
    {
        ProviderServer jax;
        jax.route(QStringLiteral("/network/annotation/"), [](const ProviderServer::Request& r) {
            if (r.path.endsWith(QLatin1String("NCBIGene:7369")))
                return ProviderServer::json("{\"phenotypes\":[{\"id\":\"HP:0000093\",\"name\":\"Proteinuria\"},{\"id\":\"HP:0001997\",\"name\":\"Gout\"},"
                                            "{\"id\":\"HP:0000093\",\"name\":\"Proteinuria\"}],"
                                            "\"diseases\":[{\"id\":\"OMIM:609886\",\"name\":\"ADTKD-UMOD\"},{\"id\":\"OMIM:162000\",\"name\":\"HNFJ1\"}]}");
            return ProviderServer::json("{\"message\":\"not found\"}", 404);
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("hpo"), jax, QStringLiteral("UMOD PKD1"), QStringLiteral("h.sqlite")), fastLimits(jax));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject umod = sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("hpo"));
        QCOMPARE(umod.value(QStringLiteral("value")).toObject().value(QStringLiteral("phenotype_count")).toInt(), 2); // HP:0000093 once
        QCOMPARE(umod.value(QStringLiteral("value")).toObject().value(QStringLiteral("diseases")).toArray(),
                 (QJsonArray{QStringLiteral("OMIM:162000"), QStringLiteral("OMIM:609886")}));
        QVERIFY(umod.value(QStringLiteral("joined_on")).toString().contains(QStringLiteral("7369")));
        const QJsonObject pkd1 = sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("hpo"));
        QCOMPARE(pkd1.value(QStringLiteral("status")).toString(), QStringLiteral("found"));
        QCOMPARE(pkd1.value(QStringLiteral("value")).toObject().value(QStringLiteral("phenotype_count")).toInt(), 0);
    }

    void stringApiPartnersWithinTheListAfterTheCache()
    {
        ProviderServer string;
        string.route(QStringLiteral("/json/version"), [](const ProviderServer::Request&) {
            return ProviderServer::json("[{\"string_version\":\"12.0\",\"stable_address\":\"https://version-12-0.string-db.org\"}]");
        });
        string.route(QStringLiteral("/json/get_string_ids"), [](const ProviderServer::Request& r) {
            const QStringList asked = QUrlQuery(r.query).queryItemValue(QStringLiteral("identifiers"), QUrl::FullyDecoded).split(QLatin1Char('\r'));
            QJsonArray out;
            for (int i = 0; i < asked.size(); ++i) {
                const QString protein = asked[i] == QLatin1String("ENSG00000008710") ? QStringLiteral("9606.ENSP00000262304")
                                        : asked[i] == QLatin1String("ENSG00000118762") ? QStringLiteral("9606.ENSP00000237596") : QString();
                if (!protein.isEmpty())
                    out.append(QJsonObject{{QStringLiteral("queryIndex"), i}, {QStringLiteral("queryItem"), asked[i]}, {QStringLiteral("stringId"), protein}});
            }
            return ProviderServer::json(QJsonDocument(out).toJson(QJsonDocument::Compact));
        });
        string.route(QStringLiteral("/json/interaction_partners"), [](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            if (q.queryItemValue(QStringLiteral("network_type")) != QLatin1String("physical") || q.queryItemValue(QStringLiteral("required_score")) != QLatin1String("400"))
                return ProviderServer::json("[]", 400);
            auto row = [](const char* a, const char* b, const char* nameB, double score) {
                return QJsonObject{{QStringLiteral("stringId_A"), QLatin1String(a)}, {QStringLiteral("preferredName_B"), QLatin1String(nameB)},
                                   {QStringLiteral("stringId_B"), QLatin1String(b)}, {QStringLiteral("score"), score}};
            };
            const QJsonArray rows{row("9606.ENSP00000262304", "9606.ENSP00000237596", "PKD2", 0.999), row("9606.ENSP00000262304", "9606.ENSP1", "TSC2", 0.62),
                                  row("9606.ENSP00000262304", "9606.ENSP2", "LOWSCORE", 0.2), row("9606.ENSP00000237596", "9606.ENSP00000262304", "PKD1", 0.999)};
            return ProviderServer::json(QJsonDocument(rows).toJson(QJsonDocument::Compact));
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("string"), string, QStringLiteral("PKD1 PKD2 UMOD"), QStringLiteral("s.sqlite")), fastLimits(string));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject pkd1 = sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("string")).value(QStringLiteral("value")).toObject();
        QCOMPARE(pkd1.value(QStringLiteral("degree")).toInt(), 2); // the 0.2 partner is under the medium-confidence floor
        QCOMPARE(pkd1.value(QStringLiteral("partners_in_list_count")).toInt(), 1);
        QCOMPARE(pkd1.value(QStringLiteral("partners_in_list")).toArray().first().toObject().value(QStringLiteral("partner")).toString(), QStringLiteral("PKD2"));
        QVERIFY(!pkd1.contains(QStringLiteral("api_partners")));
        QVERIFY(sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("string")).value(QStringLiteral("releases")).toArray().first().toObject()
                    .value(QStringLiteral("release")).toString().contains(QStringLiteral("12.0")));
        QCOMPARE(sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("string")).value(QStringLiteral("status")).toString(), QStringLiteral("absent"));
        QCOMPARE(string.requests(QStringLiteral("/json/interaction_partners")).size(), 1);
        // Another list from the cache: no request, and the partners within *that* list.
        string.clearRequests();
        QTemporaryDir again;
        const OnlineOutcome o2 = runOnline(again.path(), parameters(QStringLiteral("string"), string, QStringLiteral("PKD1 UMOD"), QStringLiteral("s.sqlite")), fastLimits(string));
        QVERIFY2(o2.outcome == core::JobOutcome::Finished, qPrintable(o2.error));
        QCOMPARE(string.requests(QStringLiteral("/json/interaction_partners")).size(), 0);
        QCOMPARE(sourceOf(o2.genes, QStringLiteral("PKD1"), QStringLiteral("string")).value(QStringLiteral("value")).toObject().value(QStringLiteral("partners_in_list_count")).toInt(), 0);
    }

    void mouseMineLookupKeepsExactSymbolsOnly()
    {
        ProviderServer mousemine;
        mousemine.route(QStringLiteral("/version/release"), [](const ProviderServer::Request&) { ProviderServer::Response r; r.body = "MGI 6.24\n"; return r; });
        mousemine.route(QStringLiteral("/template/results"), [](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            if (q.queryItemValue(QStringLiteral("name")) != QLatin1String("HGene_MPhenotype") || q.queryItemValue(QStringLiteral("op1")) != QLatin1String("LOOKUP"))
                return ProviderServer::json("{}", 400);
            return ProviderServer::json("{\"results\":["
                                        "[\"5310\",\"PKD1\",\"H. sapiens\",\"MGI:97603\",\"Pkd1\",\"M. musculus\",\"MP:0008528\",\"polycystic kidney\"],"
                                        "[\"5310\",\"PKD1\",\"H. sapiens\",\"MGI:97603\",\"Pkd1\",\"M. musculus\",\"MP:0003675\",\"kidney cysts\"],"
                                        "[\"5310\",\"PKD1\",\"H. sapiens\",\"MGI:97603\",\"Pkd1\",\"M. musculus\",\"MP:0008528\",\"polycystic kidney\"],"
                                        "[\"9999\",\"PKD1L1\",\"H. sapiens\",\"MGI:1\",\"Pkd1l1\",\"M. musculus\",\"MP:0000001\",\"a synonym's match\"]]}");
        });
        QTemporaryDir run;
        const OnlineOutcome o = runOnline(run.path(), parameters(QStringLiteral("mgi"), mousemine, QStringLiteral("PKD1 UMOD"), QStringLiteral("m.sqlite")), fastLimits(mousemine));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject pkd1 = sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("mgi"));
        QCOMPARE(pkd1.value(QStringLiteral("value")).toObject().value(QStringLiteral("mouse_symbols")).toString(), QStringLiteral("Pkd1"));
        QCOMPARE(pkd1.value(QStringLiteral("value")).toObject().value(QStringLiteral("phenotype_term_count")).toInt(), 2);
        QVERIFY(pkd1.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("release")).toString().contains(QStringLiteral("6.24")));
        QCOMPARE(sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("mgi")).value(QStringLiteral("status")).toString(), QStringLiteral("absent"));
        const QList<ProviderServer::Request> asked = mousemine.requests(QStringLiteral("/template/results"));
        QCOMPARE(asked.size(), 1); // both genes in one LOOKUP
        QCOMPARE(QUrlQuery(asked.first().query).queryItemValue(QStringLiteral("value1"), QUrl::FullyDecoded).split(QLatin1Char(',')).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TstAnnotationOnlineSources)
#include "tst_annotation_online_sources.moc"
