#include "jobs/job_scheduler.h"

#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/input_pins.h"
#include "log/log.h"
#include "log/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QRunnable>
#include <QTimer>

namespace bioforge::core {

JobScheduler::JobScheduler(DeviceLeasePool& devices, const Clock& clock, int maxConcurrentJobs, QObject* parent)
    : QObject(parent), m_devices(devices), m_clock(clock)
{
    m_pool.setMaxThreadCount(qMax(1, maxConcurrentJobs));
}

JobScheduler::~JobScheduler()
{
    pauseAllAndWait();
}

void JobScheduler::setMaxConcurrentJobs(int n)
{
    m_pool.setMaxThreadCount(qMax(1, n));
    schedule();
}

void JobScheduler::submit(std::shared_ptr<JobHandle> handle)
{
    handle->setState(RunState::Queued);
    m_order.append(handle);
    m_queue.append(handle);
    emit jobSubmitted(handle->runId());
    schedule();
}

std::shared_ptr<JobHandle> JobScheduler::handle(const QString& runId) const
{
    for (const auto& h : m_order)
        if (h->runId() == runId)
            return h;
    return nullptr;
}

int JobScheduler::activeCount() const { return m_running + int(m_queue.size()); }

void JobScheduler::schedule()
{
    for (qsizetype i = 0; i < m_queue.size() && m_running < m_pool.maxThreadCount();) {
        std::shared_ptr<JobHandle> h = m_queue[i];
        DeviceLeasePool::Result lease = m_devices.tryAcquire(h->job().requirements());
        if (lease.answer == DeviceLeasePool::Answer::Wait) {
            ++i; // a later job may need another device
            continue;
        }
        m_queue.removeAt(i);
        if (lease.answer == DeviceLeasePool::Answer::Impossible) {
            h->record().state = RunState::Failed;
            h->record().error = lease.reason;
            h->record().endedAt = QDateTime::currentDateTimeUtc();
            h->setState(RunState::Failed);
            Logging::errorNotOnConsole(QStringLiteral("run %1 failed: %2").arg(h->runId(), lease.reason));
            emit jobStateChanged(h->runId());
            emit jobEnded(h->runId());
            continue;
        }
        h->start(m_clock, std::move(lease.lease));
        ++m_running;
        // Listeners read the record before the worker exists: no race with it.
        emit jobStarted(h->runId());
        emit jobStateChanged(h->runId());
        JobScheduler* self = this; // outlives every worker: the destructor waits for the pool
        JobContext* ctx = h->context();
        const bool resuming = !h->record().parentRunId.isEmpty();
        m_pool.start(QRunnable::create([self, h, ctx, resuming] {
            JobOutcome outcome = JobOutcome::Finished;
            QString failure;
            bool newRunNeeded = false;
            try {
                const bool continues = h->job().resumesFromCheckpoints();
                if (resuming && continues)
                    ctx->restoreProgressForResume();
                QList<FileRef> pinned;
                if (!pinInputs(*ctx, h->inputFiles(), resuming, h->recordedInputs(), h->movedInputs(), &pinned)) { // stopped while the inputs were hashed
                    outcome = ctx->stopRequest() == StopRequest::Cancel ? JobOutcome::Cancelled : JobOutcome::Paused;
                } else {
                    h->setPinnedInputs(pinned);
                    if (!pinned.isEmpty()) // recorded now, not only when the run ends (a kill -9 ends none)
                        QMetaObject::invokeMethod(self, [self, runId = h->runId(), pinned] { emit self->inputsPinned(runId, pinned); }, Qt::QueuedConnection);
                    outcome = h->job().run(*ctx);
                    if (outcome == JobOutcome::Paused && continues)
                        ctx->saveProgressForResume();
                }
                if (outcome == JobOutcome::Finished)
                    ctx->markComplete();
            } catch (const JobFailure& e) {
                failure = e.message();
                newRunNeeded = e.newRunNeeded();
            } catch (const std::bad_alloc&) {
                failure = QStringLiteral("out of memory");
            } catch (const std::exception& e) {
                failure = QString::fromLocal8Bit(e.what());
            } catch (...) {
                failure = QStringLiteral("unknown error (a non-standard exception escaped the job)");
            }
            if (!failure.isEmpty() && failure.trimmed().isEmpty())
                failure = QStringLiteral("failed without a message");
            h->finishOnWorker(outcome, failure, newRunNeeded);
            const QString runId = h->runId();
            QMetaObject::invokeMethod(self, [self, runId, outcome, failure] {
                self->onWorkerDone(runId, outcome, failure);
            }, Qt::QueuedConnection);
        }));
    }
}

void JobScheduler::onWorkerDone(const QString& runId, JobOutcome, const QString& failure)
{
    std::shared_ptr<JobHandle> h = handle(runId);
    if (!h)
        return;
    --m_running;
    h->releaseLease();
    h->adoptFinishedRecord();
    if (!failure.isEmpty())
        Logging::errorNotOnConsole(QStringLiteral("run %1 failed: %2").arg(runId, failure)); // the run's record and the caller say it
    emit jobStateChanged(runId);
    emit jobEnded(runId);
    schedule();
}

void JobScheduler::pause(const QString& runId, PauseMode mode)
{
    std::shared_ptr<JobHandle> h = handle(runId);
    if (!h)
        return;
    if (h->state() == RunState::Queued) {
        m_queue.removeAll(h);
        h->setState(RunState::Paused);
        h->record().state = RunState::Paused;
        emit jobStateChanged(runId);
        emit jobEnded(runId);
    } else if (h->state() == RunState::Running && h->context()) {
        h->context()->requestPause(mode);
        h->setPendingStop(StopRequest::Pause);
        emit jobStateChanged(runId);
    }
}

void JobScheduler::cancel(const QString& runId)
{
    std::shared_ptr<JobHandle> h = handle(runId);
    if (!h)
        return;
    if (h->state() == RunState::Queued) {
        m_queue.removeAll(h);
        h->setState(RunState::Cancelled);
        h->record().state = RunState::Cancelled;
        h->record().endedAt = QDateTime::currentDateTimeUtc();
        emit jobStateChanged(runId);
        emit jobEnded(runId);
    } else if (h->state() == RunState::Running && h->context()) {
        h->context()->requestCancel();
        h->setPendingStop(StopRequest::Cancel);
        emit jobStateChanged(runId);
    }
}

void JobScheduler::pauseAllAndWait()
{
    for (const auto& h : m_order)
        if (h->state() == RunState::Running || h->state() == RunState::Queued)
            pause(h->runId());
    m_pool.waitForDone();
    // Deliver the queued completions so records are closed.
    QCoreApplication::sendPostedEvents(this);
}

void JobScheduler::forgetEnded()
{
    const qsizetype before = m_order.size();
    m_order.removeIf([](const std::shared_ptr<JobHandle>& h) { return h->state() != RunState::Running && h->state() != RunState::Queued; });
    if (m_order.size() != before)
        emit endedForgotten();
}

bool JobScheduler::waitForIdle(int timeoutMs)
{
    if (activeCount() == 0)
        return true;
    QEventLoop loop;
    auto conn = connect(this, &JobScheduler::jobEnded, &loop, [&] {
        if (activeCount() == 0)
            loop.quit();
    });
    if (timeoutMs >= 0)
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    disconnect(conn);
    return activeCount() == 0;
}

} // namespace bioforge::core
