// `bioforge status [run-id] [--json]`: the cluster runs under way in a project
// (or one run), each task's state, node, job id and progress, and the merge.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"

#include "cluster/cluster_state.h"
#include "cluster/slurm_client.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"
#include "util/short_list.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace bioforge::cli {

namespace {

// One run of `status --json`: {id, state, plugin, verb, cluster, shards, tasks: [{task (1-based), state,
// node, job_id, progress (0–1)}], merge, active_jobs, error}; what is not known null.
QJsonObject statusJson(const core::RunRecord& r, const QString& folder, const core::Expected<core::ClusterRunStatus>& status)
{
    QJsonObject o{{QStringLiteral("id"), r.runId}, {QStringLiteral("state"), core::runStateName(r.state)},
                  {QStringLiteral("plugin"), runPluginJson(r)}, // as `runs --json`
                  {QStringLiteral("verb"), r.verb}};
    QJsonArray tasks;
    if (status)
        for (const core::ClusterTaskStatus& t : status->tasks)
            tasks.append(QJsonObject{{QStringLiteral("task"), t.index + 1}, {QStringLiteral("state"), t.state}, {QStringLiteral("node"), textOrNull(t.node)},
                                     {QStringLiteral("job_id"), textOrNull(t.jobId)}, {QStringLiteral("progress"), std::floor(t.progress * 1e4) / 1e4}}); // never more than was done
    o.insert(QStringLiteral("cluster"), status ? textOrNull(status->clusterName) : QJsonValue());
    o.insert(QStringLiteral("shards"), status ? QJsonValue(status->shards) : QJsonValue());
    o.insert(QStringLiteral("tasks"), status ? QJsonValue(tasks) : QJsonValue());
    o.insert(QStringLiteral("merge"), status ? QJsonValue(status->merge) : QJsonValue());
    o.insert(QStringLiteral("active_jobs"), status ? QJsonValue(QJsonArray::fromStringList(status->activeJobs)) : QJsonValue());
    o.insert(QStringLiteral("error"), status ? QJsonValue()
                                      : !QFileInfo(folder).isDir() && r.parameters.contains(QLatin1String("cluster")) ? QJsonValue(QStringLiteral("its checkpoint folder %1 is gone").arg(folder))
                                                                   : QJsonValue(status.error().message()));
    return o;
}

// One run of `status`'s text: its tasks, the merge, and what to do about tasks still on the cluster.
void printStatus(CliContext& ctx, const core::RunRecord& r, const QString& folder, const core::Expected<core::ClusterRunStatus>& status)
{
    ctx.out() << "run " << r.runId << " (" << core::runStateName(r.state) << ") " << r.pluginId << ' ' << r.verb;
    if (!status && !QFileInfo(folder).isDir() && r.parameters.contains(QLatin1String("cluster"))) { // removed to free space
        ctx.out() << ": its checkpoint folder " << folder << " is gone; where it ran is in its provenance (bioforge show " << r.runId << ")" << Qt::endl;
        return;
    }
    if (!status) {
        ctx.out() << ": " << status.error().message() << Qt::endl;
        return;
    }
    ctx.out() << " on cluster " << (status->clusterName.isEmpty() ? QStringLiteral("?") : status->clusterName) << ", " << status->shards << " shards" << Qt::endl;
    for (const core::ClusterTaskStatus& t : status->tasks)
        ctx.out() << QStringLiteral("  task %1/%2  %3  %4  %5  %6%\n")
                         .arg(QString::number(t.index + 1), QString::number(status->shards), t.state.leftJustified(18),
                              (t.node.isEmpty() ? QStringLiteral("-") : t.node).leftJustified(12),
                              (t.jobId.isEmpty() ? QStringLiteral("-") : QStringLiteral("job ") + t.jobId).leftJustified(14),
                              QString::number(int(t.progress * 100)));
    ctx.out() << "  merge     " << status->merge << Qt::endl;
    if (r.failedOnInput() && status->activeTasks() > 0) { // a resume refuses it: no use for their results
        ctx.out() << "  the run failed on its input; " << status->activeTasks() << (status->activeTasks() == 1 ? " task is" : " tasks are")
                  << " still on the cluster, and a resume would fail the same way: 'scancel " << status->activeJobs.join(QLatin1Char(' '))
                  << "' stops them" << Qt::endl;
    } else if (r.state == core::RunState::Failed && status->activeTasks() > 0) {
        ctx.out() << "  the run failed; " << status->activeTasks() << (status->activeTasks() == 1 ? " task is" : " tasks are")
                  << " still on the cluster: 'bioforge resume " << r.runId << "' follows them and reruns the failed ones, 'scancel "
                  << status->activeJobs.join(QLatin1Char(' ')) << "' stops them" << Qt::endl;
    } else if ((r.state == core::RunState::Paused || r.state == core::RunState::Cancelled) && status->activeTasks() > 0) {
        // Stopped while the controller did not answer, its jobs could not be cancelled (trial 22).
        ctx.out() << "  the run is " << core::runStateName(r.state) << " but " << status->activeTasks() << (status->activeTasks() == 1 ? " task is" : " tasks are")
                  << " still on the cluster (it was stopped while Slurm did not answer): "
                  << (r.state == core::RunState::Paused ? QStringLiteral("'bioforge resume %1' follows them, ").arg(r.runId) : QString()) << "'scancel "
                  << status->activeJobs.join(QLatin1Char(' ')) << "' stops them" << Qt::endl;
    }
}

} // namespace

