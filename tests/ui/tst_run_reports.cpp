// Run reports made from the window: a failed or cancelled run's "What happened" (advice by how it
// failed, control characters shown as pictures) and a failed run's export from the Provenance dock.

#include "provenance/provenance_dock.h"
#include "report/report_builder.h"
#include "report/report_exporter.h"
#include "runs/run_service.h"
#include "support/test_support.h"
#include "window_fixture.h"

#include <QJsonArray>
#include <QPushButton>
#include <QTemporaryDir>
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
};

QTEST_MAIN(TstRunReports)
#include "tst_run_reports.moc"
