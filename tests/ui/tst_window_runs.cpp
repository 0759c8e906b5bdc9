// The Runs page and the quit question with several runs (issue 11, trial 21 T21-19, review 67
// R67-10): two runs selected are compared; quitting with a cluster run going can leave its jobs
// going, and that reaches the run's job as a pause that leaves them.

#include "jobs/job.h"
#include "jobs/job_context.h"
#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "runs/session.h"
#include "shell/main_window.h"
#include "shell/run_comparison_dialog.h"
#include "shell/runs_page.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace bioforge;

namespace {

// A job that works until it is asked to stop, and records whether the pause left its cluster jobs.
class UntilStopped final : public core::Job {
public:
    std::atomic<int> leftClusterJobs{-1};
    core::JobOutcome run(core::JobContext& ctx) override
    {
        ctx.beginStage(QStringLiteral("wait"), 0);
        while (!ctx.stopRequested())
            QThread::msleep(2); // not timing: a pause of the loop until the window asks
        leftClusterJobs = ctx.leavesClusterJobs() ? 1 : 0;
        return ctx.stopRequest() == core::StopRequest::Pause ? core::JobOutcome::Paused : core::JobOutcome::Cancelled;
    }
};

} // namespace

class TstWindowRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
    }

    // Two runs selected on the Runs page (Ctrl+click): Compare shows what differs, the older as A;
    // Resume is for one run (trial 21 T21-19).
    void theRunsPageComparesTwoSelectedRuns()
    {
        core::Session session(core::Session::Options{});
        ui::MainWindow window(session);
        QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("compare")), true));
        for (const int units : {10, 40}) {
            core::RunRecord r;
            r.runId = QStringLiteral("20261207-12000%1-0000000e").arg(units / 10);
            r.checkpointId = r.runId;
            r.pluginId = QStringLiteral("workbench");
            r.verb = QStringLiteral("selftest");
            r.title = QStringLiteral("same title");
            r.parameters = {{QStringLiteral("units"), units}};
            r.state = units == 10 ? core::RunState::Finished : core::RunState::Paused;
            r.createdAt = QDateTime::currentDateTimeUtc().addSecs(units);
            QVERIFY(session.project()->store().insertRun(r));
        }
        ui::RunsPage* runs = window.runsPage();
        runs->reload();
        auto* compare = runs->findChild<QPushButton*>(QStringLiteral("compareRunsButton"));
        auto* resume = runs->findChild<QPushButton*>(QStringLiteral("resumeRunButton"));
        QVERIFY(compare && resume);
        runs->table()->selectRow(0); // the newest, paused: resumable
        QVERIFY(!compare->isEnabled());
        QVERIFY(resume->isEnabled());
        runs->table()->selectionModel()->select(runs->table()->model()->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(compare->isEnabled());
        QVERIFY(!resume->isEnabled());
        runs->reload(); // a run ended elsewhere: both stay selected
        QCOMPARE(runs->table()->selectionModel()->selectedRows().size(), 2);
        QVERIFY(compare->isEnabled());
        ui::RunComparisonDialog* dialog = runs->compareSelected();
        QVERIFY(dialog);
        QTableWidget* table = dialog->differences();
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << QStringList{table->item(r, 0)->text(), table->item(r, 1)->text(), table->item(r, 2)->text(), table->item(r, 3)->text()}.join(QLatin1Char('|'));
        QCOMPARE(rows, (QStringList{QStringLiteral("run|state|finished|paused"), QStringLiteral("parameters|units|10|40")}));
        dialog->close();
    }

    // Quitting with a cluster run going: the question counts it as on the cluster, and "Quit, leave
    // the cluster jobs going" reaches the run's job as a pause that leaves them
    // (JobContext::leavesClusterJobs); "Pause and quit" stops everything (review 67 R67-10).
    void quittingCanLeaveTheClusterJobsGoing()
    {
        for (const bool leave : {true, false}) {
            core::Session session(core::Session::Options{});
            ui::MainWindow window(session);
            QVERIFY(window.openProject(m_dir.filePath(QStringLiteral("cluster-quit")), true));
            auto job = std::make_unique<UntilStopped>();
            UntilStopped* watched = job.get();
            core::RunRecord record;
            record.runId = leave ? QStringLiteral("20261207-120000-0000000c") : QStringLiteral("20261207-120000-0000000d");
            record.checkpointId = record.runId;
            record.pluginId = QStringLiteral("workbench");
            record.verb = QStringLiteral("selftest");
            record.parameters = {{QStringLiteral("cluster"), QJsonObject{{QStringLiteral("shards"), 2}}}};
            const QString runDir = m_dir.filePath(QStringLiteral("cluster-quit-runs/") + record.runId);
            QVERIFY(QDir().mkpath(runDir));
            auto handle = std::make_shared<core::JobHandle>(record, std::move(job), runDir, runDir + QStringLiteral("-checkpoints"));
            session.scheduler().submit(handle);
            QTRY_COMPARE_WITH_TIMEOUT(handle->state(), core::RunState::Running, 30000);
            int onCluster = -1;
            window.setQuitQuestion([&](int, int clusterRuns) {
                onCluster = clusterRuns;
                return leave ? ui::MainWindow::QuitChoice::LeaveClusterJobsAndQuit : ui::MainWindow::QuitChoice::PauseAndQuit;
            });
            QVERIFY(window.close());
            QCOMPARE(onCluster, 1);
            QVERIFY(session.scheduler().waitForIdle(30000));
            QCOMPARE(handle->state(), core::RunState::Paused);
            QCOMPARE(watched->leftClusterJobs.load(), leave ? 1 : 0);
        }
    }
};

QTEST_MAIN(TstWindowRuns)
#include "tst_window_runs.moc"