int cmdStatus(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    const bool json = args.removeAll(QStringLiteral("--json")) > 0;
    if (args.size() > 1) {
        ctx.err() << "usage: bioforge status [run-id] [--json]" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    // A run whose bioforge was killed reads interrupted, as `runs` and `resume` say it (it read
    // "running": trial 22); a read-only project is read as it lies.
    if (auto recovered = ctx.session().runs()->recoverInterrupted(); !recovered)
        ctx.err() << "bioforge: " << recovered.error().message() << Qt::endl;
    auto all = project->store().runs();
    if (!all) {
        ctx.err() << "bioforge: " << all.error().message() << Qt::endl;
        return kProjectError;
    }
    // Under way: queued or running here, or interrupted (the submitting process died: its jobs may
    // still run) and not resumed since, or failed with tasks still on the cluster (the run ends at the
    // first failed task; the others run on, and a resume keeps their results), or paused or cancelled
    // with jobs still there (stopped while the controller did not answer, scancel could not reach
    // them). A resumed run has nothing on the cluster of its own (a continuation shares its folder:
    // its tasks are shown as the continuation's).
    const core::SlurmClient slurm;
    QList<core::RunRecord> shown;
    std::map<QString, core::Expected<core::ClusterRunStatus>> statusOf;
    // A failed run's other tasks may run on. Which do is asked once for all (squeue by the runs' job
    // names); only those runs are looked at one by one. Without squeue, no failed run is shown.
    QStringList failedJobNames;
    std::map<QString, const core::RunRecord*> failedRunOfJob; // submitted job id → run
    for (const core::RunRecord& r : *all) {
        if (!args.isEmpty()) {
            if (r.runId == args.first())
                shown.append(r);
            continue;
        }
        if (!r.parameters.contains(QLatin1String("cluster")) || core::continuationOf(*all, r.runId))
            continue;
        if (r.state == core::RunState::Queued || r.state == core::RunState::Running || r.state == core::RunState::Interrupted) {
            shown.append(r);
        } else if (r.state == core::RunState::Failed || r.state == core::RunState::Paused || r.state == core::RunState::Cancelled) {
            // Failed (its other tasks run on), or paused or cancelled while Slurm did not answer (its
            // jobs could not be cancelled; the run's warning points here: trial 22).
            const QString folder = project->checkpointDir(r.checkpointId);
            if (auto state = core::loadClusterState(folder); state && *state && !(*state)->submissions.isEmpty()) {
                failedJobNames << (*state)->jobNameIn(folder) << (*state)->jobNameIn(folder) + QStringLiteral("-merge");
                for (const core::ClusterSubmission& sub : (*state)->submissions)
                    failedRunOfJob.emplace(sub.jobId, &r);
            }
        }
    }
    QString squeueDown; // failed runs not looked at: why
    if (!failedJobNames.isEmpty()) {
        if (auto active = slurm.activeJobsNamed(failedJobNames.join(QLatin1Char(',')))) {
            QSet<QString> looked;
            for (const core::SlurmJobState& job : *active) {
                auto run = failedRunOfJob.find(job.arrayJobId.isEmpty() ? job.jobId : job.arrayJobId);
                if (run == failedRunOfJob.end() || looked.contains(run->second->runId))
                    continue;
                looked.insert(run->second->runId);
                auto status = core::clusterRunStatus(project->checkpointDir(run->second->checkpointId), slurm);
                if (status && status->activeTasks() > 0)
                    statusOf.emplace(run->second->runId, std::move(status));
            }
            if (!statusOf.empty()) { // in the history's order, as the others: one pass over it
                QSet<QString> under;
                for (const core::RunRecord& r : shown)
                    under.insert(r.runId);
                QList<core::RunRecord> ordered;
                for (const core::RunRecord& r : *all)
                    if (under.contains(r.runId) || statusOf.count(r.runId) > 0)
                        ordered.append(r);
                shown = std::move(ordered);
            }
        } else {
            squeueDown = active.error().message();
        }
    }
    if (!squeueDown.isEmpty())
        ctx.err() << "bioforge: failed, paused or cancelled cluster runs whose tasks may still run were not looked at: " << squeueDown.trimmed() << Qt::endl;
    if (!args.isEmpty() && shown.isEmpty()) {
        ctx.err() << "bioforge: no run " << args.first() << " in " << project->folder() << Qt::endl;
        return kNotFound;
    }
    // Each run's status when it is shown (each may ask Slurm: the text prints as it goes).
    const auto statusOfRun = [&](const core::RunRecord& r) {
        auto known = statusOf.find(r.runId);
        return known != statusOf.end() ? std::move(known->second) : core::clusterRunStatus(project->checkpointDir(r.checkpointId), slurm);
    };
    if (json) {
        QJsonArray runs;
        for (const core::RunRecord& r : shown)
            runs.append(statusJson(r, project->checkpointDir(r.checkpointId), statusOfRun(r)));
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("project"), project->folder()},
                                               {QStringLiteral("runs"), runs},
                                               {QStringLiteral("not_looked_at"), textOrNull(squeueDown.trimmed())}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
        return kOk;
    }
    // A local run asked for by id: its state and saved progress, not "not a cluster run".
    if (!args.isEmpty() && !shown.first().parameters.contains(QLatin1String("cluster"))) {
        const core::RunRecord& r = shown.first();
        ctx.out() << "run " << r.runId << " (" << r.pluginId << ' ' << r.verb << ", a local run): " << core::runStateName(r.state);
        if (const auto progress = project->store().runProgress(r.runId); progress && r.state != core::RunState::Finished)
            ctx.out() << " at " << QString::number(std::floor(*progress * 1000) / 10, 'f', 1) << " %";
        if (const core::RunRecord* next = core::continuationOf(*all, r.runId))
            ctx.out() << "; resumed as run " << next->runId << " (" << core::runStateName(next->state) << ')';
        else if (r.resumable())
            ctx.out() << "; 'bioforge resume " << r.runId << "' continues it";
        ctx.out() << Qt::endl;
        return kOk;
    }
    if (shown.isEmpty())
        ctx.out() << "no cluster run under way in " << project->folder() << Qt::endl;
    for (const core::RunRecord& r : shown)
        printStatus(ctx, r, project->checkpointDir(r.checkpointId), statusOfRun(r));
    // The local runs under way or waiting to be resumed, in one line (after a crash `status` said
    // only "no cluster run under way": trial 24 T24-18).
    if (args.isEmpty()) {
        QStringList waiting, going;
        for (const core::RunRecord& r : *all) {
            if (r.parameters.contains(QLatin1String("cluster")) || core::continuationOf(*all, r.runId))
                continue;
            if (r.state == core::RunState::Running || r.state == core::RunState::Queued)
                going << QStringLiteral("%1 (%2)").arg(r.runId, core::runStateName(r.state));
            else if (r.state == core::RunState::Paused || r.state == core::RunState::Interrupted)
                waiting << QStringLiteral("%1 (%2)").arg(r.runId, core::runStateName(r.state));
        }
        if (!going.isEmpty())
            ctx.out() << "local runs under way: " << core::shortList(going, QStringLiteral(", ")) << Qt::endl;
        if (!waiting.isEmpty())
            ctx.out() << "local runs to resume: " << core::shortList(waiting, QStringLiteral(", ")) << " ('bioforge resume' continues them; 'bioforge runs' lists all)"
                      << Qt::endl;
    }
    return kOk;
}

} // namespace bioforge::cli
