// The Jobs dock's table: a running job's notice (a Slurm controller that does
// not answer) is shown in its State cell, with a warning icon and the whole
// notice as the tooltip, while it holds; the cell reads its plain state again
// once the notice is cleared. The terminal said it; the window did not.
// Runs of other programs (a terminal's) are rows as the project stores them.

#include "jobs/job_list_model.h"

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "jobs/job_scheduler.h"
#include "support/test_jobs.h"

#include <QIcon>
#include <QScopeGuard>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;
using bioforge::ui::JobListModel;

class TstJobListModel : public QObject {
    Q_OBJECT

private slots:
    void aNoticeIsShownInTheStateCellWhileItHolds()
    {
        QTemporaryDir dir;
        // What the job uses outlives the scheduler, which waits for it.
        QSemaphore reached, proceed;
        const QString notice = QStringLiteral("squeue did not answer (timeout): the Slurm controller may be down; trying again (1 of 4)");
        // What the stage does now, as a cluster run says it: in the Stage cell, cut, and whole in its
        // tooltip (the dock showed none of it: trial 22).
        const QString message = QStringLiteral("3 of 16 shards done, 2 running (task 4 on n7, task 5 on n8), 11 queued (Slurm: Resources)");
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        JobListModel model(scheduler);
        auto handle = makeHandle(std::make_unique<CountingJob>(2, [&](int unit, JobContext& ctx) {
                                     ctx.setNotice(unit == 0 ? notice : QString());
                                     ctx.setMessage(unit == 0 ? message : QString());
                                     reached.release();
                                     proceed.acquire();
                                 }),
                                 dir.path());
        auto unblock = qScopeGuard([&] { proceed.release(2); }); // a failed check must not leave the job waiting
        scheduler.submit(handle);
        QTRY_VERIFY(model.rowOf(handle->runId()) >= 0);
        const int row = model.rowOf(handle->runId());
        const QModelIndex state = model.index(row, JobListModel::State);

        reached.acquire(); // unit 0: the notice is set
        QCOMPARE(model.data(state, Qt::DisplayRole).toString(), QStringLiteral("running: ") + notice);
        QCOMPARE(model.data(state, Qt::ToolTipRole).toString(), notice);
        QVERIFY(!model.data(state, Qt::DecorationRole).value<QIcon>().isNull());
        // Only the State cell says it.
        const QModelIndex stage = model.index(row, JobListModel::Stage);
        QVERIFY(!model.data(stage, Qt::DisplayRole).toString().contains(notice));
        const QString shown = model.data(stage, Qt::DisplayRole).toString();
        QVERIFY2(shown.contains(QStringLiteral("3 of 16 shards done, 2 running")) && shown.endsWith(QChar(0x2026)) && shown.size() < message.size() + 40,
                 qPrintable(shown));
        QVERIFY2(model.data(stage, Qt::ToolTipRole).toString().endsWith(message), qPrintable(model.data(stage, Qt::ToolTipRole).toString()));

        proceed.release();
        reached.acquire(); // unit 1: cleared
        QCOMPARE(model.data(state, Qt::DisplayRole).toString(), QStringLiteral("running"));
        QVERIFY(model.data(state, Qt::DecorationRole).isNull());
        QVERIFY(!model.data(stage, Qt::DisplayRole).toString().contains(QStringLiteral("shards"))); // a message cleared goes
        QVERIFY(model.data(state, Qt::ToolTipRole).toString() != notice);

        proceed.release();
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(model.data(state, Qt::DisplayRole).toString(), QStringLiteral("finished"));
    }

    // A failed run of the project can be resumed from the dock; a failed job of this session that is
    // no run of the project (the Chat page's model load: no checkpoint folder, no record) cannot (its
    // Resume said "no run with id 'model-load-…'": trial 19).
    void onlyARunOfTheProjectIsOfferedToResume()
    {
        QTemporaryDir dir;
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        JobListModel model(scheduler);
        const auto failing = [] { return std::make_unique<CountingJob>(1, [](int, JobContext&) { throw JobFailure(QStringLiteral("no memory left")); }); };
        auto run = makeHandle(failing(), dir.path());
        auto load = makeHandle(failing(), dir.path());
        load->record().checkpointId.clear(); // as ChatController::loadModel records it
        scheduler.submit(run);
        scheduler.submit(load);
        QVERIFY(scheduler.waitForIdle(30000));
        QTRY_VERIFY(model.rowOf(run->runId()) >= 0 && model.rowOf(load->runId()) >= 0);
        QCOMPARE(run->state(), RunState::Failed);
        QCOMPARE(load->state(), RunState::Failed);
        QVERIFY(model.canResume(model.rowOf(run->runId())));
        QVERIFY(!model.canResume(model.rowOf(load->runId())));
    }

