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

namespace {
// squeue and scancel of a cancel (which the window asks on its UI thread): a controller that does not
// answer within this is said so, and the run stays as it was.
constexpr int kSlurmAnswerMs = 15000;
} // namespace

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
    // first, and the run stays as it was when that fails, to be tried again. An interrupted run's
    // surely ran on; a paused one's only where its pause left them (ClusterState::leftJobs: the window
    // quit leaving them going, or scancel failed) — a plain pause left none, and Slurm is not asked.
    QString jobsNote;
    const QString checkpointDir = m_project.checkpointDir(record->checkpointId);
    bool mayHaveJobs = was == RunState::Interrupted;
    if (record->parameters.contains(QLatin1String("cluster")) && !mayHaveJobs)
        if (auto state = loadClusterState(checkpointDir); state && *state)
            mayHaveJobs = !(*state)->leftJobs.isEmpty();
    if (record->parameters.contains(QLatin1String("cluster")) && mayHaveJobs) {
        const auto cancelled = cancelClusterRunJobs(checkpointDir, SlurmClient(QString(), kSlurmAnswerMs));
        if (!cancelled)
            return Error(QStringLiteral("run %1 is a cluster run whose Slurm jobs could not be cancelled (%2); it stays %3: cancel it again, "
                                        "or scancel its jobs first ('%4' lists them)")
                             .arg(runId, cancelled.error().message().trimmed(), runStateName(was), clusterRunQueueCommand(checkpointDir)));
        if (!cancelled->isEmpty())
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
