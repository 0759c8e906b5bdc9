// The command line of the annotation plugin (docs/annotation.md): importing
// each provider file of the demo and listing the releases, the exit codes of
// a wrong source or file, an annotate run's files, the report, and kill -9
// in the middle of a run then `bioforge resume`: nothing stored is fetched
// again and the run completes; and the kill -9 property over a demo run.

#include "annotation_cli_test_base.h"
#include "annotation_test_support.h"
#include "identity/orgdb.h"
#include "store/sqlite_db.h"
#include "support/loopback_http_server.h"
#include "support/kill_resume.h"
#include "support/test_support.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::annotation::test;
using namespace bioforge::test;

class TstAnnotationCli : public AnnotationCliTestBase {
    Q_OBJECT
private slots:
    void importEveryDemoFileAndListTheReleases()
    {
        const std::pair<const char*, const char*> files[] = {
            {"hgnc", "hgnc_complete_set.panel.txt"}, {"hgnc", "withdrawn.panel.txt"}, {"gnomad", "demo_gnomad_constraint_metrics.tsv"},
            {"gtex", "demo_GTEx_gene_median_tpm.gct.gz"}, {"clinvar", "demo_clinvar_variant_summary.txt.gz"}, {"hpo", "demo_genes_to_phenotype.txt"},
            {"hpo", "demo_hp.obo"}, {"mgi", "demo_HMD_HumanPhenotype.rpt"}, {"string", "demo_9606.protein.info.txt"},
            {"string", "demo_9606.protein.physical.links.txt.gz"}, {"string", "demo_9606.protein.aliases.txt"}, {"ensembl", "demo_Homo_sapiens.gtf.gz"},
            {"ensembl", "demo_MANE.summary.txt.gz"}, {"uniprot", "demo_uniprotkb_human.tsv"}, {"pubtator", "demo_gene2pubtator3.gz"},
            {"descartes", "demo_descartes_kidney_tpm.csv"}, {"descartes", "demo_descartes_kidney_percentage.csv"}};
        for (const auto& [source, file] : files) {
            const Result r = run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QLatin1String(source),
                                                      annotationDemoPath(QLatin1String(file)), QStringLiteral("--library"), library()});
            QVERIFY2(r.code == 0, qPrintable(QLatin1String(file) + QStringLiteral(": ") + r.err));
            QVERIFY2(r.out.contains(QStringLiteral("sha256")), qPrintable(r.out));
        }
        const Result sources = run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("sources"), QStringLiteral("--library"), library()});
        QCOMPARE(sources.code, 0);
        QVERIFY(sources.out.contains(QStringLiteral("genes: HGNC complete set, records modified up to")));
        QVERIFY(!sources.out.contains(QStringLiteral("constraint: not imported")));
        // Usage and lookup failures have their exit codes, and say what was expected.
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("nosuch"),
                                          annotationDemoPath(QStringLiteral("demo_hp.obo"))}).code, 6);
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("gtex"),
                                          m_dir.filePath(QStringLiteral("missing.gct"))}).code, 6);
        const Result wrong = run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("gtex"),
                                                      annotationDemoPath(QStringLiteral("demo_hp.obo")), QStringLiteral("--library"), library()});
        QCOMPARE(wrong.code, 5); // a file that cannot be used (docs/cli.md), not a failed run
        QVERIFY2(wrong.err.contains(QStringLiteral("GCT")), qPrintable(wrong.err));
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("gtex")}).code, 2);
        // A part the source does not have: a usage error naming the parts (it blamed the file, 5).
        const Result part = run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("gnomad"),
                                                     annotationDemoPath(QStringLiteral("demo_gnomad_constraint_metrics.tsv")), QStringLiteral("--part"),
                                                     QStringLiteral("genes"), QStringLiteral("--library"), library()});
        QVERIFY2(part.code == 2 && part.err.contains(QStringLiteral("gnomad has no part 'genes' (parts: constraint)")), qPrintable(part.err));
    }

    // `annotation download`: the provider's file over HTTP, a broken transfer
    // resumed (the same version only), imported; a second call reuses it.
    void downloadResumesThenImportsAndReuses()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray file = readAll(annotationDemoPath(QStringLiteral("demo_gnomad_constraint_metrics.tsv")));
        QVERIFY(file.size() > 1000);
        server.serve(QStringLiteral("/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv"), file);
        server.dropOnceAfter(QStringLiteral("/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv"), file.size() / 3);
        const QString lib = m_dir.filePath(QStringLiteral("download-library.sqlite"));
        const QString dir = m_dir.filePath(QStringLiteral("downloads"));
        auto download = [&] {
            QProcess p;
            start(p, {QStringLiteral("annotation"), QStringLiteral("download"), QStringLiteral("gnomad"), QStringLiteral("--url"),
                      server.url(QStringLiteral("/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv")), QStringLiteral("--dir"), dir,
                      QStringLiteral("--library"), lib});
            // The server answers on this thread: keep its event loop turning while the command runs.
            while (!p.waitForFinished(20))
                QCoreApplication::processEvents();
            return Result{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), {}, {}};
        };
        const Result first = download();
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY2(first.out.contains(QStringLiteral("gnomad constraint: ")) && first.out.contains(QStringLiteral("rows from gnomad.v4.1.constraint_metrics.tsv")),
                 qPrintable(first.out));
        QCOMPARE(readAll(QDir(dir).filePath(QStringLiteral("gnomad.v4.1.constraint_metrics.tsv"))), file);
        bool resumed = false;
        for (const auto& r : server.requests())
            resumed = resumed || (r.range.startsWith("bytes=") && r.ifRange == LoopbackHttpServer::etagOf(file));
        QVERIFY(resumed);
        const int requests = int(server.requests().size());
        const Result second = download();
        QVERIFY2(second.code == 0, qPrintable(second.err));
        QVERIFY(second.out.contains(QStringLiteral("(already downloaded)")));
        // The provider was asked whether the file changed (one conditional request, its ETag) and
        // the library, which holds this file already, is not filled again.
        QCOMPARE(int(server.requests().size()), requests + 1);
        QCOMPARE(server.requests().last().ifNoneMatch, LoopbackHttpServer::etagOf(file));
        QVERIFY2(second.out.contains(QStringLiteral("unchanged on the server since the copy fetched")) &&
                     second.out.contains(QStringLiteral("not imported again")) && !second.out.contains(QStringLiteral("rows from")),
                 qPrintable(second.out));
        // The provider replaces the file at the same URL (ClinVar weekly): the next call fetches and imports it.
        QList<QByteArray> lines = file.split('\n');
        lines.removeAt(1);
        const QByteArray newer = lines.join('\n');
        server.serve(QStringLiteral("/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv"), newer);
        const int beforeThird = int(server.requests().size());
        const Result third = download();
        QVERIFY2(third.code == 0, qPrintable(third.err));
        // One request: the conditional one's answer is the new file (it was two, the file sent twice).
        QCOMPARE(int(server.requests().size()), beforeThird + 1);
        QVERIFY2(!third.out.contains(QStringLiteral("(already downloaded)")) && third.out.contains(QStringLiteral("rows from gnomad.v4.1.constraint_metrics.tsv")),
                 qPrintable(third.out));
        QCOMPARE(readAll(QDir(dir).filePath(QStringLiteral("gnomad.v4.1.constraint_metrics.tsv"))), newer);
        // A server that ignores conditional requests sends the same file again: not imported again.
        server.setIgnoreConditionals(true);
        const Result resent = download();
        QVERIFY2(resent.code == 0 && resent.out.contains(QStringLiteral("not imported again")) && !resent.out.contains(QStringLiteral("rows from")),
                 qPrintable(resent.out + resent.err));
        server.setIgnoreConditionals(false);
        // A server that cannot be reached (a port bound here but not listened on, so no other test's
        // server can be given it meanwhile: flake audit F-6): the copy is used, and said.
        QTcpSocket held;
        QVERIFY(held.bind(QHostAddress::LocalHost, 0));
        const quint16 closedPort = held.localPort();
        const QString offline = QStringLiteral("http://127.0.0.1:%1/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv").arg(closedPort);
        const QString sidecar = QDir(dir).filePath(QStringLiteral("gnomad.v4.1.constraint_metrics.tsv.download.json"));
        QJsonObject meta = QJsonDocument::fromJson(readAll(sidecar)).object();
        meta.insert(QStringLiteral("url"), offline);
        QVERIFY(writeAll(sidecar, QJsonDocument(meta).toJson()));
        // ... also with the part of a newer version left by a broken transfer: kept for the next try.
        const QString part = QDir(dir).filePath(QStringLiteral("gnomad.v4.1.constraint_metrics.tsv.part"));
        QVERIFY(writeAll(part, newer.left(100)));
        QVERIFY(writeAll(part + QStringLiteral(".json"), QJsonDocument(QJsonObject{{QStringLiteral("url"), offline}, {QStringLiteral("etag"), QStringLiteral("\"x\"")}}).toJson()));
        const Result unreachable = run({QStringLiteral("annotation"), QStringLiteral("download"), QStringLiteral("gnomad"), QStringLiteral("--url"), offline,
                                        QStringLiteral("--dir"), dir, QStringLiteral("--library"), lib});
        QVERIFY2(unreachable.code == 0 && unreachable.err.contains(QStringLiteral("the server could not be asked whether the file changed")) &&
                     unreachable.out.contains(QStringLiteral("not imported again")) && unreachable.err.contains(QStringLiteral("is kept for the next try")),
                 qPrintable(unreachable.out + unreachable.err));
        QCOMPARE(readAll(part), newer.left(100));
        // A source whose files cannot be fetched by script says how to bring them instead.
        const Result mgi = run({QStringLiteral("annotation"), QStringLiteral("download"), QStringLiteral("mgi")});
        QCOMPARE(mgi.code, 6);
        QVERIFY(mgi.err.contains(QStringLiteral("import-bulk")));
    }

    // A wrong URL: the file fetched is not this source's; it is not kept (the next download would
    // revalidate it as the copy), and the reason is said.
    void aDownloadedFileOfAnotherKindIsNotKept()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        server.serve(QStringLiteral("/other/genes_to_phenotype.txt"), readAll(annotationDemoPath(QStringLiteral("demo_genes_to_phenotype.txt"))));
        const QString dir = m_dir.filePath(QStringLiteral("wrong-downloads"));
        QProcess p;
        start(p, {QStringLiteral("annotation"), QStringLiteral("download"), QStringLiteral("gnomad"), QStringLiteral("--url"),
                  server.url(QStringLiteral("/other/genes_to_phenotype.txt")), QStringLiteral("--dir"), dir, QStringLiteral("--library"),
                  m_dir.filePath(QStringLiteral("wrong-library.sqlite"))});
        while (!p.waitForFinished(20))
            QCoreApplication::processEvents();
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 5);
        const QString file = QDir(dir).filePath(QStringLiteral("genes_to_phenotype.txt"));
        QVERIFY2(err.contains(QStringLiteral("%1 is not gnomad's constraint file; it was deleted").arg(file)), qPrintable(err));
        QVERIFY(!QFileInfo::exists(file) && !QFileInfo::exists(file + QStringLiteral(".download.json")));
    }

    void annotateWritesItsFilesAndAReport()
    {
        const Result r = run(base() + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"),
                                                  annotationDemoPath(QStringLiteral("../panels/kidney_panel.txt")), QStringLiteral("--library"), library()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (const char* f : {"resolution.tsv", "annotations.tsv", "annotations.json", "coverage.tsv", "summary.json", "provenance.json"})
            QVERIFY2(QFile::exists(QDir(r.runDir).filePath(QLatin1String(f))), f);
        // inspect checks the run's store beside its entries (it said "0 entries" of a page run and nothing of it).
        const Result inspected = run(base() + QStringList{QStringLiteral("inspect"), r.runId});
        QVERIFY2(inspected.code == 0 && inspected.out.contains(QStringLiteral("ok   store progress.sqlite (")) && inspected.out.contains(QStringLiteral("quick_check ok; rows: ")),
                 qPrintable(inspected.out + inspected.err));
        const QJsonObject inspectedJson = QJsonDocument::fromJson(run(base() + QStringList{QStringLiteral("inspect"), r.runId, QStringLiteral("--json")}).out.toUtf8()).object();
        const QJsonObject store = inspectedJson.value(QLatin1String("stores")).toArray().first().toObject();
        QVERIFY2(store.value(QLatin1String("ok")).toBool() && store.value(QLatin1String("file")).toString() == QLatin1String("progress.sqlite")
                     && !store.value(QLatin1String("tables")).toObject().isEmpty(),
                 qPrintable(QJsonDocument(inspectedJson).toJson()));
        // Its checkpoint folder copied elsewhere (a store and no manifest.json) is checked, not refused
        // as "no checkpoint entry"; a damaged copy of the store is BAD, exit 5.
        const QString copy = m_dir.filePath(QStringLiteral("copied-run-store"));
        QVERIFY(QDir().mkpath(copy));
        const QString stored = QDir(inspectedJson.value(QLatin1String("folder")).toString()).filePath(QStringLiteral("progress.sqlite"));
        QVERIFY2(QFile::copy(stored, QDir(copy).filePath(QStringLiteral("progress.sqlite"))), qPrintable(stored));
        const Result copied = run(base() + QStringList{QStringLiteral("inspect"), copy});
        QVERIFY2(copied.code == 0 && copied.out.contains(QStringLiteral("0 entries")) && copied.out.contains(QStringLiteral("ok   store progress.sqlite (")),
                 qPrintable(copied.out + copied.err));
        {
            QFile damaged(QDir(copy).filePath(QStringLiteral("progress.sqlite")));
            QVERIFY(damaged.open(QIODevice::ReadWrite));
            QVERIFY(damaged.size() > 4096);
            damaged.seek(4096);
            QVERIFY(damaged.write(QByteArray(int(damaged.size() - 4096), '\xA5')) > 0);
        }
        const Result bad = run(base() + QStringList{QStringLiteral("inspect"), copy});
        QVERIFY2(bad.code == 5 && bad.out.contains(QStringLiteral("BAD  store progress.sqlite")), qPrintable(bad.out + bad.err));
        // A project's own database is no run's store: a folder holding only a project.sqlite is still refused.
        const QString projectCopy = m_dir.filePath(QStringLiteral("copied-project-database"));
        QVERIFY(QDir().mkpath(projectCopy));
        QVERIFY(QFile::copy(QDir(m_dir.filePath(QStringLiteral("project"))).filePath(QStringLiteral("project.sqlite")), QDir(projectCopy).filePath(QStringLiteral("project.sqlite"))));
        const Result project = run(base() + QStringList{QStringLiteral("inspect"), projectCopy});
        QVERIFY2(project.code == 6 && project.err.contains(QStringLiteral("holds no checkpoint entry")), qPrintable(project.out + project.err));
        // The provenance names every release the values came from.
        const QByteArray provenance = readAll(QDir(r.runDir).filePath(QStringLiteral("provenance.json")));
        QVERIFY2(provenance.contains("\"gnomAD constraint\"") && provenance.contains("HGNC complete set"), provenance.constData());
        // Asked for one source, the release that resolved the list is still named.
        const Result one = run(base() + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), QStringLiteral("--genes_text"),
                                                    QStringLiteral("PKD1"), QStringLiteral("--library"), library(), QStringLiteral("--sources"), QStringLiteral("gnomad")});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        const QByteArray oneProvenance = readAll(QDir(one.runDir).filePath(QStringLiteral("provenance.json")));
        QVERIFY2(oneProvenance.contains("\"gene identities: HGNC genes\"") && oneProvenance.contains("\"gnomAD constraint\""), oneProvenance.constData());
        const QString html = m_dir.filePath(QStringLiteral("report.html"));
        const Result report = run(base() + QStringList{QStringLiteral("report"), r.runId, QStringLiteral("--html"), html});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        const QByteArray page = readAll(html);
        QVERIFY(page.contains("Inputs that did not resolve") && page.contains("NOTAGENE1") && page.contains("LOEUF"));
        // The provider releases are what they are, "reference data", not models; a release known by
        // its file ("HPO genes_to_phenotype (demo_genes_to_phenotype.txt, modified …)") names it once,
        // in the sources table and in the files table (it was said twice in each).
        QVERIFY2(provenance.contains("\"role\": \"reference data\""), provenance.constData());
        const QString text = QString::fromUtf8(page);
        QVERIFY2(text.contains(QStringLiteral("<td>reference data</td>")) && !text.contains(QStringLiteral("<td>model</td>")), page.constData());
        QVERIFY2(text.contains(QRegularExpression(QStringLiteral("demo_genes_to_phenotype\\.txt, modified \\d{4}-\\d\\d-\\d\\d\\) \\(sha256 "))),
                 page.constData());
        QVERIFY2(!text.contains(QRegularExpression(QStringLiteral("modified \\d{4}-\\d\\d-\\d\\d\\) \\([^,()]+, sha256"))), page.constData());
        QVERIFY2(!text.contains(QStringLiteral("HPO genes_to_phenotype HPO genes_to_phenotype")), page.constData());
        // A part's title and a release that does not begin with it: told apart ("MGI … hmd_human_phenotype MGI HMD_…" ran together).
        QVERIFY2(text.contains(QStringLiteral(" — MGI HMD_HumanPhenotype (")), page.constData());
        // Each release's file with its bytes, as the gene list's (the column was empty for all of them).
        const QRegularExpression referenceRow(QStringLiteral("<tr><td>reference data</td>(?:<td[^>]*>[^<]*</td>){3}<td>([^<]*)</td></tr>"));
        int rows = 0;
        for (auto it = referenceRow.globalMatch(text); it.hasNext(); ++rows) {
            const QString bytes = it.next().captured(1);
            QVERIFY2(bytes.toLongLong() > 0, qPrintable(bytes));
        }
        QVERIFY(rows > 0);
    }

    // A list the run cannot read (saved as UTF-16, "Unicode text" in a spreadsheet): failed on its input,
    // so resume refuses it (it was offered, and failed the same way: trial 17) and `runs --json` says so.
    void aGeneListThatCannotBeReadNeedsANewRun()
    {
        const QString list = m_dir.filePath(QStringLiteral("genes-utf16.txt"));
        QByteArray utf16("\xff\xfe");
        for (const QChar c : QStringLiteral("gene\r\nPKD1\r\nNPHS1\r\n"))
            utf16 += char(c.unicode() & 0xff), utf16 += char(c.unicode() >> 8);
        QVERIFY(writeAll(list, utf16));
        const Result r = run(base() + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), list, QStringLiteral("--library"), library()});
        QVERIFY2(r.code == 1 && (r.out + r.err).contains(QStringLiteral("the file is UTF-16 text")) && !r.runId.isEmpty(), qPrintable(r.out + r.err));
        const Result resumed = run(base() + QStringList{QStringLiteral("resume"), r.runId});
        QVERIFY2(resumed.code == 5, qPrintable(resumed.err + resumed.out));
        const QJsonArray runs = QJsonDocument::fromJson(run(base() + QStringList{QStringLiteral("runs"), QStringLiteral("--json")}).out.toUtf8())
                                    .object().value(QLatin1String("runs")).toArray();
        bool found = false;
        for (const QJsonValue& v : runs)
            if (v.toObject().value(QLatin1String("id")).toString() == r.runId)
                found = v.toObject().value(QLatin1String("new_run_needed")).toBool();
        QVERIFY(found);
    }

    // A new user with nothing imported and Debian's org.Hs.eg.db installed: annotate uses it (read
    // in place) and says so, instead of failing for want of identities.
    void anEmptyLibraryUsesTheInstalledOrgDb()
    {
        const QString orgdb = OrgDb::findInstalled();
        if (orgdb.isEmpty())
            QSKIP("org.Hs.eg.db is not installed (Debian: r-bioc-org.hs.eg.db)");
        auto annotateWith = [&](const QString& library) {
            return QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), QStringLiteral("--genes_text"),
                               QStringLiteral("PKD1 PKD2"), QStringLiteral("--library"), m_dir.filePath(library), QStringLiteral("--sources"),
                               QStringLiteral("orgdb")};
        };
        const QStringList annotate = annotateWith(QStringLiteral("empty-library.sqlite"));
        const Result r = run(base(QStringLiteral("fresh")) + annotate);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.err.contains(QStringLiteral("no gene identities imported: NCBI Gene from org.Hs.eg.db (%1) is imported").arg(orgdb)), qPrintable(r.err));
        QVERIFY(readAll(QDir(r.runDir).filePath(QStringLiteral("annotations.tsv"))).contains("PKD2"));
        // Imported once: the next run says nothing of it; asked for HGNC, nothing is imported in its place.
        const Result again = run(base(QStringLiteral("fresh")) + annotate);
        QVERIFY2(again.code == 0 && !again.err.contains(QStringLiteral("no gene identities imported")), qPrintable(again.err));
        const Result hgnc = run(base(QStringLiteral("fresh")) + annotateWith(QStringLiteral("empty-library-2.sqlite"))
                                + QStringList{QStringLiteral("--identity"), QStringLiteral("hgnc")});
        QVERIFY2(hgnc.code == 1 && hgnc.out.contains(QStringLiteral("no gene identities from 'hgnc' imported")), qPrintable(hgnc.out + hgnc.err));
    }

    // An HGNC extract (the demo panel) used as the identities: AGT, angiotensinogen, is an alias of
    // AGXT there. With a complete org.Hs.eg.db in the library the name is ambiguous, both named,
    // not annotated as AGXT; FSGS1 (only ACTN4's previous symbol) still resolves.
    void anAliasInAnExtractThatIsAnotherGenesSymbolIsAmbiguous()
    {
        const QString orgdb = OrgDb::findInstalled();
        if (orgdb.isEmpty())
            QSKIP("org.Hs.eg.db is not installed (Debian: r-bioc-org.hs.eg.db)");
        const QString lib = m_dir.filePath(QStringLiteral("extract-library.sqlite"));
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("hgnc"),
                                          annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt")), QStringLiteral("--library"), lib}).code, 0);
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("orgdb"), orgdb, QStringLiteral("--library"), lib})
                     .code, 0);
        const Result r = run(base() + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), QStringLiteral("--genes_text"),
                                                  QStringLiteral("AGT FSGS1 PKD1"), QStringLiteral("--library"), lib, QStringLiteral("--sources"), QStringLiteral("hgnc")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("but another gene's own symbol in")), qPrintable(r.err));
        // The sentence is whole: the advice after "is ambiguous;", no Qt warning of a missing argument.
        QVERIFY2(r.err.contains(QRegularExpression(QStringLiteral("is ambiguous; --identity orgdb uses \\S.* \\(\\d+ genes\\), or import HGNC's complete set"))) &&
                     !r.err.contains(QStringLiteral("QString::arg")),
                 qPrintable(r.err));
        const QByteArray resolution = readAll(QDir(r.runDir).filePath(QStringLiteral("resolution.tsv")));
        QVERIFY2(resolution.contains("\tAGT\tambiguous\t") && resolution.contains("'AGT' is an alias of AGXT in") && resolution.contains("the approved symbol of AGT ("),
                 resolution.constData());
        QVERIFY2(resolution.contains("\tFSGS1\tresolved\t"), resolution.constData());
        // A gene HGNC renamed, asked by its old symbol that org.Hs.eg.db still holds for the same
        // gene (same NCBI id): no conflict, it resolves.
        const QString renamedDir = m_dir.filePath(QStringLiteral("renamed-extract"));
        QVERIFY(writeAll(QDir(renamedDir).filePath(QStringLiteral("hgnc_complete_set.txt")),
                         "hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\n"
                         "HGNC:9008\tPKD1RENAMED\tpolycystin 1\tApproved\t\t\"PKD1\"\t5310\tENSG00000008710\n"));
        const QString lib2 = m_dir.filePath(QStringLiteral("renamed-library.sqlite"));
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("hgnc"),
                                          QDir(renamedDir).filePath(QStringLiteral("hgnc_complete_set.txt")), QStringLiteral("--library"), lib2}).code, 0);
        QCOMPARE(run(base() + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("orgdb"), orgdb, QStringLiteral("--library"), lib2})
                     .code, 0);
        const Result renamed = run(base() + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), QStringLiteral("--genes_text"),
                                                        QStringLiteral("PKD1"), QStringLiteral("--library"), lib2, QStringLiteral("--sources"), QStringLiteral("hgnc")});
        QVERIFY2(renamed.code == 0, qPrintable(renamed.err));
        const QByteArray renamedResolution = readAll(QDir(renamed.runDir).filePath(QStringLiteral("resolution.tsv")));
        QVERIFY2(renamedResolution.contains("\tPKD1\tresolved\t"), renamedResolution.constData());
    }
};

QTEST_GUILESS_MAIN(TstAnnotationCli)
#include "tst_annotation_cli.moc"
