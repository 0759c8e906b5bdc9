#pragma once

// Runs jobs on a thread pool. A job that needs a GPU waits for a device lease
// (one job per GPU unless it can share). Pause and cancel are cooperative: a
// queued job stops at once, a running one within its current unit of work.
// A job that throws ends as failed; the others go on. All methods and signals
// live on the thread that owns the scheduler (the UI or CLI main thread).

#include "jobs/job_handle.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QThreadPool>

#include <memory>

namespace bioforge::core {

class Clock;
class DeviceLeasePool;

class JobScheduler : public QObject {
    Q_OBJECT
public:
    JobScheduler(DeviceLeasePool& devices, const Clock& clock, int maxConcurrentJobs, QObject* parent = nullptr);
    ~JobScheduler() override;

    void submit(std::shared_ptr<JobHandle> handle);
    // A queued run pauses at once; a running one is asked to (`mode`: JobContext::requestPause).
    void pause(const QString& runId, PauseMode mode = PauseMode::StopEverything);
    void cancel(const QString& runId);
    // Asks every active job to pause (checkpoint and stop), then waits for the workers.
    void pauseAllAndWait();
    // Drops the handles of runs that ended (another project opens: its Jobs dock lists its own
    // runs); emits endedForgotten when any were dropped.
    void forgetEnded();

    std::shared_ptr<JobHandle> handle(const QString& runId) const;
    QList<std::shared_ptr<JobHandle>> handles() const { return m_order; }
    int activeCount() const;
    int maxConcurrentJobs() const { return m_pool.maxThreadCount(); }
    void setMaxConcurrentJobs(int n);
    bool waitForIdle(int timeoutMs = -1);

signals:
    void jobSubmitted(const QString& runId);
    void jobStarted(const QString& runId);
    void jobStateChanged(const QString& runId);
    void jobEnded(const QString& runId); // finished, paused, cancelled or failed
    // A run's input files pinned at its first start (input_pins.h), before its job runs; on the
    // scheduler's thread, before its jobEnded.
    void inputsPinned(const QString& runId, const QList<bioforge::core::FileRef>& pinned);
    void endedForgotten();

private:
    void schedule();
    void onWorkerDone(const QString& runId, JobOutcome outcome, const QString& failure);

    DeviceLeasePool& m_devices;
    const Clock& m_clock;
    QThreadPool m_pool;
    QList<std::shared_ptr<JobHandle>> m_order; // every handle, in submission order
    QList<std::shared_ptr<JobHandle>> m_queue;
    int m_running = 0;
};

} // namespace bioforge::core
