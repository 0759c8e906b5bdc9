// Run reports made from the window: a failed or cancelled run's "What happened" (advice by how it
// failed, control characters shown as pictures) and a failed run's export from the Provenance dock.

#include "jobs/job_scheduler.h"
#include "provenance/provenance_dock.h"
#include "report/report_builder.h"
#include "report/report_exporter.h"
#include "runs/run_service.h"
#include "support/test_support.h"
#include "window_fixture.h"

#include <QJsonArray>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QSysInfo>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstRunReports : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    WindowFixture m_fixture;

private slots:
    void initTestCase() { QVERIFY(m_fixture.open(m_dir.filePath(QStringLiteral("project")))); }
    void cleanupTestCase() { m_fixture.close(); }

    // A model's reply (or a file's name) may hold control characters, which HTML refuses: the page
    // shows their pictures, as the terminal does, and holds no raw control byte. A failure the job
    // marked as one on what the run was given is not advised to be resumed; the words of the error
    // alone decide nothing.
    void reportsShowControlCharactersAndAdviseByTheFailure()
    {
        core::RunRecord run;
        run.runId = QStringLiteral("20261206-130000-0badc0de");
        run.title = QStringLiteral("reply \x1b[31mred");
        run.state = core::RunState::Failed;
        run.error = QStringLiteral("the gene list holds no gene (line 1: \x19); a corrected list needs a new run");
        run.warnings = {QStringLiteral("mnxc\x19 hl")};
        run.warningCount = 1;
        const QString unmarked = ui::ReportBuilder(run, ui::ReportExporter::failedRunContent(run)).html(false);
        QVERIFY2(unmarked.contains(QStringLiteral("bioforge resume")), qPrintable(unmarked));
        run.newRunNeeded = true;
        const QString page = ui::ReportBuilder(run, ui::ReportExporter::failedRunContent(run)).html(false);
        for (const QChar c : page)
            QVERIFY2(c.unicode() >= 0x20 || c == QLatin1Char('\n') || c == QLatin1Char('\t'), qPrintable(QStringLiteral("U+%1").arg(c.unicode(), 4, 16, QLatin1Char('0'))));
        QVERIFY(page.contains(QChar(0x241B)) && page.contains(QChar(0x2419)));
        QVERIFY2(!page.contains(QStringLiteral("bioforge resume")) && page.contains(QStringLiteral("start a new run")), qPrintable(page));
        // A list of files among the parameters reads as a list, not as JSON.
        run.parameters.insert(QStringLiteral("inputs"), QJsonArray{QStringLiteral("/data/a.fa"), QStringLiteral("/data/b.fa")});
        const QString listed = ui::ReportBuilder(run, ui::ReportExporter::failedRunContent(run)).html(false);
        QVERIFY2(listed.contains(QStringLiteral("<td>inputs</td><td>/data/a.fa, /data/b.fa</td>")), qPrintable(listed));
        // A cancelled run's report says what that means under "What happened" (the section was a bare table).
        run.state = core::RunState::Cancelled;
        const core::ReportContent cancelled = ui::ReportExporter::failedRunContent(run);
        QVERIFY(!cancelled.sections.isEmpty() && !cancelled.sections.first().paragraphs.isEmpty());
        QVERIFY2(cancelled.sections.first().paragraphs.first().contains(QStringLiteral("will not be resumed")), qPrintable(cancelled.sections.first().paragraphs.first()));
    }

    // What a user copies or searches from the PDF is the value: no ligature glyphs (the "ff" of a
    // SHA-256 and the "fi" of a path were U+FB00 and U+FB01), a checksum on one line, and a text's
    // line breaks kept (a prompt of two lines read as one) (trial 19).
    void thePdfsIdentifiersCopyAsTheyAre()
    {
        const QString pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
        QVERIFY2(!pdftotext.isEmpty(), "pdftotext (Debian's poppler-utils, installed by installer/install-deps.sh) reads the PDF back");
        core::RunRecord run;
        run.runId = QStringLiteral("20261207-080000-0ffe0ffe");
        run.title = QStringLiteral("a finished run");
        run.state = core::RunState::Finished;
        core::FileRef input;
        input.name = QStringLiteral("model");
        input.path = QStringLiteral("/data/fixtures/official-files/tiny-llama.gguf");
        input.sha256 = QStringLiteral("b1e92e4d438d601080f858cb213287e842c7ffe0e728069f30105a3933812424");
        input.size = 17503584;
        run.inputs << input;
        run.parameters.insert(QStringLiteral("prompt"), QStringLiteral("first line of the prompt\nsecond line of the prompt"));
        core::ReportContent content;
        content.title = QStringLiteral("Text generation");
        core::ReportSection section;
        section.heading = QStringLiteral("Prompt and response");
        section.paragraphs << QStringLiteral("Prompt: first line of the prompt\nsecond line of the prompt");
        content.sections << section;
        const QString pdf = m_dir.filePath(QStringLiteral("identifiers.pdf"));
        QVERIFY(ui::ReportBuilder(run, content).writePdf(pdf));
        QProcess text;
        text.start(pdftotext, {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        QVERIFY(text.waitForFinished(60000) && text.exitCode() == 0);
        const QString out = QString::fromUtf8(text.readAllStandardOutput());
        for (const QChar c : out)
            QVERIFY2(c.unicode() < 0xFB00 || c.unicode() > 0xFB06, qPrintable(QStringLiteral("ligature U+%1 in the PDF's text").arg(c.unicode(), 4, 16)));
        QVERIFY2(out.contains(input.sha256), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("/data/fixtures/")) && out.contains(QStringLiteral("official")), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("Prompt: first line of the prompt *\n *second line of the prompt"))), qPrintable(out));
    }

    // A failed run has a report too: how it ended, above its provenance (no plugin content).
    void aFailedRunExportsAReportSayingHowItEnded()
    {
        auto id = m_fixture.session->runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"),
                                           {{QStringLiteral("units"), 4}, {QStringLiteral("work"), 5}, {QStringLiteral("fail_at_unit"), 1}});
        QVERIFY2(id, id ? "" : qPrintable(id.error().message()));
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture.session->scheduler().handle(*id)->state(), core::RunState::Failed, 60000);
        ui::ProvenanceDock* dock = m_fixture.window->provenanceDock();
        dock->showRun(*id);
        QTRY_COMPARE(dock->runId(), *id);
        auto* button = dock->findChild<QPushButton*>(QStringLiteral("exportReportButton"));
        QVERIFY(button && button->isEnabled());
        const QString html = m_dir.filePath(QStringLiteral("failed.html"));
        QSignalSpy exported(dock, &ui::ProvenanceDock::reportExported);
        dock->exportReport(html, QString());
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        const QByteArray page = readAll(html);
        QVERIFY2(page.contains("This run failed: self-test: failing at unit 1") && page.contains("Provenance"), page.constData());
    }

    // A resumed run's report has its run history: each run of the chain with its state, times,
    // working time and progress at its end, and the total (it showed the last run alone: trial 21).
    void aResumedRunsReportHasItsRunHistory()
    {
        core::RunService& runs = *m_fixture.session->runs();
        auto first = runs.start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 200}, {QStringLiteral("work"), 2000}});
        QVERIFY2(first, first ? "" : qPrintable(first.error().message()));
        core::JobScheduler& scheduler = m_fixture.session->scheduler();
        QTRY_VERIFY_WITH_TIMEOUT(scheduler.handle(*first)->snapshot().fraction > 0, 60000);
        runs.pause(*first);
        QTRY_VERIFY_WITH_TIMEOUT(scheduler.handle(*first)->state() == core::RunState::Paused || scheduler.handle(*first)->state() == core::RunState::Finished, 60000);
        QCOMPARE(scheduler.handle(*first)->state(), core::RunState::Paused); // several seconds of work: a skip would pass unseen
        auto second = runs.resume(*first);
        QVERIFY2(second, second ? "" : qPrintable(second.error().message()));
        QTRY_COMPARE_WITH_TIMEOUT(scheduler.handle(*second)->state(), core::RunState::Finished, 120000);
        const QString html = m_dir.filePath(QStringLiteral("resumed.html"));
        auto written = ui::ReportExporter::exportRun(*m_fixture.session->project(), m_fixture.session->plugins(), *second, {html, QString()});
        QVERIFY2(written, written ? "" : qPrintable(written.error().message()));
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY2(page.contains(QStringLiteral("Run history")) && page.contains(QStringLiteral("This run continues run %1, started ").arg(*first))
                     && page.contains(QStringLiteral("the work ran in 2 runs")),
                 qPrintable(page.left(4000)));
        QVERIFY(page.contains(QStringLiteral("<td>%1</td><td>paused</td>").arg(*first)) && page.contains(QStringLiteral("<td>%1</td><td>finished</td>").arg(*second)));
        // Why each stopped, and where it ran (a paused leg said "—": trial 25 T25-20).
        QVERIFY2(page.contains(QStringLiteral("its checkpoints kept, the next run went on from them</td><td>%1</td>").arg(QSysInfo::machineHostName().toHtmlEscaped())),
                 qPrintable(page.mid(page.indexOf(QStringLiteral("Run history")), 3000)));
        // A run that resumes none has no history section.
        const QString alone = m_dir.filePath(QStringLiteral("alone.html"));
        auto done = runs.start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 1}, {QStringLiteral("work"), 0}});
        QVERIFY(done);
        QTRY_COMPARE_WITH_TIMEOUT(scheduler.handle(*done)->state(), core::RunState::Finished, 60000);
        QVERIFY(ui::ReportExporter::exportRun(*m_fixture.session->project(), m_fixture.session->plugins(), *done, {alone, QString()}));
        QVERIFY(!QString::fromUtf8(readAll(alone)).contains(QStringLiteral("Run history")));
    }
};

QTEST_MAIN(TstRunReports)
#include "tst_run_reports.moc"
