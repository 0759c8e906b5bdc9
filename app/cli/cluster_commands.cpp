// The commands a cluster run's Slurm jobs run (core/cluster): `cluster task`
// (one shard, in its own project under the run's work folder) and `cluster
// merge`. Users start cluster runs with `bioforge run … --cluster slurm`.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"

#include "cluster/cluster_state.h"
#include "cluster/slurm_client.h"
#include "cluster/cluster_work.h"
#include "io/atomic_file.h"
#include "io/sha256.h"
#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSet>
#include <QTimer>

#include <cmath>
#include <map>
#include <vector>

namespace bioforge::cli {

namespace {

QString env(const char* name) { return QProcessEnvironment::systemEnvironment().value(QLatin1String(name)); }

// Where this process runs, as Slurm tells it.
QJsonObject placement()
{
    QJsonObject o{{QStringLiteral("node"), env("SLURMD_NODENAME")},
                  {QStringLiteral("job_id"), env("SLURM_JOB_ID")},
                  {QStringLiteral("array_job_id"), env("SLURM_ARRAY_JOB_ID")},
                  {QStringLiteral("array_task_id"), env("SLURM_ARRAY_TASK_ID")},
                  {QStringLiteral("cpus"), env("SLURM_CPUS_PER_TASK")},
                  {QStringLiteral("gpus"), env("SLURM_JOB_GPUS").isEmpty() ? env("CUDA_VISIBLE_DEVICES") : env("SLURM_JOB_GPUS")},
                  {QStringLiteral("finished_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    if (o.value(QLatin1String("node")).toString().isEmpty())
        o.insert(QStringLiteral("node"), QSysInfo::machineHostName());
    return o;
}

int taskUsage(CliContext& ctx)
{
    ctx.err() << "usage: bioforge cluster task <work-folder> <index>   (a cluster run's array task)\n"
                 "       bioforge cluster merge <work-folder>          (a cluster run's merge)"
              << Qt::endl;
    return kUsage;
}

int clusterTask(CliContext& ctx, const QString& folder, const QString& indexText)
{
    const core::ClusterWork work(folder);
    auto config = work.readConfig();
    if (!config) {
        ctx.err() << "bioforge cluster task: " << config.error().message() << Qt::endl;
        return QFileInfo(folder).isDir() ? kProjectError : kNotFound; // no such work folder: 6, as a run or file that is not there
    }
    bool ok = false;
    const int index = indexText.toInt(&ok);
    if (!ok || index < 0 || index >= config->shards) {
        ctx.err() << "bioforge cluster task: index '" << indexText << "' is not a shard of this run (0 to " << config->shards - 1 << ")" << Qt::endl;
        return kUsage;
    }
    core::IPlugin* plugin = ctx.session().plugins().plugin(config->pluginId);
    if (!plugin) {
        ctx.err() << "bioforge cluster task: plugin '" << config->pluginId << "' is not loaded on this node" << Qt::endl;
        return kNotFound;
    }
    ctx.setProjectFolder(work.taskProject(index));
    core::Project* project = ctx.project(true, false);
    if (!project)
        return kProjectError;
    core::RunService& runs = *ctx.session().runs();
    auto writeResult = [&](const core::RunRecord& r) {
        QJsonObject result = placement();
        result.insert(QStringLiteral("state"), QStringLiteral("finished"));
        result.insert(QStringLiteral("index"), index);
        result.insert(QStringLiteral("run_id"), r.runId);
        result.insert(QStringLiteral("output_dir"), project->runDir(r.runId));
        return core::AtomicFile::write(work.taskResultFile(index), QJsonDocument(result).toJson());
    };
    // A run of this shard that finished already (the task was stopped after it): its result stands.
    auto all = project->store().runs();
    if (!all) {
        ctx.err() << "bioforge cluster task: " << all.error().message() << Qt::endl;
        return kProjectError;
    }
    for (const core::RunRecord& r : *all)
        if (r.state == core::RunState::Finished) {
            if (core::Status st = writeResult(r); !st) {
                ctx.err() << "bioforge cluster task: " << st.error().message() << Qt::endl;
                return kProjectError;
            }
            ctx.err() << "shard " << index + 1 << " of " << config->shards << " finished earlier as run " << r.runId << Qt::endl;
            return kOk;
        }
    (void)runs.recoverInterrupted();
    auto resumable = runs.resumableRuns();
    // A shard run begun where the project was before a move or copy reads that place's plan: this
    // shard starts again from here.
    if (resumable && !resumable->isEmpty() && resumable->last().parameters.contains(QLatin1String("shard_plan"))
        && !work.isPlanHere(resumable->last().parameters.value(QLatin1String("shard_plan")).toString())) {
        ctx.err() << "shard " << index + 1 << " of " << config->shards << ": run " << resumable->last().runId
                  << " began where the project was before it was moved or copied; the shard starts again" << Qt::endl;
        resumable->clear();
    }
    core::Expected<QString> runId = core::Error(QString());
    if (resumable && !resumable->isEmpty()) {
        runId = runs.resume(resumable->last().runId);
        if (runId)
            ctx.err() << "shard " << index + 1 << " of " << config->shards << ": run " << resumable->last().runId << " resumed as run " << *runId << Qt::endl;
    } else {
        const QJsonObject parameters = plugin->shardParameters(config->verb, config->parameters, index, config->shards, config->planFile);
        runId = runs.start(config->pluginId, config->verb, parameters, QStringLiteral("shard %1 of %2").arg(index + 1).arg(config->shards));
    }
    if (!runId) {
        ctx.err() << "bioforge cluster task: " << runId.error().message() << Qt::endl;
        return kRunFailed;
    }
    // Progress for the run that follows this one on the cluster.
    QTimer progress;
    auto writeProgress = [&] {
        if (auto h = ctx.session().scheduler().handle(*runId))
            (void)core::AtomicFile::write(work.taskProgressFile(index),
                                          QJsonDocument(QJsonObject{{QStringLiteral("fraction"), h->snapshot().fraction},
                                                                    {QStringLiteral("stage"), h->snapshot().stageLabel}})
                                              .toJson(QJsonDocument::Compact));
    };
    QObject::connect(&progress, &QTimer::timeout, writeProgress);
    progress.start(2000);
    // Stopped (Slurm's SIGTERM at the time limit, a scancel, a pause of the cluster run): the cluster
    // run resumes it, not a hand in this task's project.
    const int rc = ctx.waitForRuns({*runId}, true,
                                   QStringLiteral("shard %1 of %2 continues from its checkpoint if the cluster run is resumed").arg(index + 1).arg(config->shards));
    progress.stop();
    writeProgress();
    if (rc != kOk)
        return rc;
    auto record = project->store().run(*runId);
    if (!record) {
        ctx.err() << "bioforge cluster task: " << record.error().message() << Qt::endl;
        return kProjectError;
    }
    if (core::Status st = writeResult(*record); !st) {
        ctx.err() << "bioforge cluster task: " << st.error().message() << Qt::endl;
        return kProjectError;
    }
    return kOk;
}

int clusterMerge(CliContext& ctx, const QString& folder)
{
    const core::ClusterWork work(folder);
    auto config = work.readConfig();
    if (!config) {
        ctx.err() << "bioforge cluster merge: " << config.error().message() << Qt::endl;
        return QFileInfo(folder).isDir() ? kProjectError : kNotFound; // no such work folder: 6, as a run or file that is not there
    }
    core::IPlugin* plugin = ctx.session().plugins().plugin(config->pluginId);
    if (!plugin) {
        ctx.err() << "bioforge cluster merge: plugin '" << config->pluginId << "' is not loaded on this node" << Qt::endl;
        return kNotFound;
    }
    QStringList dirs;
    for (int i = 0; i < config->shards; ++i) {
        const QJsonObject result = work.taskResult(i);
        if (result.value(QLatin1String("state")).toString() != QLatin1String("finished")) {
            ctx.err() << "bioforge cluster merge: task " << i + 1 << " of " << config->shards << " has no result (" << work.taskResultFile(i) << ")" << Qt::endl;
            return kRunFailed;
        }
        dirs << result.value(QLatin1String("output_dir")).toString();
    }
    const QString partial = work.path(QStringLiteral("merged.partial"));
    QDir(partial).removeRecursively();
    if (!QDir().mkpath(partial)) {
        ctx.err() << "bioforge cluster merge: " << partial << ": cannot create the folder" << Qt::endl;
        return kProjectError;
    }
    auto outputs = plugin->mergeShards(config->verb, config->parameters, dirs, partial);
    if (!outputs) {
        ctx.err() << "bioforge cluster merge: " << outputs.error().message() << Qt::endl;
        return kRunFailed;
    }
    QJsonArray files;
    for (const core::MergedOutput& o : *outputs) {
        const QString path = QDir(partial).filePath(o.file);
        auto sha = core::Sha256::ofFile(path);
        if (!sha) {
            ctx.err() << "bioforge cluster merge: " << sha.error().message() << Qt::endl;
            return kProjectError;
        }
        files.append(QJsonObject{{QStringLiteral("name"), o.name}, {QStringLiteral("file"), o.file}, {QStringLiteral("sha256"), *sha},
                                 {QStringLiteral("size"), double(QFileInfo(path).size())}});
    }
    QJsonObject result = placement();
    result.insert(QStringLiteral("outputs"), files);
    result.insert(QStringLiteral("shards"), config->shards);
    if (core::Status st = core::AtomicFile::write(QDir(partial).filePath(QStringLiteral("merge.json")), QJsonDocument(result).toJson()); !st) {
        ctx.err() << "bioforge cluster merge: " << st.error().message() << Qt::endl;
        return kProjectError;
    }
    QDir(work.mergedDir()).removeRecursively();
    if (!QDir().rename(partial, work.mergedDir())) {
        ctx.err() << "bioforge cluster merge: cannot rename " << partial << " to " << work.mergedDir() << Qt::endl;
        return kProjectError;
    }
    ctx.err() << "merged " << config->shards << " shards into " << work.mergedDir() << Qt::endl;
    return kOk;
}

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
    if (shown.isEmpty()) {
        ctx.out() << "no cluster run under way in " << project->folder() << Qt::endl;
        return kOk;
    }
    for (const core::RunRecord& r : shown)
        printStatus(ctx, r, project->checkpointDir(r.checkpointId), statusOfRun(r));
    return kOk;
}

int cmdCluster(CliContext& ctx, const QStringList& args)
{
    if (args.size() == 3 && args[0] == QLatin1String("task"))
        return clusterTask(ctx, args[1], args[2]);
    if (args.size() == 2 && args[0] == QLatin1String("merge"))
        return clusterMerge(ctx, args[1]);
    return taskUsage(ctx);
}

} // namespace bioforge::cli
