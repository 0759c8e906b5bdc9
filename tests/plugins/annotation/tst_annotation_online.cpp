// The online path of an annotate run against providers on loopback (HGNC
// REST and gnomAD GraphQL in their documented shapes): what the bulk files
// answer is not asked again, the rest comes from the API with its release;
// a second run makes zero requests (the cache); a new release invalidates;
// a gene that keeps failing does not hold up the others and is tried once
// more after the pass (requests counted: one retry layer).

#include "annotation_test_support.h"
#include "checkpoint/checkpoint_store.h"
#include "identity/hgnc_reader.h"
#include "identity/orgdb.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "net/response_cache.h"
#include "pipeline/annotate_job.h"
#include "provenance/provenance_recorder.h"
#include "provider_server.h"
#include "support/test_support.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QJsonDocument>
#include <QtTest>

#include <atomic>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

namespace {

// gnomAD's GraphQL endpoint with aliased genes (g0: gene(gene_id: "…") …): constraint for Ensembl ids,
// null and a "Gene not found" error naming the alias otherwise, a 500 when a batch holds the failing gene.
void serveGnomad(ProviderServer& server, const QString& failingEnsembl, const QString& unknownEnsembl = {})
{
    server.route(QStringLiteral("/api"), [failingEnsembl, unknownEnsembl](const ProviderServer::Request& r) {
        const QString query = QJsonDocument::fromJson(r.body).object().value(QStringLiteral("query")).toString();
        if (r.method != "POST" || !query.contains(QStringLiteral("gnomad_constraint")))
            return ProviderServer::json("{\"errors\":[{\"message\":\"bad query\"}]}", 400);
        static const QRegularExpression alias(QStringLiteral("(g\\d+): gene\\((gene_id|gene_symbol): \"([^\"]+)\""));
        QJsonObject data;
        QJsonArray errors;
        for (auto it = alias.globalMatch(query); it.hasNext();) {
            const auto m = it.next();
            const QString id = m.captured(3);
            if (id == failingEnsembl)
                return ProviderServer::json("{\"error\":\"internal\"}", 500);
            if (!id.startsWith(QStringLiteral("ENSG")) || id == unknownEnsembl) {
                data.insert(m.captured(1), QJsonValue::Null);
                errors.append(QJsonObject{{QStringLiteral("message"), QStringLiteral("Gene not found")}, {QStringLiteral("path"), QJsonArray{m.captured(1)}}});
                continue;
            }
            const double oe = 0.1 + double(qHash(id) % 100) / 100.0;
            data.insert(m.captured(1), QJsonObject{{QStringLiteral("gene_id"), id},
                                                   {QStringLiteral("symbol"), QStringLiteral("X")},
                                                   {QStringLiteral("canonical_transcript_id"), QStringLiteral("ENST00000000001")},
                                                   {QStringLiteral("gnomad_constraint"), QJsonObject{{QStringLiteral("pLI"), 0.5}, {QStringLiteral("oe_lof"), oe},
                                                                                                     {QStringLiteral("oe_lof_upper"), oe + 0.2}, {QStringLiteral("lof_z"), 2.0},
                                                                                                     {QStringLiteral("flags"), QJsonArray()}}}});
        }
        QJsonObject body{{QStringLiteral("data"), data}};
        if (!errors.isEmpty())
            body.insert(QStringLiteral("errors"), errors);
        return ProviderServer::json(QJsonDocument(body).toJson(QJsonDocument::Compact));
    });
}

} // namespace

