// The cluster run's follow loop against a scheduler that stops answering
// (a Slurm controller down), with no cluster: a fake ClusterBackend. The
// progress follows the tasks' own files meanwhile, the run says so once (a
// notice), and a pause asked then scancels what was last seen running and
// ends paused (it failed after the squeue retries, whatever was asked). A
// resume asks the plugin to compare the plan's models while a task is left. A
// pause that leaves the jobs going (the window quit so) cancels none.

#include "cluster/cluster_backend.h"
#include "cluster/cluster_run_job.h"
#include "cluster/cluster_state.h"
#include "cluster/slurm_options.h"
#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "diagnostics/workbench_plugin.h"
#include "io/atomic_file.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "store/project.h"
#include "store/project_store.h"
#include "support/test_jobs.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <atomic>
#include <mutex>

using namespace bioforge::core;
using namespace bioforge::test;

namespace {

// A scheduler with a job array (every task RUNNING, but `failedTask` FAILED) and a merge (PENDING)
// once submitted; `down` makes squeue fail as when the controller does not answer.
class FakeScheduler final : public ClusterBackend {
public:
    std::atomic<bool> down{false};
    std::atomic<int> failedTask{-1};
    mutable std::atomic<int> polls{0}; // squeue calls that answered, after the submissions

    Expected<QString> submit(const QStringList& arguments, const QString&) const override
    {
        std::lock_guard lock(m_mutex);
        const QString id = QString::number(100 + m_submitted.size());
        m_submitted.append({id, arguments});
        return id;
    }
    Expected<QList<SlurmJobState>> jobs(const QStringList& ids) const override
    {
        if (down)
            return Error(QStringLiteral("squeue: error: slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));
        std::lock_guard lock(m_mutex);
        QList<SlurmJobState> out;
        for (const auto& [id, args] : m_submitted) {
            if (!ids.contains(id) || m_cancelled.contains(id)) // a cancelled job leaves the queue
                continue;
            const QString array = args.filter(QStringLiteral("--array=")).value(0).mid(8);
            if (array.isEmpty()) {
                out.append({id, id, -1, QStringLiteral("PENDING"), QString(), QStringLiteral("Dependency")});
                continue;
            }
            const int last = array.section(QLatin1Char('-'), -1).toInt();
            for (int i = array.section(QLatin1Char('-'), 0, 0).toInt(); i <= last; ++i)
                out.append({QStringLiteral("%1_%2").arg(id).arg(i), id, i, i == failedTask ? QStringLiteral("FAILED") : QStringLiteral("RUNNING"),
                            QStringLiteral("node%1").arg(i), QStringLiteral("None")});
        }
        if (m_submitted.size() >= 2)
            ++polls;
        return out;
    }
    Expected<QList<SlurmJobState>> activeJobsNamed(const QString&) const override { return QList<SlurmJobState>(); }
    Status cancel(const QStringList& ids) const override
    {
        std::lock_guard lock(m_mutex);
        m_cancelled += ids;
        return down ? Status(Error(QStringLiteral("scancel: error: Unable to contact slurm controller"))) : okStatus();
    }
    Expected<QString> clusterName() const override { return QStringLiteral("fake"); }

    QStringList cancelled() const
    {
        std::lock_guard lock(m_mutex);
        return m_cancelled;
    }
    qsizetype submissions() const
    {
        std::lock_guard lock(m_mutex);
        return m_submitted.size();
    }
    QStringList lastSubmission() const
    {
        std::lock_guard lock(m_mutex);
        return m_submitted.isEmpty() ? QStringList() : m_submitted.back().second;
    }

private:
    mutable std::mutex m_mutex;
    mutable QList<std::pair<QString, QStringList>> m_submitted;
    mutable QStringList m_cancelled;
};

// The self-test, whose plan a resume asks to compare with its models (IPlugin::checkShardPlanModels):
// refused with `refusal` when it is set; `checks` counts the questions.
class ModelCheckingPlugin final : public IPlugin {
public:
    QString refusal;
    mutable std::atomic<int> checks{0};

    bool initialize(const PluginContext& context, QString* errorString) override { return m_selfTest.initialize(context, errorString); }
    QList<VerbSpec> verbs() const override { return m_selfTest.verbs(); }
    Expected<std::unique_ptr<Job>> createJob(const QString& verb, const QJsonObject& parameters) override { return m_selfTest.createJob(verb, parameters); }
    bool canShard(const QString& verb) const override { return m_selfTest.canShard(verb); }
    Expected<ShardPlan> planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile) override
    {
        return m_selfTest.planShards(verb, parameters, shards, planFile);
    }
    Status checkShardPlanModels(const QString&, const QJsonObject&, const QString&) const override
    {
        ++checks;
        return refusal.isEmpty() ? okStatus() : Status(Error(refusal));
    }

private:
    WorkbenchPlugin m_selfTest;
};

const QJsonObject kSelfTest{{QStringLiteral("units"), 12}, {QStringLiteral("values"), 10}, {QStringLiteral("work"), 0}, {QStringLiteral("seed"), 1},
                            {QStringLiteral("fail_at_unit"), -1}, {QStringLiteral("shard"), QString()}, {QStringLiteral("shard_plan"), QString()}};

// The self-test as a cluster run of 3 shards on `slurm`.
std::unique_ptr<ClusterRunJob> selfTestOn(IPlugin& plugin, std::shared_ptr<FakeScheduler> slurm)
{
    const auto options = SlurmOptions::fromJson({{QStringLiteral("backend"), QStringLiteral("slurm")}, {QStringLiteral("shards"), 3}});
    if (!options)
        qFatal("%s", qPrintable(options.error().message()));
    return std::make_unique<ClusterRunJob>(plugin, QStringLiteral("workbench"), QStringLiteral("selftest"), kSelfTest, *options, QStringLiteral("/bin/true"),
                                           std::move(slurm));
}

// One job at a time on the CPU.
struct CpuScheduler {
    DeviceLeasePool devices{{DeviceDiscovery::cpu()}};
    JobScheduler scheduler{devices, SteadyClock::instance(), 1};
};

// A run that goes on from `first`'s checkpoints (a resume, as RunService makes one).
std::shared_ptr<JobHandle> resumeOf(JobHandle& first, std::unique_ptr<Job> job, const QString& root)
{
    RunRecord record;
    record.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.parentRunId = first.runId();
    record.checkpointId = first.record().checkpointId;
    const QString runDir = QDir(root).filePath(QStringLiteral("runs/") + record.runId);
    QDir().mkpath(runDir);
    return std::make_shared<JobHandle>(record, std::move(job), runDir, first.checkpoints().rootDir());
}

// Submits `handle`, waits until the fake Slurm was asked about its jobs, pauses it with `mode` and
// waits until it ends paused (a QVERIFY helper: the caller checks QTest::currentTestFailed()).
void followThenPause(JobScheduler& scheduler, const std::shared_ptr<JobHandle>& handle, const FakeScheduler& slurm, PauseMode mode)
{
    scheduler.submit(handle);
    QTRY_VERIFY_WITH_TIMEOUT(slurm.polls >= 1, 30000);
    scheduler.pause(handle->runId(), mode);
    QVERIFY(scheduler.waitForIdle(30000));
    QCOMPARE(handle->state(), RunState::Paused);
}

} // namespace

class TstClusterFollow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        Logging::initialize(Logging::Console::Off);
        qputenv("BIOFORGE_CLUSTER_POLL_MS", "2000"); // five squeue failures in a row: 8 s for the test to act
    }

    void aPauseWhileSqueueIsDownEndsPausedAndProgressFollowsTheFiles()
    {
        WorkbenchPlugin plugin; // the self-test: shardable, no model or input
        auto slurm = std::make_shared<FakeScheduler>();
        auto job = selfTestOn(plugin, slurm);
        CpuScheduler cpu;
        JobScheduler& scheduler = cpu.scheduler;
        auto handle = makeHandle(std::move(job), m_dir.path());
        scheduler.submit(handle);
        QTRY_VERIFY_WITH_TIMEOUT(slurm->polls >= 1, 30000); // submitted, and followed
        slurm->down = true;
        QTRY_VERIFY_WITH_TIMEOUT(handle->snapshot().notice.startsWith(QLatin1String("squeue did not answer (squeue: error: slurm_load_jobs error")), 30000);
        QVERIFY2(handle->snapshot().notice.contains(QLatin1String("the Slurm controller may be down; trying again (")), qPrintable(handle->snapshot().notice));
        // A task's progress file moves the run on while squeue is down.
        const double before = handle->snapshot().fraction;
        const QString progress = QDir(handle->checkpoints().rootDir()).filePath(QStringLiteral("cluster/tasks/1/progress.json"));
        QVERIFY(QDir().mkpath(QFileInfo(progress).absolutePath()));
        QVERIFY(AtomicFile::write(progress, R"({"fraction": 0.5, "stage": "Generate"})"));
        QTRY_VERIFY_WITH_TIMEOUT(handle->snapshot().fraction >= before + 0.1, 30000); // half of one task of three: 0.155 of the run
        QCOMPARE(handle->state(), RunState::Running);
        // Paused now (before the retries run out): what was seen running is scancelled, the run pauses.
        scheduler.pause(handle->runId());
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(handle->state(), RunState::Paused);
        QCOMPARE(slurm->cancelled(), (QStringList{QStringLiteral("100"), QStringLiteral("101")}));
        // scancel failed too (the controller is down): the record says which jobs may still run.
        const QStringList warnings = handle->record().warnings;
        QVERIFY2(!warnings.filter(QStringLiteral("Slurm job(s) 100, 101 may still run")).isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
    }

    // The window quit leaving a cluster run's jobs going (trial 22 T22-14): the run pauses here with
    // nothing scancelled, its record names the jobs and how to follow or stop them, and its resume
    // follows them (nothing submitted again) until a plain pause stops them.
    void aPauseLeavingTheClusterJobsCancelsNothingAndTheResumeFollowsThem()
    {
        WorkbenchPlugin plugin;
        auto slurm = std::make_shared<FakeScheduler>();
        const auto clusterJob = [&] { return selfTestOn(plugin, slurm); };
        CpuScheduler cpu;
        JobScheduler& scheduler = cpu.scheduler;
        auto first = makeHandle(clusterJob(), m_dir.path());
        followThenPause(scheduler, first, *slurm, PauseMode::LeaveClusterJobs);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(slurm->cancelled().isEmpty(), qPrintable(slurm->cancelled().join(QLatin1Char(' '))));
        const QStringList warnings = first->record().warnings;
        QVERIFY2(!warnings.filter(QStringLiteral("Slurm job(s) 100, 101 left going on the cluster: 'bioforge resume %1'").arg(first->runId())).isEmpty()
                     && !warnings.filter(QStringLiteral("'scancel 100 101' stops them")).isEmpty(),
                 qPrintable(warnings.join(QLatin1Char('\n'))));
        const qsizetype submitted = slurm->submissions();
        // Kept with the run's state: a cancel of the paused run scancels them (review 67 R67-4).
        const auto left = loadClusterState(first->checkpoints().rootDir());
        QVERIFY(left && *left);
        QCOMPARE((*left)->leftJobs, (QStringList{QStringLiteral("100"), QStringLiteral("101")}));

        auto resumed = resumeOf(*first, clusterJob(), m_dir.path());
        scheduler.submit(resumed);
        const int polled = slurm->polls;
        QTRY_VERIFY_WITH_TIMEOUT(slurm->polls >= polled + 2 && resumed->snapshot().message.contains(QLatin1String("3 running")), 30000);
        QCOMPARE(slurm->submissions(), submitted); // followed, not submitted again
        scheduler.pause(resumed->runId()); // a plain pause: scancelled
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(resumed->state(), RunState::Paused);
        QCOMPARE(slurm->cancelled(), (QStringList{QStringLiteral("100"), QStringLiteral("101")}));
        const auto after = loadClusterState(first->checkpoints().rootDir()); // followed, then scancelled: none left
        QVERIFY(after && *after && (*after)->leftJobs.isEmpty());
    }

    // `status` once Slurm forgot the jobs (after MinJobAge): each task's job from the run's record, in
    // the array form squeue and the task logs use — a done task's from its result, the others' from
    // the submission (it printed none: trial 22 T22-11, T22-9).
    void theStatusNamesTheJobsSlurmForgot()
    {
        WorkbenchPlugin plugin;
        auto slurm = std::make_shared<FakeScheduler>();
        CpuScheduler cpu;
        JobScheduler& scheduler = cpu.scheduler;
        auto handle = makeHandle(selfTestOn(plugin, slurm),
                                 m_dir.path());
        scheduler.submit(handle);
        QTRY_VERIFY_WITH_TIMEOUT(slurm->polls >= 1, 30000);
        scheduler.pause(handle->runId()); // scancelled: the fake lists them no more
        QVERIFY(scheduler.waitForIdle(30000));
        const QString root = handle->checkpoints().rootDir();
        const QString result = QDir(root).filePath(QStringLiteral("cluster/tasks/0/result.json"));
        QVERIFY(QDir().mkpath(QFileInfo(result).absolutePath()));
        QVERIFY(AtomicFile::write(result, R"({"state": "finished", "node": "node7", "job_id": "102", "array_job_id": "100", "array_task_id": "0"})"));
        auto status = clusterRunStatus(root, *slurm);
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        QCOMPARE(status->tasks.size(), 3);
        QCOMPARE(status->tasks[0].state, QStringLiteral("done"));
        QCOMPARE(status->tasks[0].jobId, QStringLiteral("100_0"));
        QCOMPARE(status->tasks[0].node, QStringLiteral("node7"));
        for (int i = 1; i < 3; ++i) {
            QCOMPARE(status->tasks[i].state, QStringLiteral("not on the cluster"));
            QCOMPARE(status->tasks[i].jobId, QStringLiteral("100_%1").arg(i));
        }
        // The report's Cluster table adds the job's own id where it differs.
        const QJsonObject placed{{QStringLiteral("job_id"), QStringLiteral("102")}, {QStringLiteral("array_job_id"), QStringLiteral("100")},
                                 {QStringLiteral("array_task_id"), QStringLiteral("0")}};
        QCOMPARE(taskJobId(placed, true), QStringLiteral("100_0 (job 102)"));
        QCOMPARE(taskJobId(placed), QStringLiteral("100_0"));
        QCOMPARE(taskJobId({{QStringLiteral("job_id"), QStringLiteral("100_2")}}, true), QStringLiteral("100_2"));
        QCOMPARE(taskJobId({{QStringLiteral("job_id"), QStringLiteral("57")}}, true), QStringLiteral("57")); // no array task
        QCOMPARE(taskJobId({}), QString());
    }

    // A task whose shard run failed on what it was given (its project's record says so: a contig the
    // plan split) fails the cluster run marked the same way, without the advice to resume — every
    // node would fail on it again; a task that failed otherwise leaves the resume advised.
    void aTaskThatFailedOnItsInputNeedsANewRun()
    {
        for (const bool onInput : {false, true}) {
            WorkbenchPlugin plugin;
            auto slurm = std::make_shared<FakeScheduler>();
            CpuScheduler cpu;
            JobScheduler& scheduler = cpu.scheduler;
            auto handle = makeHandle(selfTestOn(plugin, slurm),
                                     m_dir.path());
            scheduler.submit(handle);
            QTRY_VERIFY_WITH_TIMEOUT(slurm->polls >= 1, 30000);
            // Task 2's shard run, as `bioforge cluster task` leaves it in the task's own project.
            auto project = Project::open(QDir(handle->checkpoints().rootDir()).filePath(QStringLiteral("cluster/tasks/1/project")), true);
            QVERIFY2(project, project ? "" : qPrintable(project.error().message()));
            RunRecord shard;
            shard.runId = QStringLiteral("20261206-190000-0000000%1").arg(int(onInput));
            shard.pluginId = QStringLiteral("workbench");
            shard.verb = QStringLiteral("selftest");
            shard.state = RunState::Failed;
            shard.error = QStringLiteral("shard 2/3: frame shard 4 splits a contig (test)");
            shard.newRunNeeded = onInput;
            shard.checkpointId = shard.runId;
            shard.createdAt = QDateTime::currentDateTimeUtc();
            const Status inserted = (*project)->store().insertRun(shard);
            QVERIFY2(inserted, inserted ? "" : qPrintable(inserted.error().message()));
            project->reset();
            slurm->failedTask = 1;
            QVERIFY(scheduler.waitForIdle(60000));
            QCOMPARE(handle->state(), RunState::Failed);
            const QString error = handle->record().error;
            QVERIFY2(error.contains(QStringLiteral("task 2 of 3")) && error.contains(QStringLiteral("'bioforge resume' reruns")) != onInput, qPrintable(error));
            QCOMPARE(handle->record().newRunNeeded, onInput);
            QCOMPARE(handle->record().resumable(), !onInput);
            // The tasks still running: scancelled where no resume can use them, kept otherwise.
            QCOMPARE(slurm->cancelled().contains(QStringLiteral("100")), onInput);
        }
    }

    // A resume asks the plugin to compare the plan's models before it submits anything: refused, the
    // run fails with the plugin's words and nothing is submitted. With every task's result there the
    // models are not asked about (the merge reads none): the run goes on to its merge.
    void aResumeComparesTheModelsBeforeSubmittingWhileATaskIsLeft()
    {
        ModelCheckingPlugin plugin;
        auto slurm = std::make_shared<FakeScheduler>();
        const auto clusterJob = [&] { return selfTestOn(plugin, slurm); };
        CpuScheduler cpu;
        JobScheduler& scheduler = cpu.scheduler;
        auto first = makeHandle(clusterJob(), m_dir.path());
        followThenPause(scheduler, first, *slurm, PauseMode::StopEverything);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(plugin.checks.load(), 0); // a fresh run plans: nothing to compare
        const qsizetype submitted = slurm->submissions();

        plugin.refusal = QStringLiteral("the --esm model changed after the run was planned (test)");
        auto refused = resumeOf(*first, clusterJob(), m_dir.path());
        scheduler.submit(refused);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(refused->state(), RunState::Failed);
        QVERIFY2(refused->record().error.contains(plugin.refusal), qPrintable(refused->record().error));
        QCOMPARE(plugin.checks.load(), 1);
        QCOMPARE(slurm->submissions(), submitted);

        const QString tasks = QDir(first->checkpoints().rootDir()).filePath(QStringLiteral("cluster/tasks/"));
        for (int i = 0; i < 3; ++i) {
            QVERIFY(QDir().mkpath(tasks + QString::number(i)));
            QVERIFY(AtomicFile::write(tasks + QStringLiteral("%1/result.json").arg(i), R"({"state": "finished"})"));
        }
        auto merging = resumeOf(*first, clusterJob(), m_dir.path());
        scheduler.submit(merging);
        // Past the checks: the merge alone submitted again (the pause cancelled it; a run planned
        // afresh would have submitted its tasks first).
        QTRY_COMPARE_WITH_TIMEOUT(slurm->submissions(), submitted + 1, 30000);
        QVERIFY2(slurm->lastSubmission().filter(QStringLiteral("--array=")).isEmpty(), qPrintable(slurm->lastSubmission().join(QLatin1Char(' '))));
        scheduler.pause(merging->runId());
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(plugin.checks.load(), 1);
        QVERIFY2(merging->record().error.isEmpty(), qPrintable(merging->record().error));
        QCOMPARE(slurm->submissions(), submitted + 1);
    }
};

QTEST_GUILESS_MAIN(TstClusterFollow)
#include "tst_cluster_follow.moc"
