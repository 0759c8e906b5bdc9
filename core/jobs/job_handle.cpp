#include "jobs/job_handle.h"

#include <QDateTime>

namespace bioforge::core {

JobHandle::JobHandle(RunRecord record, std::unique_ptr<Job> job, QString runDir, QString checkpointDir, QString cacheDir)
    : m_record(std::move(record)), m_job(std::move(job)), m_runDir(runDir), m_cacheDir(std::move(cacheDir)),
      m_checkpoints(std::move(checkpointDir), m_job->checkpointSchema()), m_provenance(std::move(runDir))
{
}

ProgressSnapshot JobHandle::snapshot() const
{
    return m_context ? m_context->snapshot() : ProgressSnapshot{};
}

void JobHandle::start(const Clock& clock, std::unique_ptr<DeviceLease> lease)
{
    m_lease = std::move(lease);
    JobContext::Services services{&m_checkpoints, &m_provenance, m_lease.get(), m_runDir, m_cacheDir};
    m_context = std::make_unique<JobContext>(m_record.runId, clock, services, m_record.parameters);
    if (m_lease)
        m_provenance.setDevice(m_lease->device());
    m_state = RunState::Running;
    m_record.state = RunState::Running;
    m_record.startedAt = QDateTime::currentDateTimeUtc();
}

void JobHandle::finishOnWorker(JobOutcome outcome, const QString& failure, bool newRunNeeded)
{
    if (m_context)
        m_context->markEnded();
    RunRecord done = m_record; // the owner only reads m_record while the job runs
    done.endedAt = QDateTime::currentDateTimeUtc();
    if (!failure.isEmpty()) {
        done.state = RunState::Failed;
        done.error = failure;
        done.newRunNeeded = newRunNeeded;
    } else {
        switch (outcome) {
        case JobOutcome::Finished: done.state = RunState::Finished; break;
        case JobOutcome::Paused: done.state = RunState::Paused; break;
        case JobOutcome::Cancelled: done.state = RunState::Cancelled; break;
        }
    }
    const QList<FileRef> carried = done.inputs; // the run it continues recorded them
    if (Status st = m_provenance.finalizeInto(done); !st && done.state == RunState::Finished) {
        done.state = RunState::Failed;
        done.error = st.error().message();
    }
    if (done.inputs.isEmpty())
        done.inputs = m_pinnedInputs.isEmpty() ? carried : m_pinnedInputs;
    m_pendingRecord = std::move(done);
}

void JobHandle::adoptFinishedRecord()
{
    m_record = std::move(m_pendingRecord);
    m_state = m_record.state;
}

} // namespace bioforge::core
