// The scheduler honours pause and cancel within one unit, isolates a failing
// job, and gives each GPU to one job at a time.

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "support/test_jobs.h"

#include <QDir>
#include <QSemaphore>
#include <QUuid>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

namespace {

DeviceInfo fakeGpu(int i)
{
    DeviceInfo d;
    d.id = QStringLiteral("cuda:%1").arg(i);
    d.kind = DeviceKind::Cuda;
    d.index = i;
    d.name = QStringLiteral("Test GPU");
    return d;
}

} // namespace

class TstJobScheduler : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // Runs a job that stops at `stopAt`: the main thread asks for `request`
    // while the job waits inside that unit, as a click in the UI would.
    void stopWithinOneUnit(bool pause)
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 2);
        QSemaphore reached, proceed;
        auto job = std::make_unique<CountingJob>(100, [&](int unit, JobContext&) {
            if (unit == 3) {
                reached.release();
                proceed.acquire();
            }
        });
        CountingJob* raw = job.get();
        auto handle = makeHandle(std::move(job), m_dir.path());
        scheduler.submit(handle);
        reached.acquire();
        if (pause)
            scheduler.pause(handle->runId());
        else
            scheduler.cancel(handle->runId());
        proceed.release();
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(raw->executed.load(), 4); // units 0..3: the one in progress completes, no more
        QCOMPARE(handle->state(), pause ? RunState::Paused : RunState::Cancelled);
    }

