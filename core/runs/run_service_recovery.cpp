// RunService: what a crash or a user leaves behind — runs whose process ended
// (recorded as interrupted), a paused or interrupted run cancelled from the
// command line, and the runs that can be resumed. (Starting, resuming and
// launching: run_service.cpp.)

#include "runs/run_service.h"

#include "cluster/cluster_state.h"
#include "cluster/slurm_client.h"
#include "cluster/slurm_options.h"
#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "log/log.h"
#include "provenance/run_state_text.h"
#include "store/project.h"

#include <QDateTime>

namespace bioforge::core {

Expected<QList<RunRecord>> RunService::recoverInterrupted()
{
    if (m_project.store().readOnly())
        return QList<RunRecord>(); // nothing can be recorded: a dead owner's run reads as it was left
    auto orphans = m_project.store().orphanedRuns();
    if (!orphans)
        return orphans.error();
    QList<RunRecord> out;
    for (RunRecord r : *orphans) {
        if (m_scheduler.handle(r.runId))
            continue; // ours, alive
        r.state = RunState::Interrupted;
        r.error = QStringLiteral("the process running it ended unexpectedly");
        if (Status st = m_project.store().updateRun(r); !st)
            return st.error();
        wroteState(r);
        emit runChangedElsewhere(r.runId); // its process is gone: the views say so (review 66 R66-4)
        log::warn(QStringLiteral("run %1 (%2) was interrupted (its process ended without closing it: a crash, a kill, a second Ctrl-C); it can be resumed").arg(r.runId, r.title));
        out.append(r);
    }
    return out;
}

Expected<RunRecord> RunService::discard(const QString& runId)
{
    if (Status st = m_project.store().writable(); !st)
        return st.error();
    if (auto recovered = recoverInterrupted(); !recovered) // a dead owner's "running" is "interrupted"
        return recovered.error();
    auto record = m_project.store().run(runId);
    if (!record)
        return record.error();
    const auto handle = m_scheduler.handle(runId);
    if ((handle && (handle->state() == RunState::Running || handle->state() == RunState::Queued)) || record->state == RunState::Running
        || record->state == RunState::Queued)
        return Error(QStringLiteral("run %1 is %2 in a program that is still open: pause or cancel it there (Ctrl-C, or the Jobs dock)")
                         .arg(runId, runStateName(record->state)),
                     Error::Kind::Failed);
    if (record->state != RunState::Paused && record->state != RunState::Interrupted)
        return Error(QStringLiteral("run %1 is %2; only a paused or interrupted run can be cancelled here").arg(runId, runStateName(record->state)),
                     Error::Kind::Failed);
    auto all = m_project.store().runs();
    if (!all)
        return all.error();
    if (const RunRecord* r = continuationOf(*all, runId))
        return Error(r->state == RunState::Paused || r->state == RunState::Interrupted
                         ? QStringLiteral("run %1 was resumed as run %2 (%3): cancel that one").arg(runId, r->runId, runStateName(r->state))
                     : r->state == RunState::Running || r->state == RunState::Queued
                         ? QStringLiteral("run %1 was resumed as run %2, which is %3 in a program that is open: pause or cancel it there (Ctrl-C, or the "
                                          "Jobs dock)")
                               .arg(runId, r->runId, runStateName(r->state))
                         : QStringLiteral("run %1 was resumed as run %2, %3: nothing is left to cancel").arg(runId, r->runId, whichRunState(r->state)),
                     Error::Kind::Failed);
    const RunState was = record->state;
    // A cluster run's jobs still on the cluster run on with no process to follow them: scancelled
    // first. An interrupted run's jobs surely ran on: it stays interrupted when that fails, to be tried
    // again. A paused one left them only when asked to (the window quit leaving them going) or when
    // Slurm did not answer the pause: cancelled anyway when Slurm does not answer now, the note saying
    // how to find what it may have left.
    QString jobsNote;
    if (record->parameters.contains(QLatin1String("cluster"))) {
        const auto cancelled = cancelClusterRunJobs(m_project.checkpointDir(record->checkpointId), SlurmClient());
        if (!cancelled && was == RunState::Interrupted)
            return Error(QStringLiteral("run %1 is a cluster run whose Slurm jobs could not be cancelled (%2); it stays interrupted: cancel it again, "
                                        "or scancel its jobs (squeue lists them) first")
                             .arg(runId, cancelled.error().message()));
        if (!cancelled)
            jobsNote = QStringLiteral("; Slurm did not answer (%1): jobs it may have left on the cluster are listed by 'squeue --name %2'")
                           .arg(cancelled.error().message().trimmed(), clusterRunJobName(m_project.checkpointDir(record->checkpointId)));
        else if (!cancelled->isEmpty())
            jobsNote = QStringLiteral("; its Slurm jobs %1 were cancelled").arg(cancelled->join(QStringLiteral(", ")));
    }
    // Where it ran, in its report: the block lived in the memory of the process that died.
    if (record->parameters.contains(QLatin1String("cluster")) && record->cluster.isEmpty()) {
        const QJsonObject given = record->parameters.value(QLatin1String("cluster")).toObject();
        const auto options = SlurmOptions::fromJson(given); // as the run recorded them
        record->cluster = clusterProvenanceOf(m_project.checkpointDir(record->checkpointId), options ? options->toJson() : given);
    }
    record->state = RunState::Cancelled;
    record->endedAt = QDateTime::currentDateTimeUtc();
    record->error = QStringLiteral("cancelled while %1; its checkpoints are kept in its checkpoint folder%2").arg(runStateName(was), jobsNote);
    if (Status st = m_project.store().updateIdleRun(*record); !st) // unless another program resumed it meanwhile
        return st.error();
    wroteState(*record);
    if (Status st = exportProvenance(*record, m_project.runDir(runId)); !st)
        return st.error();
    showIdleJobState(*record); // paused in this session: the Jobs dock's row says it now
    log::info(QStringLiteral("run %1 cancelled (it was %2)%3").arg(runId, runStateName(was), jobsNote));
    return *record;
}

Expected<QList<RunRecord>> RunService::resumableRuns() const
{
    auto all = m_project.store().runs();
    if (!all)
        return all.error();
    QList<RunRecord> out;
    for (const RunRecord& r : *all)
        if (r.resumable() && !continuationOf(*all, r.runId))
            out.append(r);
    return out;
}

} // namespace bioforge::core
