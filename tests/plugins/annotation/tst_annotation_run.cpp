// The annotate run end to end on the real HGNC panel rows and small
// provider files: the resolution table keeps every input, each (source,
// gene) gets a value or a reason, a pause stores what was done and a resume
// redoes none of it, a source without files fails alone.

#include "annotation_test_support.h"
#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "pipeline/annotate_job.h"
#include "pipeline/annotation_outputs.h"
#include "pipeline/run_store.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

namespace {

const char* kGeneList = "Gene\n"
                        "PKD1\nPKD2, NPHS1\n"
                        "FSGS1  # ACTN4's previous symbol\n"
                        "pkd1\n"        // the same input again
                        "HGNC:9008\n"   // the same gene by another name
                        "A1S9T\n"       // withdrawn, merged into UBA1
                        "NOTAGENE1\n"
                        "UMOD\n";

struct Outcome {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString error;
    bool newRunNeeded = false; // the failure is one on the job's input (JobFailure::newRunNeeded)
    QStringList warnings;      // as the run record keeps them
};

Outcome runJob(const QString& folder, const QJsonObject& parameters, bool pauseAtOnce)
{
    core::CheckpointStore checkpoints(QDir(folder).filePath(QStringLiteral("checkpoints")), 1);
    core::ProvenanceRecorder provenance(QDir(folder).filePath(QStringLiteral("out")));
    QDir().mkpath(QDir(folder).filePath(QStringLiteral("out")));
    core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(),
                         {&checkpoints, &provenance, nullptr, QDir(folder).filePath(QStringLiteral("out")), QString()}, parameters);
    if (pauseAtOnce)
        ctx.requestPause();
    auto settings = AnnotateSettings::fromParameters(*annotateVerb().validate(parameters));
    if (!settings)
        return {core::JobOutcome::Cancelled, settings.error().message(), false, {}};
    AnnotateJob job(*settings);
    Outcome o;
    try {
        o.outcome = job.run(ctx);
    } catch (const core::JobFailure& e) {
        o.error = e.message();
        o.newRunNeeded = e.newRunNeeded();
    }
    core::RunRecord record;
    if (core::Status st = provenance.finalizeInto(record); st)
        o.warnings = record.warnings;
    return o;
}

QList<QStringList> tsv(const QString& path)
{
    QList<QStringList> rows;
    for (const QByteArray& line : readAll(path).split('\n'))
        if (!line.isEmpty())
            rows << QString::fromUtf8(line).split(QLatin1Char('\t'));
    return rows;
}

// (source, gene) -> fetched_at, straight from the run's store.
QMap<QString, QString> stored(const QString& folder)
{
    QMap<QString, QString> out;
    auto db = SqliteDb::openReadOnly(QDir(folder).filePath(QStringLiteral("checkpoints/progress.sqlite")));
    if (!db)
        return out;
    QSqlQuery q((*db)->database());
    q.exec(QStringLiteral("SELECT source, gene_key, fetched_at FROM result"));
    while (q.next())
        out.insert(q.value(0).toString() + QLatin1Char('/') + q.value(1).toString(), q.value(2).toString());
    return out;
}

} // namespace

class TstAnnotationRun : public QObject {
    Q_OBJECT
private:
    TestLibrary m_lib;

private slots:
    void initTestCase()
    {
        QVERIFY(m_lib.library);
        QVERIFY(m_lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt"))));
        QVERIFY(m_lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("withdrawn.panel.txt"))));
        QVERIFY(m_lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm.csv"), "PKD1,12.5\nUMOD,4000\nNPHS1,300\n"));
        QVERIFY(m_lib.importText(QStringLiteral("pubtator"), QStringLiteral("gene2pubtator3"), "30000001\tGene\t5310\tPKD1\tGNorm2\n30000002\tGene\t7369\turomodulin\tGNorm2\n"));
    }

