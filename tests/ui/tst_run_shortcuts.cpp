// The Run menu's Pause, Resume and Cancel (Ctrl+Shift+P, R, X) act on the run selected in the list
// whose table had the focus last: the Jobs dock's, or the Runs page's. Resume took the Runs page's
// selection while Pause took the Jobs dock's, so pausing and resuming one job reached two runs (a
// finished one refused: trial 19's T19-8).

#include "jobs/job_list_model.h"
#include "jobs/job_scheduler.h"
#include "jobs/jobs_dock.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/page_memory.h"
#include "shell/main_window.h"
#include "shell/runs_page.h"
#include "store/project.h"
#include "store/project_store.h"
#include "window_fixture.h"

#include <QAction>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstRunShortcuts : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    WindowFixture m_fixture;

    QAction* action(const char* name) const { return m_fixture.window->findChild<QAction*>(QLatin1String(name)); }

    core::RunState stateOf(const QString& runId) const { return m_fixture.session->project()->store().run(runId)->state; }

    // Focus on the list's table, and its row of `runId` selected (false where it is not listed).
    bool chooseInRunsPage(const QString& runId)
    {
        ui::RunsPage* page = m_fixture.window->runsPage();
        page->reload();
        QTableView* table = page->table();
        for (int r = 0; r < table->model()->rowCount(); ++r)
            if (table->model()->index(r, 0).data().toString() == runId) {
                table->setFocus();
                table->selectRow(r);
                return QTest::qWaitFor([table] { return table->hasFocus(); });
            }
        return false;
    }

    bool chooseInJobsDock(const QString& runId)
    {
        QTableView* table = m_fixture.window->jobsDock()->table();
        const int row = m_fixture.window->jobsDock()->model()->rowOf(runId);
        if (row < 0)
            return false;
        table->setFocus();
        table->selectRow(row);
        return QTest::qWaitFor([table] { return table->hasFocus(); });
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.open(m_dir.filePath(QStringLiteral("project")), [] {
            for (const char* key : {"geometry", "state"}) // the first start's layout
                ui::PageMemory(QStringLiteral("window")).setValue(QLatin1String(key), QByteArray());
        }));
        m_fixture.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_fixture.window.get()));
        m_fixture.window->navigation()->setCurrentRow(0); // the Runs page in view
    }
    void cleanupTestCase() { m_fixture.close(); }

    void pauseResumeAndCancelActOnTheListFocusedLast()
    {
        core::RunService* runs = m_fixture.session->runs();
        auto finished = runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 2}, {QStringLiteral("work"), 1}});
        QVERIFY(finished);
        QVERIFY(m_fixture.session->scheduler().waitForIdle(60000));
        auto going = runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), 100000}});
        QVERIFY(going);

        // The Runs page's finished run selected first, then the Jobs dock's going one: the dock's.
        QVERIFY(chooseInRunsPage(*finished));
        QVERIFY(chooseInJobsDock(*going));
        action("pauseAction")->trigger();
        QVERIFY(m_fixture.session->scheduler().waitForIdle(60000));
        QCOMPARE(stateOf(*going), core::RunState::Paused);
        action("resumeAction")->trigger(); // the same run (it resumed the Runs page's finished one, refused)
        const auto continuationOf = [this](const QString& parent) {
            for (const auto& h : m_fixture.session->scheduler().handles())
                if (h->record().parentRunId == parent)
                    return h->runId();
            return QString();
        };
        QString continuation;
        QTRY_VERIFY_WITH_TIMEOUT(!(continuation = continuationOf(*going)).isEmpty(), 10000);

        // The Runs page's table focused: its selection. A finished run is refused, saying so.
        QVERIFY(chooseInRunsPage(*finished));
        action("resumeAction")->trigger();
        QVERIFY2(m_fixture.window->statusBar()->currentMessage().contains(QStringLiteral("finished")),
                 qPrintable(m_fixture.window->statusBar()->currentMessage()));
        QVERIFY(chooseInRunsPage(continuation));
        action("pauseAction")->trigger();
        QVERIFY(m_fixture.session->scheduler().waitForIdle(60000));
        QCOMPARE(stateOf(continuation), core::RunState::Paused);
        QVERIFY(chooseInRunsPage(continuation));
        action("cancelAction")->trigger(); // paused: asked first ("cancel it for good?"), answered yes
        QMessageBox* question = nullptr;
        QTRY_VERIFY((question = m_fixture.window->jobsDock()->findChild<QMessageBox*>(QStringLiteral("cancelPausedRunQuestion"))) != nullptr);
        QVERIFY2(question->text().contains(continuation), qPrintable(question->text()));
        question->button(QMessageBox::Yes)->click();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(continuation), core::RunState::Cancelled, 10000);
        // Said in the status bar, as `bioforge cancel` says it (for a cluster run: which Slurm jobs went).
        QVERIFY2(m_fixture.window->statusBar()->currentMessage().startsWith(QStringLiteral("Run %1: cancelled while paused").arg(continuation)),
                 qPrintable(m_fixture.window->statusBar()->currentMessage()));
        QCOMPARE(stateOf(*finished), core::RunState::Finished);
        // The Runs page used last with nothing selected there: said, not the Jobs dock's run instead.
        QVERIFY(chooseInRunsPage(*finished));
        m_fixture.window->runsPage()->table()->clearSelection();
        m_fixture.window->statusBar()->clearMessage();
        action("pauseAction")->trigger();
        QVERIFY2(m_fixture.window->statusBar()->currentMessage().startsWith(QStringLiteral("Select a run on the Runs page first")),
                 qPrintable(m_fixture.window->statusBar()->currentMessage()));
    }
};

QTEST_MAIN(TstRunShortcuts)
#include "tst_run_shortcuts.moc"