private slots:
    void cancelIsHonouredWithinOneUnit() { stopWithinOneUnit(false); }
    void pauseIsHonouredWithinOneUnit() { stopWithinOneUnit(true); }

    // A resumed run starts at the progress its pause reached, not at 0 % while its job reads its
    // checkpoints back; a resume without that record starts at 0.
    void aResumedRunStartsAtItsPausedProgress()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        auto first = makeHandle(std::make_unique<CountingJob>(100, [&](int unit, JobContext& ctx) {
                                    if (unit == 39)
                                        ctx.requestPause(); // after its 40th unit
                                }),
                                m_dir.path());
        scheduler.submit(first);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(first->state(), RunState::Paused);
        QCOMPARE(first->snapshot().fraction, 0.4);

        auto resumeOf = [&](const std::shared_ptr<JobHandle>& parent, std::atomic<double>* seen, bool resumes = true) {
            RunRecord record;
            record.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            record.parentRunId = parent->runId();
            record.checkpointId = parent->record().checkpointId;
            const QString runDir = QDir(m_dir.path()).filePath(QStringLiteral("runs/") + record.runId);
            QDir().mkpath(runDir);
            // Its job has restored nothing yet when it first reads its progress.
            auto job = std::make_unique<CountingJob>(10, [seen](int unit, JobContext& ctx) {
                if (unit == 0)
                    seen->store(ctx.snapshot().fraction);
            });
            job->resumes = resumes;
            return std::make_shared<JobHandle>(record, std::move(job), runDir,
                                               QDir(m_dir.path()).filePath(QStringLiteral("checkpoints/") + record.checkpointId));
        };
        std::atomic<double> seen{-1.0};
        auto resumed = resumeOf(first, &seen);
        scheduler.submit(resumed);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(resumed->state(), RunState::Finished);
        QCOMPARE(seen.load(), 0.4);
        QCOMPARE(resumed->snapshot().fraction, 1.0);
        // A job that starts over when resumed (a text generation) starts at 0 whatever was kept.
        std::atomic<double> over{-1.0};
        auto startedOver = resumeOf(first, &over, false);
        scheduler.submit(startedOver);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(over.load(), 0.0);

        // A run never paused (interrupted, or recorded before this) keeps no progress: 0.
        auto other = makeHandle(std::make_unique<CountingJob>(3), m_dir.path());
        std::atomic<double> fresh{-1.0};
        auto resumedOther = resumeOf(other, &fresh);
        scheduler.submit(resumedOther);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(fresh.load(), 0.0);
    }

    void aThrowingJobFailsAloneAndOthersFinish()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 2);
        auto good1 = makeHandle(std::make_unique<CountingJob>(20), m_dir.path());
        auto bad = makeHandle(std::make_unique<CountingJob>(20, [](int unit, JobContext&) {
                                  if (unit == 5)
                                      throw JobFailure(QStringLiteral("record 'x' line 12: expected a number"));
                              }),
                              m_dir.path());
        auto throwsStd = makeHandle(std::make_unique<CountingJob>(20, [](int unit, JobContext&) {
                                        if (unit == 2)
                                            throw std::runtime_error("std failure");
                                    }),
                                    m_dir.path());
        auto good2 = makeHandle(std::make_unique<CountingJob>(20), m_dir.path());
        auto badInput = makeHandle(std::make_unique<CountingJob>(20, [](int unit, JobContext&) {
                                       if (unit == 3)
                                           throw JobFailure::needingNewRun(QStringLiteral("the input changed; start a new run"));
                                   }),
                                   m_dir.path());
        QSignalSpy ended(&scheduler, &JobScheduler::jobEnded);
        for (const auto& h : {good1, bad, throwsStd, good2, badInput})
            scheduler.submit(h);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(ended.count(), 5);
        // A failure on what the run was given is recorded as one (its report advises a new run).
        QCOMPARE(badInput->state(), RunState::Failed);
        QVERIFY(badInput->record().newRunNeeded);
        QVERIFY(!bad->record().newRunNeeded && !throwsStd->record().newRunNeeded);
        QCOMPARE(good1->state(), RunState::Finished);
        QCOMPARE(good2->state(), RunState::Finished);
        QCOMPARE(bad->state(), RunState::Failed);
        QCOMPARE(bad->record().error, QStringLiteral("record 'x' line 12: expected a number"));
        QCOMPARE(throwsStd->state(), RunState::Failed);
        QCOMPARE(throwsStd->record().error, QStringLiteral("std failure"));
        QCOMPARE(good1->snapshot().fraction, 1.0);
    }

    void pausingAQueuedJobStopsItAtOnce()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        QSemaphore reached, proceed;
        auto blocker = makeHandle(std::make_unique<CountingJob>(1, [&](int, JobContext&) {
                                      reached.release();
                                      proceed.acquire();
                                  }),
                                  m_dir.path());
        auto queuedJob = std::make_unique<CountingJob>(5);
        CountingJob* queuedRaw = queuedJob.get();
        auto queued = makeHandle(std::move(queuedJob), m_dir.path());
        scheduler.submit(blocker);
        scheduler.submit(queued);
        reached.acquire();
        QCOMPARE(queued->state(), RunState::Queued);
        scheduler.pause(queued->runId());
        QCOMPARE(queued->state(), RunState::Paused);
        proceed.release();
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(queuedRaw->executed.load(), 0);
    }

    void oneJobPerGpuUnlessSharing()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu(), fakeGpu(0)});
        JobScheduler scheduler(devices, SteadyClock::instance(), 4);
        std::atomic<int> onGpu{0}, maxOnGpu{0};
        auto hook = [&](int unit, JobContext&) {
            if (unit == 0) {
                const int now = ++onGpu;
                int seen = maxOnGpu.load();
                while (now > seen && !maxOnGpu.compare_exchange_weak(seen, now)) {}
            }
            if (unit == 9)
                --onGpu;
        };
        QList<std::shared_ptr<JobHandle>> handles;
        for (int i = 0; i < 3; ++i)
            handles << makeHandle(std::make_unique<CountingJob>(10, hook, JobRequirements{DeviceNeed::GpuRequired, false}), m_dir.path());
        for (const auto& h : handles)
            scheduler.submit(h);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(maxOnGpu.load(), 1);
        for (const auto& h : handles) {
            QCOMPARE(h->state(), RunState::Finished);
            QCOMPARE(h->record().device.value(QStringLiteral("id")).toString(), QStringLiteral("cuda:0"));
        }
        QCOMPARE(devices.activeLeases(), 0);
    }

    void gpuRequiredWithoutGpuFailsClearly()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 2);
        auto h = makeHandle(std::make_unique<CountingJob>(3, CountingJob::Hook{}, JobRequirements{DeviceNeed::GpuRequired, false}), m_dir.path());
        scheduler.submit(h);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(h->state(), RunState::Failed);
        QVERIFY(h->record().error.contains(QStringLiteral("needs a GPU")));
    }

    void gpuPreferredRunsOnCpuWithoutGpu()
    {
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 2);
        auto h = makeHandle(std::make_unique<CountingJob>(3, CountingJob::Hook{}, JobRequirements{DeviceNeed::GpuPreferred, false}), m_dir.path());
        scheduler.submit(h);
        QVERIFY(scheduler.waitForIdle(30000));
        QCOMPARE(h->state(), RunState::Finished);
        QCOMPARE(h->record().device.value(QStringLiteral("id")).toString(), QStringLiteral("cpu"));
    }
};

QTEST_GUILESS_MAIN(TstJobScheduler)
#include "tst_job_scheduler.moc"