    // At start the dock lists the project's paused and interrupted runs of earlier sessions, to
    // resume; failed ones stay on the Runs page (the dock was a wall of failed runs alike: trial 19).
    void runsOfEarlierSessionsAreThePausedAndInterruptedOnes()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        JobListModel model(scheduler);
        QList<RunRecord> earlier;
        for (const RunState state : {RunState::Paused, RunState::Interrupted, RunState::Failed}) {
            RunRecord r;
            r.runId = QStringLiteral("earlier-%1").arg(runStateName(state));
            r.checkpointId = r.runId;
            r.state = state;
            earlier << r;
        }
        model.setDormantRuns(earlier);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.canResume(0) && model.canResume(1));
        QVERIFY(model.rowOf(QStringLiteral("earlier-paused")) >= 0 && model.rowOf(QStringLiteral("earlier-interrupted")) >= 0);
        QCOMPARE(model.rowOf(QStringLiteral("earlier-failed")), -1);
    }

    // A terminal's pause, resume and run show as the project stores them: a run of this session a
    // terminal resumed reads "…, resumed" and is not offered again; the continuation is a row to
    // resume; a run going on in the terminal is a row with the progress it saved, not resumable
    // (the dock kept the old row and offered a Resume it then refused: trial 21).
    void runsOfOtherProgramsAreShownAsStored()
    {
        QTemporaryDir dir;
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        JobListModel model(scheduler);
        auto here = makeHandle(std::make_unique<CountingJob>(1, [](int, JobContext&) { throw JobFailure(QStringLiteral("disk full")); }), dir.path());
        scheduler.submit(here);
        QVERIFY(scheduler.waitForIdle(30000));
        QTRY_VERIFY(model.rowOf(here->runId()) >= 0);
        QVERIFY(model.canResume(model.rowOf(here->runId())));

        const auto stored = [](const QString& id, RunState state, const QString& parent = {}) {
            RunRecord r;
            r.runId = r.checkpointId = id;
            r.title = QStringLiteral("title of ") + id;
            r.state = state;
            r.parentRunId = parent;
            return r;
        };
        const QString resumedThere = QStringLiteral("resumed-in-a-terminal"), goingThere = QStringLiteral("going-in-a-terminal");
        QList<RunRecord> all{here->record(), stored(resumedThere, RunState::Paused, here->runId()), stored(goingThere, RunState::Running),
                             stored(QStringLiteral("over"), RunState::Finished), stored(QStringLiteral("over-too"), RunState::Cancelled)};
        all.first().state = RunState::Failed;
        model.setDormantRuns(all, {{goingThere, 0.25}, {resumedThere, 0.5}});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(QStringLiteral("over")), -1);
        const auto cell = [&](const QString& id, int column) { return model.data(model.index(model.rowOf(id), column), Qt::DisplayRole).toString(); };

        QCOMPARE(model.resumedAs(here->runId()), resumedThere);
        QVERIFY(!model.canResume(model.rowOf(here->runId())));
        QCOMPARE(cell(here->runId(), JobListModel::State), QStringLiteral("failed, resumed"));

        QVERIFY(model.canResume(model.rowOf(resumedThere)));
        QVERIFY2(cell(resumedThere, JobListModel::Name).contains(here->runId()), qPrintable(cell(resumedThere, JobListModel::Name)));
        QCOMPARE(cell(resumedThere, JobListModel::Progress), QStringLiteral("50 %"));

        QVERIFY(!model.canResume(model.rowOf(goingThere)));
        QCOMPARE(model.stateAt(model.rowOf(goingThere)), RunState::Running);
        QCOMPARE(cell(goingThere, JobListModel::State), QStringLiteral("running elsewhere"));
        QVERIFY(model.data(model.index(model.rowOf(goingThere), JobListModel::Name), Qt::ToolTipRole).toString().contains(QStringLiteral("Pause or Cancel asks that program")));
        QVERIFY(model.showsRunsElsewhere());
        model.setStoredProgress({{goingThere, 0.75}});
        QCOMPARE(cell(goingThere, JobListModel::Progress), QStringLiteral("75 %"));

        // The terminal's run ended: its row goes; none left running elsewhere.
        all[2].state = RunState::Finished;
        model.setDormantRuns(all);
        QCOMPARE(model.rowOf(goingThere), -1);
        QVERIFY(!model.showsRunsElsewhere());
    }
};

QTEST_MAIN(TstJobListModel)
#include "tst_job_list_model.moc"
