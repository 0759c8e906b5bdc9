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

} // namespace

int cmdCluster(CliContext& ctx, const QStringList& args)
{
    if (args.size() == 3 && args[0] == QLatin1String("task"))
        return clusterTask(ctx, args[1], args[2]);
    if (args.size() == 2 && args[0] == QLatin1String("merge"))
        return clusterMerge(ctx, args[1]);
    return taskUsage(ctx);
}

} // namespace bioforge::cli