    void cellsAreShortAndExact()
    {
        QCOMPARE(cellText(QJsonValue(42.9)), QStringLiteral("42.9"));
        QCOMPARE(cellText(QJsonValue(0.1 + 0.2)), QStringLiteral("0.30000000000000004")); // the double, not a rounding of it
        QCOMPARE(cellText(QJsonValue(3.0)), QStringLiteral("3"));
        QCOMPARE(cellText(QJsonValue(true)), QStringLiteral("true"));
        QCOMPARE(cellText(QJsonArray{QStringLiteral("P98161"), QStringLiteral("Q1")}), QStringLiteral("P98161,Q1"));
        QCOMPARE(cellText(QJsonValue()), QString());
    }

    void annotatesAndExplainsEveryInput()
    {
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QLatin1String(kGeneList)}, {QStringLiteral("library"), m_lib.library->path()}};
        const Outcome o = runJob(run.path(), p, false);
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QString out = run.filePath(QStringLiteral("out"));
        const QList<QStringList> resolution = tsv(QDir(out).filePath(QStringLiteral("resolution.tsv")));
        QCOMPARE(resolution.size(), 1 + 9); // header + every input, none dropped
        QHash<QString, QStringList> byInput;
        for (const QStringList& r : resolution.mid(1))
            byInput.insert(r.value(1), r);
        QCOMPARE(byInput.value(QStringLiteral("FSGS1")).value(5), QStringLiteral("ACTN4"));
        QCOMPARE(byInput.value(QStringLiteral("pkd1")).value(2), QStringLiteral("duplicate"));
        QCOMPARE(byInput.value(QStringLiteral("HGNC:9008")).value(2), QStringLiteral("duplicate"));
        QCOMPARE(byInput.value(QStringLiteral("A1S9T")).value(2), QStringLiteral("withdrawn"));
        QCOMPARE(byInput.value(QStringLiteral("NOTAGENE1")).value(2), QStringLiteral("unknown"));
        QCOMPARE(byInput.value(QStringLiteral("NPHS1")).value(0), QStringLiteral("3")); // the line it came from
        // The library's HGNC is the demo extract: the run says so before genes outside it turn 'unknown'.
        const QStringList identity = o.warnings.filter(QRegularExpression(QStringLiteral("^identity: HGNC .* holds \\d+ genes, an extract of HGNC's complete set")));
        QVERIFY2(identity.size() == 1, qPrintable(o.warnings.join(QLatin1Char('\n'))));
        // The terminal and the record say what resolution.tsv has: the renamed name and the repeats, one line each.
        QVERIFY2(o.warnings.contains(QStringLiteral("gene list: 1 name is annotated under its approved symbol (a previous symbol or an alias; "
                                                    "resolution.tsv): FSGS1 \u2192 ACTN4")),
                 qPrintable(o.warnings.join(QLatin1Char('\n'))));
        QVERIFY2(o.warnings.contains(QStringLiteral("gene list: 2 entries repeat a gene listed before, annotated once: line 5 'pkd1': repeats line 2; "
                                                    "line 6 'HGNC:9008': the same gene (PKD1) as 'PKD1' on line 2")),
                 qPrintable(o.warnings.join(QLatin1Char('\n'))));

        // Entries that are no gene, one line each in the list's order (withdrawn line 7 before unknown line 8).
        const QStringList notGenes = o.warnings.filter(QRegularExpression(QStringLiteral("^gene list line \\d+: ")));
        QVERIFY2(notGenes.size() == 2 && notGenes[0].startsWith(QLatin1String("gene list line 7: ")) && notGenes[1].startsWith(QLatin1String("gene list line 8: ")),
                 qPrintable(notGenes.join(QLatin1Char('\n'))));

        // One row per resolved gene; sources: those with files (hgnc, descartes, pubtator).
        const QList<QStringList> table = tsv(QDir(out).filePath(QStringLiteral("annotations.tsv")));
        QCOMPARE(table.size(), 1 + 5);
        QVERIFY(table.first().contains(QStringLiteral("descartes.kidney_tpm")));
        QVERIFY(table.first().contains(QStringLiteral("hgnc.status")));
        QVERIFY(!table.first().contains(QStringLiteral("gnomad.status"))); // not imported, not asked
        const int tpm = int(table.first().indexOf(QStringLiteral("descartes.kidney_tpm")));
        for (const QStringList& row : table.mid(1))
            if (row.value(1) == QLatin1String("UMOD"))
                QCOMPARE(row.value(tpm), QStringLiteral("4000"));
        // ACTN4 is not in the Descartes table: the coverage file says so.
        const QByteArray coverage = readAll(QDir(out).filePath(QStringLiteral("coverage.tsv")));
        QVERIFY(coverage.contains("HGNC:166\tACTN4\tdescartes\tabsent"));
        const QJsonObject summary = QJsonDocument::fromJson(readAll(QDir(out).filePath(QStringLiteral("summary.json")))).object();
        QCOMPARE(summary.value(QStringLiteral("resolution")).toObject().value(QStringLiteral("resolved")).toInt(), 5);
        QVERIFY(summary.value(QStringLiteral("sources_not_imported")).toArray().contains(QStringLiteral("gnomad")));
        QCOMPARE(summary.value(QStringLiteral("sources")).toObject().value(QStringLiteral("descartes")).toObject().value(QStringLiteral("found")).toInt(), 3);
        // The JSON export holds each value with its release and fetch time.
        const QJsonArray all = QJsonDocument::fromJson(readAll(QDir(out).filePath(QStringLiteral("annotations.json")))).array();
        QCOMPARE(all.size(), 5);
        const QJsonObject d = all.first().toObject().value(QStringLiteral("sources")).toObject().value(QStringLiteral("hgnc")).toObject();
        QVERIFY(!d.value(QStringLiteral("fetched_at")).toString().isEmpty());
        QVERIFY(d.value(QStringLiteral("releases")).toArray().first().toObject().value(QStringLiteral("sha256")).toString().size() == 64);
    }

    // A list saved as Windows-1252: the name with the bad byte is listed unknown with its line and
    // byte, the other genes are annotated (the run used to fail on the first such byte).
    void aByteThatIsNotUtf8CostsOnlyItsEntry()
    {
        QTemporaryDir run;
        const QString list = run.filePath(QStringLiteral("genes-cp1252.txt"));
        QFile f(list);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write("PKD1\r\nG\xe8ne1\r\nUMOD # r\xe9nal\r\n") > 0);
        f.close();
        const Outcome o = runJob(run.path(), {{QStringLiteral("genes"), list}, {QStringLiteral("library"), m_lib.library->path()}}, false);
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QList<QStringList> resolution = tsv(run.filePath(QStringLiteral("out/resolution.tsv")));
        QCOMPARE(resolution.size(), 1 + 3);
        QCOMPARE(resolution[2].value(2), QStringLiteral("unknown"));
        QVERIFY2(resolution[2].join(QLatin1Char(' ')).contains(QStringLiteral("byte 2 (0xe8) of line 2 is not valid UTF-8")),
                 qPrintable(resolution[2].join(QLatin1Char('|'))));
        QCOMPARE(resolution[3].value(2), QStringLiteral("resolved"));
        QVERIFY2(!o.warnings.filter(QStringLiteral("gene list line 2: byte 2 (0xe8)")).isEmpty(), qPrintable(o.warnings.join(QLatin1Char('\n'))));
        QCOMPARE(tsv(run.filePath(QStringLiteral("out/annotations.tsv"))).size(), 1 + 2);
    }

    // A list in which nothing is a gene (the wrong column, another species' names, a file of
    // something else): the run fails with the entries counted by status, and resolution.tsv still
    // says why for each (it used to "finish", annotating nothing).
    void aListWithNoGeneFails()
    {
        QTemporaryDir run;
        const Outcome o = runJob(run.path(), {{QStringLiteral("genes_text"), QStringLiteral("NOTAGENE1\nNOTAGENE2\nA1S9T\n")},
                                              {QStringLiteral("library"), m_lib.library->path()}},
                                 false);
        QVERIFY2(o.error.startsWith(QStringLiteral("annotate: no entry of the gene list is a gene in"))
                     && o.error.contains(QStringLiteral("(3 entries: 2 unknown, 1 withdrawn), nothing was annotated")),
                 qPrintable(o.error));
        QVERIFY(o.newRunNeeded); // its report advises a new run, not a resume
        QCOMPARE(tsv(run.filePath(QStringLiteral("out/resolution.tsv"))).size(), 1 + 3);
    }

    // Many entries that are no gene: one warning for them with the first few (a 20,000-entry list
    // printed a line for each of 11,091); resolution.tsv still lists each.
    void manyUnknownEntriesAreOneWarning()
    {
        QTemporaryDir run;
        QString list = QStringLiteral("PKD1\n");
        const int unknown = 30;
        for (int i = 0; i < unknown; ++i)
            list += QStringLiteral("NOTAGENE%1\n").arg(i);
        const Outcome o = runJob(run.path(), {{QStringLiteral("genes_text"), list}, {QStringLiteral("library"), m_lib.library->path()}}, false);
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QString all = o.warnings.join(QLatin1Char('\n'));
        QVERIFY2(o.warnings.filter(QStringLiteral("gene list line ")).isEmpty(), qPrintable(all));
        const QStringList summary = o.warnings.filter(QStringLiteral("gene list: %1 entries are unknown (resolution.tsv says why for each): line 2: ").arg(unknown));
        QVERIFY2(summary.size() == 1 && summary.first().endsWith(QStringLiteral(" and %1 more").arg(unknown - 8)), qPrintable(all));
        QCOMPARE(tsv(run.filePath(QStringLiteral("out/resolution.tsv"))).size(), 1 + 1 + unknown);
    }

    void aPauseKeepsWhatIsStoredAndAResumeRedoesNothing()
    {
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QLatin1String(kGeneList)}, {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("batch"), 1}};
        QCOMPARE(runJob(run.path(), p, true).outcome, core::JobOutcome::Paused);
        const QMap<QString, QString> first = stored(run.path());
        QVERIFY(!first.isEmpty());
        QVERIFY(first.size() < 5 * 3); // stopped after the first gene
        QVERIFY(!QFile::exists(run.filePath(QStringLiteral("out/annotations.tsv"))));
        QCOMPARE(runJob(run.path(), p, false).outcome, core::JobOutcome::Finished);
        const QMap<QString, QString> after = stored(run.path());
        QCOMPARE(after.size(), 5 * 3);
        for (auto it = first.begin(); it != first.end(); ++it)
            QCOMPARE(after.value(it.key()), it.value()); // stored before the pause: not fetched again
    }

    // A progress store damaged after a pause (a bad sector, a copy cut short) is moved aside and the
    // run starts again from its gene list, said: every resume had failed on SQLite's "malformed"
    // (trial 24 T24-20).
    void aDamagedProgressStoreIsSetAsideAndTheRunStartsAgain()
    {
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QLatin1String(kGeneList)}, {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("batch"), 1}};
        QCOMPARE(runJob(run.path(), p, true).outcome, core::JobOutcome::Paused);
        const QString file = run.filePath(QStringLiteral("checkpoints/progress.sqlite"));
        QFile db(file);
        QVERIFY(db.size() > 4096);
        QVERIFY(db.open(QIODevice::ReadWrite));
        QVERIFY(db.seek(4096));
        QVERIFY(db.write(QByteArray(int(db.size() - 4096), 'Z')) > 0); // every page after the first
        db.close();
        const Outcome resumed = runJob(run.path(), p, false);
        QVERIFY2(resumed.outcome == core::JobOutcome::Finished, qPrintable(resumed.error));
        QVERIFY2(!resumed.warnings.filter(QStringLiteral("progress store %1 was damaged").arg(file)).isEmpty(), qPrintable(resumed.warnings.join(QLatin1Char('\n'))));
        QCOMPARE(stored(run.path()).size(), 5 * 3);
        QCOMPARE(QDir(run.filePath(QStringLiteral("checkpoints"))).entryList({QStringLiteral("progress.sqlite.damaged-*")}, QDir::Files).size(), 1);
    }

    void theDemoExtractsImportOnceAndAnnotateThePanel()
    {
        QTemporaryDir run, again;
        TestLibrary fresh;
        const QJsonObject p{{QStringLiteral("genes"), annotationDemoPath(QStringLiteral("../panels/kidney_panel.txt"))},
                            {QStringLiteral("import_dir"), QStringLiteral(ANNOTATION_DEMO_DIR)},
                            {QStringLiteral("library"), fresh.library->path()}};
        const Outcome o = runJob(run.path(), p, false);
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        auto releases = fresh.library->activeReleases();
        QVERIFY(releases);
        QSet<QString> sources;
        for (const ReleaseInfo& r : *releases)
            sources.insert(r.source);
        // Every source but NCBI Gene has a demo extract.
        for (const auto& s : allSources())
            QVERIFY2(s->id() == QLatin1String("orgdb") || sources.contains(s->id()), qPrintable(s->id()));
        const QJsonObject summary = QJsonDocument::fromJson(readAll(run.filePath(QStringLiteral("out/summary.json")))).object();
        const QJsonObject perSource = summary.value(QStringLiteral("sources")).toObject();
        for (auto it = perSource.begin(); it != perSource.end(); ++it) {
            const QJsonObject c = it.value().toObject();
            QVERIFY2(c.value(QStringLiteral("found")).toInt() > 0, qPrintable(it.key()));
            QCOMPARE(c.value(QStringLiteral("failed")).toInt(), 0);
        }
        QVERIFY(summary.value(QStringLiteral("resolution")).toObject().value(QStringLiteral("withdrawn")).toInt() == 1);
        // A second run finds the same files already imported: the releases are the same rows.
        QVERIFY(runJob(again.path(), p, false).outcome == core::JobOutcome::Finished);
        auto after = fresh.library->activeReleases();
        QVERIFY(after);
        QCOMPARE(after->size(), releases->size());
        for (int i = 0; i < after->size(); ++i)
            QCOMPARE(after->at(i).id, releases->at(i).id);
    }

    void aSourceWithoutFilesFailsAloneWithItsReason()
    {
        QTemporaryDir run;
        const QJsonObject p{{QStringLiteral("genes_text"), QStringLiteral("PKD1\nUMOD\n")}, {QStringLiteral("library"), m_lib.library->path()},
                            {QStringLiteral("sources"), QStringLiteral("descartes,gnomad")}};
        const Outcome o = runJob(run.path(), p, false);
        QVERIFY2(o.outcome == core::JobOutcome::Finished, qPrintable(o.error));
        const QByteArray coverage = readAll(run.filePath(QStringLiteral("out/coverage.tsv")));
        QVERIFY(coverage.contains("HGNC:9008\tPKD1\tgnomad\tfailed\tgnomAD constraint: not imported"));
        QVERIFY2(coverage.contains("import-bulk gnomad FILE, or run online (--offline false)"), coverage.constData());
        const QList<QStringList> table = tsv(run.filePath(QStringLiteral("out/annotations.tsv")));
        QCOMPARE(table.size(), 3);
        QVERIFY(table.at(1).contains(QStringLiteral("found")));
        // Only sources that can give nothing: the run fails saying why, instead of finishing with every value failed.
        QTemporaryDir none;
        QJsonObject nothing = p;
        nothing.insert(QStringLiteral("sources"), QStringLiteral("gnomad"));
        const Outcome failed = runJob(none.path(), nothing, false);
        QVERIFY2(!failed.error.isEmpty() && failed.error.contains(QStringLiteral("no source asked for can give a value"))
                     && failed.error.contains(QStringLiteral("gnomAD constraint: not imported")),
                 qPrintable(failed.error));
        // Unknown source names are refused up front.
        QVERIFY(!runJob(run.path(), {{QStringLiteral("genes_text"), QStringLiteral("PKD1")}, {QStringLiteral("sources"), QStringLiteral("gnomadd")},
                                     {QStringLiteral("library"), m_lib.library->path()}}, false).error.isEmpty());

    }
};

QTEST_GUILESS_MAIN(TstAnnotationRun)
#include "tst_annotation_run.moc"