class TstAnnotationOnline : public QObject {
    Q_OBJECT
    TestLibrary m_lib;

private slots:
    void initTestCase()
    {
        QVERIFY(m_lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt"))));
        // gnomAD's file knows PKD1 only: the API answers for the others.
        QByteArray tsv = "gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof.pLI\tlof.oe\tlof.oe_ci.lower\tlof.oe_ci.upper\tlof.z_score\tlof.obs\tlof.exp\t"
                         "mis.z_score\tmis.oe\tmis.oe_ci.lower\tmis.oe_ci.upper\tmis.obs\tmis.exp\tsyn.z_score\tsyn.oe\tsyn.oe_ci.lower\tsyn.oe_ci.upper\tsyn.obs\tsyn.exp\n"
                         "PKD1\tENSG00000008710\tENST00000262304\ttrue\ttrue\t1\t0.05\t0.03\t0.09\t9\t5\t100\t3\t0.7\t0.6\t0.8\t900\t1300\t0.1\t1\t0.9\t1.1\t500\t500\n";
        QVERIFY(m_lib.importText(QStringLiteral("gnomad"), QStringLiteral("gnomad.v4.1.constraint_metrics.tsv"), tsv));
    }

    void theApiAnswersWhatTheFilesDoNotAndTheCacheTheNextRun()
    {
        ProviderServer gnomad;
        serveGnomad(gnomad, QString(), QStringLiteral("ENSG00000188153")); // gnomAD does not know COL4A5 (an error naming its alias)
        QTemporaryDir a, b;
        const QString cache = m_lib.dir.filePath(QStringLiteral("cache-1.sqlite"));
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("PKD1 PKD2 UMOD NPHS1 COL4A5")},
                            {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("hgnc,gnomad")},
                            {QStringLiteral("api_urls"), QStringLiteral("gnomad=") + gnomad.url(QString()).toString()},
                            {QStringLiteral("cache"), cache}};
        const OnlineOutcome first = runOnline(a.path(), p, fastLimits(gnomad));
        QVERIFY2(first.outcome == core::JobOutcome::Finished, qPrintable(first.error));
        // PKD1 from the file, the four others from the API in one request (aliases); HGNC entirely from its file.
        QCOMPARE(gnomad.requests(QStringLiteral("/api")).size(), 1);
        QVERIFY(sourceOf(first.genes, QStringLiteral("PKD1"), QStringLiteral("gnomad")).value(QStringLiteral("joined_on")).toString().startsWith(QStringLiteral("Ensembl gene ENSG00000008710")));
        const QJsonObject umod = sourceOf(first.genes, QStringLiteral("UMOD"), QStringLiteral("gnomad"));
        QCOMPARE(umod.value(QStringLiteral("status")).toString(), QStringLiteral("found"));
        QVERIFY(umod.value(QStringLiteral("joined_on")).toString().endsWith(QStringLiteral("(API)")));
        QVERIFY(umod.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("release")).toString().startsWith(QStringLiteral("gnomAD GraphQL API")));
        QVERIFY(umod.value(QStringLiteral("value")).toObject().contains(QStringLiteral("loeuf")));
        const QJsonObject col4a5 = sourceOf(first.genes, QStringLiteral("COL4A5"), QStringLiteral("gnomad"));
        QCOMPARE(col4a5.value(QStringLiteral("status")).toString(), QStringLiteral("absent")); // the others in its request are answered
        QVERIFY(col4a5.value(QStringLiteral("error")).toString().contains(QStringLiteral("ENSG00000188153")));
        QCOMPARE(first.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("cache_misses")).toInt(), 4);
        // The same list again: zero requests.
        gnomad.clearRequests();
        const OnlineOutcome second = runOnline(b.path(), p, fastLimits(gnomad));
        QVERIFY2(second.outcome == core::JobOutcome::Finished, qPrintable(second.error));
        QCOMPARE(gnomad.requests().size(), 0);
        QCOMPARE(second.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("requests")).toInt(), 0);
        QCOMPARE(second.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("cache_hits")).toInt(), 4);
        QCOMPARE(sourceOf(second.genes, QStringLiteral("UMOD"), QStringLiteral("gnomad")).value(QStringLiteral("value")).toObject(), umod.value(QStringLiteral("value")).toObject());
        // Another server (a mirror, the real provider after a test one): the first one's answers are not its answers.
        ProviderServer other;
        serveGnomad(other, QString(), QStringLiteral("ENSG00000188153"));
        QJsonObject elsewhere = p;
        elsewhere.insert(QStringLiteral("api_urls"), QStringLiteral("gnomad=") + other.url(QString()).toString());
        QTemporaryDir c;
        const OnlineOutcome third = runOnline(c.path(), elsewhere, fastLimits(other));
        QVERIFY2(third.outcome == core::JobOutcome::Finished, qPrintable(third.error));
        QCOMPARE(other.requests(QStringLiteral("/api")).size(), 1);
        QCOMPARE(third.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("cache_hits")).toInt(), 0);
        // A cache cut short (a crash, a full disk) is moved aside, said, and the run asks the API.
        const QString damaged = m_lib.dir.filePath(QStringLiteral("cache-damaged.sqlite"));
        QVERIFY(writeAll(damaged, QByteArray("SQLite format 3\0", 16) + QByteArray(3000, '\x01')));
        elsewhere.insert(QStringLiteral("cache"), damaged);
        QTemporaryDir d;
        const OnlineOutcome fourth = runOnline(d.path(), elsewhere, fastLimits(other));
        QVERIFY2(fourth.outcome == core::JobOutcome::Finished, qPrintable(fourth.error));
        QVERIFY2(fourth.allWarnings.join(QLatin1Char('\n')).contains(QStringLiteral("the API cache could not be opened")), qPrintable(fourth.allWarnings.join(QLatin1Char('\n'))));
        QVERIFY(!QDir(m_lib.dir.path()).entryList({QStringLiteral("cache-damaged.sqlite.damaged-*")}, QDir::Files).isEmpty());
        QCOMPARE(fourth.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("cache_misses")).toInt(), 4);
        // A file that is no cache at all (a gene list given as --cache by mistake): left as it is, said; memory only.
        const QString genes = m_lib.dir.filePath(QStringLiteral("genes-as-cache.txt"));
        QVERIFY(writeAll(genes, "PKD1\nUMOD\n"));
        elsewhere.insert(QStringLiteral("cache"), genes);
        QTemporaryDir e;
        const OnlineOutcome fifth = runOnline(e.path(), elsewhere, fastLimits(other));
        QVERIFY2(fifth.outcome == core::JobOutcome::Finished, qPrintable(fifth.error));
        QVERIFY2(fifth.allWarnings.join(QLatin1Char('\n')).contains(QStringLiteral("is not a cache (it does not start as an SQLite file does)")),
                 qPrintable(fifth.allWarnings.join(QLatin1Char('\n'))));
        QCOMPARE(readAll(genes), QByteArray("PKD1\nUMOD\n"));
        QVERIFY(QDir(m_lib.dir.path()).entryList({QStringLiteral("genes-as-cache.txt.*")}, QDir::Files).isEmpty());
    }

    void aFailingGeneDoesNotHoldUpTheOthersAndIsTriedOnceMore()
    {
        ProviderServer gnomad;
        serveGnomad(gnomad, QStringLiteral("ENSG00000169344")); // UMOD's id: always 500
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("UMOD PKD2 NPHS1 COL4A5 NOTAGENE1")},
                            {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("gnomad")},
                            {QStringLiteral("api_urls"), QStringLiteral("gnomad=") + gnomad.url(QString()).toString()},
                            {QStringLiteral("cache"), m_lib.dir.filePath(QStringLiteral("cache-2.sqlite"))},
                            {QStringLiteral("batch"), 1}};
        const OnlineOutcome o = runOnline(run.path(), p, fastLimits(gnomad));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        for (const char* ok : {"PKD2", "NPHS1", "COL4A5"})
            QCOMPARE(sourceOf(o.genes, QLatin1String(ok), QStringLiteral("gnomad")).value(QStringLiteral("status")).toString(), QStringLiteral("found"));
        const QJsonObject umod = sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("gnomad"));
        QCOMPARE(umod.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QVERIFY2(umod.value(QStringLiteral("error")).toString().contains(QStringLiteral("HTTP 500")), qPrintable(umod.value(QStringLiteral("error")).toString()));
        // The batch with UMOD: 3 attempts in the pass; UMOD alone: 3 in the retry after it (the others then
        // answer): no retry around the client's retries.
        int umodRequests = 0;
        for (const auto& r : gnomad.requests(QStringLiteral("/api")))
            umodRequests += r.body.contains("ENSG00000169344") ? 1 : 0;
        QCOMPARE(umodRequests, 6);
        // The failed pair is not done: the next start tries it again (here it succeeds).
        serveGnomad(gnomad, QString());
        const OnlineOutcome again = runOnline(run.path(), p, fastLimits(gnomad));
        QVERIFY2(again.outcome == core::JobOutcome::Finished, qPrintable(again.error));
        QCOMPARE(sourceOf(again.genes, QStringLiteral("UMOD"), QStringLiteral("gnomad")).value(QStringLiteral("status")).toString(), QStringLiteral("found"));
    }

    void clinvarThroughEutilitiesWithTheKeyKeptOutOfTheResults()
    {
        ProviderServer ncbi;
        // Three variations for PKD1 (two pages of esearch at retmax 2 would be the server's choice; it pages at 2).
        ncbi.route(QStringLiteral("/einfo.fcgi"), [](const ProviderServer::Request&) {
            return ProviderServer::json("{\"einforesult\":{\"dbinfo\":[{\"dbname\":\"clinvar\",\"lastupdate\":\"2026/11/24 10:12\"}]}}");
        });
        ncbi.route(QStringLiteral("/esearch.fcgi"), [](const ProviderServer::Request& r) {
            const QUrlQuery q(r.query);
            const int start = q.queryItemValue(QStringLiteral("retstart")).toInt();
            const QStringList all = q.queryItemValue(QStringLiteral("term")).startsWith(QStringLiteral("PKD1")) ? QStringList{"101", "102", "103"} : QStringList{};
            const QStringList page = all.mid(start, 2); // the server returns at most 2 a page
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("esearchresult"),
                                                                   QJsonObject{{QStringLiteral("count"), QString::number(all.size())},
                                                                               {QStringLiteral("idlist"), QJsonArray::fromStringList(page)}}}})
                                            .toJson(QJsonDocument::Compact));
        });
        ncbi.route(QStringLiteral("/esummary.fcgi"), [](const ProviderServer::Request& r) {
            const QStringList ids = QUrlQuery(r.query).queryItemValue(QStringLiteral("id")).split(QLatin1Char(','));
            const QHash<QString, std::pair<QString, QString>> docs{
                {QStringLiteral("101"), {QStringLiteral("Pathogenic/Likely pathogenic"), QStringLiteral("NM_001009944.3(PKD1):c.5014_5015del (p.Arg1672fs)")}},
                {QStringLiteral("102"), {QStringLiteral("Conflicting classifications of pathogenicity"), QStringLiteral("NM_001009944.3(PKD1):c.100A>G (p.Lys34Glu)")}},
                {QStringLiteral("103"), {QStringLiteral("Benign"), QStringLiteral("NM_001009944.3(PKD1):c.3297G>A (p.Thr1099=)")}}};
            QJsonObject result{{QStringLiteral("uids"), QJsonArray::fromStringList(ids)}};
            for (const QString& id : ids)
                result.insert(id, QJsonObject{{QStringLiteral("uid"), id}, {QStringLiteral("obj_type"), QStringLiteral("single nucleotide variant")},
                                              {QStringLiteral("title"), docs.value(id).second},
                                              {QStringLiteral("germline_classification"),
                                               QJsonObject{{QStringLiteral("description"), docs.value(id).first},
                                                           {QStringLiteral("review_status"), QStringLiteral("criteria provided, single submitter")},
                                                           {QStringLiteral("trait_set"), QJsonArray{QJsonObject{{QStringLiteral("trait_name"), QStringLiteral("Polycystic kidney disease")}}}}}}});
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("result"), result}}).toJson(QJsonDocument::Compact));
        });
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("PKD1 UMOD")},
                            {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("clinvar")},
                            {QStringLiteral("api_urls"), QStringLiteral("clinvar=") + ncbi.url(QString()).toString()},
                            {QStringLiteral("cache"), m_lib.dir.filePath(QStringLiteral("cache-4.sqlite"))}};
        const OnlineOutcome o = runOnline(run.path(), p, fastLimits(ncbi), QStringLiteral("NCBIKEY42"));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QJsonObject pkd1 = sourceOf(o.genes, QStringLiteral("PKD1"), QStringLiteral("clinvar")).value(QStringLiteral("value")).toObject();
        QCOMPARE(pkd1.value(QStringLiteral("total_variants")).toInt(), 3);
        QCOMPARE(pkd1.value(QStringLiteral("pathogenic_or_likely")).toInt(), 1);
        QCOMPARE(pkd1.value(QStringLiteral("counts")).toObject().value(QStringLiteral("conflicting")).toInt(), 1);
        QCOMPARE(pkd1.value(QStringLiteral("consequences")).toObject().value(QStringLiteral("truncating")).toInt(), 1);
        QCOMPARE(sourceOf(o.genes, QStringLiteral("UMOD"), QStringLiteral("clinvar")).value(QStringLiteral("value")).toObject().value(QStringLiteral("total_variants")).toInt(), 0);
        // Both found; UMOD's a count of 0, counted apart in the summary (the report's "found" read as coverage).
        const QJsonObject clinvar = o.summary.value(QStringLiteral("sources")).toObject().value(QStringLiteral("clinvar")).toObject();
        QCOMPARE(clinvar.value(QStringLiteral("found")).toInt(), 2);
        QCOMPARE(clinvar.value(QStringLiteral("found_listing_nothing")).toInt(), 1);
        QCOMPARE(ncbi.requests(QStringLiteral("/einfo.fcgi")).size(), 1);            // the release, once a run
        QCOMPARE(ncbi.requests(QStringLiteral("/esearch.fcgi")).size(), 2 + 1);      // PKD1 in two pages, UMOD in one
        QCOMPARE(ncbi.requests(QStringLiteral("/esummary.fcgi")).size(), 1);         // PKD1's three ids in one batch
        for (const auto& r : ncbi.requests())
            QVERIFY2(r.query.contains(QStringLiteral("api_key=NCBIKEY42")), qPrintable(r.query)); // every E-utilities request carries the key…
        for (const char* f : {"annotations.json", "summary.json", "provenance.json", "coverage.tsv"})  // …and no file of the run
            QVERIFY2(!readAll(run.filePath(QStringLiteral("out/") + QLatin1String(f))).contains("NCBIKEY42"), f);
    }

    void anOpenedCircuitIsSaidWhileTheRunGoes()
    {
        ProviderServer gnomad;
        gnomad.route(QStringLiteral("/api"), [](const ProviderServer::Request&) { return ProviderServer::json("{}", 503); }); // down
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("UMOD PKD1 PKD2 NPHS1 NPHS2 COL4A5 COL4A3 WT1")},
                            {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("gnomad")},
                            {QStringLiteral("api_urls"), QStringLiteral("gnomad=") + gnomad.url(QString()).toString()},
                            {QStringLiteral("cache"), m_lib.dir.filePath(QStringLiteral("cache-circuit.sqlite"))},
                            {QStringLiteral("batch"), 1}};
        const OnlineOutcome o = runOnline(run.path(), p, fastLimits(gnomad));
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error)); // the genes fail, the run does not
        QVERIFY2(!o.allWarnings.filter(QStringLiteral("circuit")).filter(QStringLiteral("opened")).isEmpty(), qPrintable(o.allWarnings.join(QLatin1Char('\n'))));
        // The values that failed are counted where the run is read (coverage.tsv has each).
        QVERIFY2(!o.allWarnings.filter(QRegularExpression(QStringLiteral("^gnomAD constraint: \\d+ of 8 values failed \\(.*HTTP 503"))).isEmpty(),
                 qPrintable(o.allWarnings.join(QLatin1Char('\n'))));
        QCOMPARE(o.summary.value(QStringLiteral("online")).toObject().value(QStringLiteral("circuits")).toObject().value(QStringLiteral("gnomad")).toString(),
                 QStringLiteral("open"));
    }

    void aNewReleaseInvalidatesTheCache()
    {
        const QString path = m_lib.dir.filePath(QStringLiteral("cache-3.sqlite"));
        {
            ResponseCache cache(path);
            QVERIFY(cache.put(QStringLiteral("hgnc"), QStringLiteral("HGNC:1"), QStringLiteral("r1"), QJsonObject{{QStringLiteral("v"), 1}}, 3600));
            auto hit = cache.get(QStringLiteral("hgnc"), QStringLiteral("HGNC:1"), QStringLiteral("r1"));
            QVERIFY(hit && *hit);
            QVERIFY(cache.put(QStringLiteral("hgnc"), QStringLiteral("HGNC:2"), QStringLiteral("r2"), QJsonObject{{QStringLiteral("v"), 2}}, 3600));
            cache.closeThisThread();
        }
        ResponseCache fresh(path); // L2 only now
        auto old = fresh.get(QStringLiteral("hgnc"), QStringLiteral("HGNC:1"), QStringLiteral("r1"));
        QVERIFY(old && !*old); // dropped when r2 arrived
        auto current = fresh.get(QStringLiteral("hgnc"), QStringLiteral("HGNC:2"), QStringLiteral("r2"));
        QVERIFY(current && *current);
        QVERIFY(fresh.put(QStringLiteral("hgnc"), QStringLiteral("HGNC:3"), QStringLiteral("r2"), QJsonObject{}, -1)); // already expired
        auto expired = fresh.get(QStringLiteral("hgnc"), QStringLiteral("HGNC:3"), QStringLiteral("r2"));
        QVERIFY(expired); // L1 still has it within this process…
        fresh.closeThisThread();
        ResponseCache third(path);
        auto afterRestart = third.get(QStringLiteral("hgnc"), QStringLiteral("HGNC:3"), QStringLiteral("r2"));
        QVERIFY(afterRestart && !*afterRestart); // …but the stored entry has expired
        third.closeThisThread();
        QCOMPARE(fresh.hits() + fresh.misses(), qint64(3));
    }

    void hgncRestWithItsReleaseWhenOnlyNcbiGeneIsImported()
    {
        const QString orgdb = OrgDb::findInstalled();
        if (orgdb.isEmpty())
            QSKIP("org.Hs.eg.db is not installed (Debian: r-bioc-org.hs.eg.db)");
        TestLibrary lib;
        QVERIFY(lib.import(QStringLiteral("orgdb"), orgdb));
        ProviderServer hgnc;
        std::atomic<int> month{7}; // HGNC's data date; the server thread reads it
        auto modified = [&month] { return QStringLiteral("2025-%1-22T00:00:00Z").arg(month.load(), 2, 10, QLatin1Char('0')); };
        QHash<QString, QJsonObject> docs;
        QVERIFY(readHgncCompleteSet(annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt")), [&](const GeneRecord& g) {
            docs.insert(g.symbol, QJsonObject{{QStringLiteral("hgnc_id"), g.hgncId}, {QStringLiteral("symbol"), g.symbol}, {QStringLiteral("name"), g.name},
                                              {QStringLiteral("entrez_id"), g.ncbiGeneId}, {QStringLiteral("ensembl_gene_id"), g.ensemblGeneId},
                                              {QStringLiteral("status"), QStringLiteral("Approved")}});
            return core::okStatus();
        }));
        hgnc.route(QStringLiteral("/info"), [&](const ProviderServer::Request&) {
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("lastModified"), modified()}, {QStringLiteral("numDoc"), 33}}).toJson());
        });
        hgnc.route(QStringLiteral("/fetch/symbol/"), [&](const ProviderServer::Request& r) {
            if (r.headers.value("accept") != "application/json")
                return ProviderServer::Response{200, "<?xml version=\"1.0\"?><response/>", {{"Content-Type", "text/xml"}}, 0, -1, false};
            const QString symbol = QUrl::fromPercentEncoding(r.path.mid(14).toUtf8());
            const QJsonArray found = docs.contains(symbol) ? QJsonArray{docs.value(symbol)} : QJsonArray();
            return ProviderServer::json(QJsonDocument(QJsonObject{{QStringLiteral("response"), QJsonObject{{QStringLiteral("numFound"), found.size()},
                                                                                                            {QStringLiteral("docs"), found}}}})
                                            .toJson(QJsonDocument::Compact));
        });
        QTemporaryDir a, b, c;
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("PKD1 HLA-B UMOD")},
                            {QStringLiteral("library"), lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("hgnc")},
                            {QStringLiteral("api_urls"), QStringLiteral("hgnc=") + hgnc.url(QString()).toString()},
                            {QStringLiteral("cache"), lib.dir.filePath(QStringLiteral("cache.sqlite"))}};
        const OnlineOutcome first = runOnline(a.path(), p, fastLimits(hgnc));
        QVERIFY2(first.outcome == core::JobOutcome::Finished, qPrintable(first.error));
        const QJsonObject hlab = sourceOf(first.genes, QStringLiteral("HLA-B"), QStringLiteral("hgnc"));
        QCOMPARE(hlab.value(QStringLiteral("value")).toObject().value(QStringLiteral("hgnc_id")).toString(), QStringLiteral("HGNC:4932"));
        QVERIFY(hlab.value(QStringLiteral("symbol_fallback")).toBool()); // no HGNC id to ask by: the symbol, marked
        QVERIFY(hlab.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("release")).toString().contains(modified()));
        QCOMPARE(hgnc.requests(QStringLiteral("/fetch")).size(), 3);
        QVERIFY(runOnline(b.path(), p, fastLimits(hgnc)).outcome == core::JobOutcome::Finished);
        QCOMPARE(hgnc.requests(QStringLiteral("/fetch")).size(), 3); // cached
        month = 8; // HGNC publishes: the cache no longer answers
        QVERIFY(runOnline(c.path(), p, fastLimits(hgnc)).outcome == core::JobOutcome::Finished);
        QCOMPARE(hgnc.requests(QStringLiteral("/fetch")).size(), 6);
    }
};

QTEST_GUILESS_MAIN(TstAnnotationOnline)
#include "tst_annotation_online.moc"
