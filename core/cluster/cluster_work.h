#pragma once

// The folder a cluster run works in, on the filesystem the cluster's nodes
// share: <checkpoint folder>/cluster, so a resumed run (same checkpoints)
// finds it again. What lies there:
//   cluster.json           plugin, verb, parameters, shard count, plan file (the tasks read it)
//   plan.json              the plugin's split of the input
//   task.sbatch, merge.sbatch  the batch scripts, as submitted (resubmittable by hand)
//   logs/task-<job>_<i>.log, logs/merge-<job>.log
//   tasks/<i>/project/     shard i's own project (its runs, checkpoints)
//   tasks/<i>/progress.json  written by the running task every few seconds
//   tasks/<i>/result.json  written by the task when its run finished
//   merged/                the merge's outputs and merged/merge.json
// Shards are numbered from 0 here, as Slurm array indices; users read "task i+1 of N".

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace bioforge::core {

struct ClusterRunConfig {
    QString pluginId;
    QString verb;
    QJsonObject parameters; // the run's, without the cluster options
    int shards = 0;
    QString planFile;

    QJsonObject toJson() const;
    static Expected<ClusterRunConfig> fromJson(const QJsonObject& json, const QString& source);
};

class ClusterWork {
public:
    explicit ClusterWork(QString folder) : m_folder(std::move(folder)) {}

    const QString& folder() const { return m_folder; }
    QString path(const QString& relative) const;
    QString configFile() const { return path(QStringLiteral("cluster.json")); }
    QString planFile() const { return path(QStringLiteral("plan.json")); }
    QString taskScript() const { return path(QStringLiteral("task.sbatch")); }
    QString mergeScript() const { return path(QStringLiteral("merge.sbatch")); }
    QString logDir() const { return path(QStringLiteral("logs")); }
    QString taskDir(int index) const { return path(QStringLiteral("tasks/%1").arg(index)); }
    QString taskProject(int index) const { return path(QStringLiteral("tasks/%1/project").arg(index)); }
    QString taskResultFile(int index) const { return path(QStringLiteral("tasks/%1/result.json").arg(index)); }
    QString taskProgressFile(int index) const { return path(QStringLiteral("tasks/%1/progress.json").arg(index)); }
    QString mergedDir() const { return path(QStringLiteral("merged")); }
    QString mergeResultFile() const { return path(QStringLiteral("merged/merge.json")); }

    // Whether `planFile` (a plan a run or task recorded) is this folder's plan.json: compared as the
    // file system resolves them, so another spelling (a link, "~/p" and "./p") is the same place, and
    // a plan folder that is gone (the project moved) is not.
    bool isPlanHere(const QString& planFile) const;
    // Moves a run planned in another place (the project was moved or copied) here: cluster.json names
    // this plan (written last: the mark of the adoption), and each done task's result.json its outputs where they
    // are now (tasks/<i>/project/runs/<run_id>).
    // The batch scripts are the caller's (writeBatchScripts). Errors: a file that cannot be written.
    Status adoptHere(ClusterRunConfig& config, int shards) const;
    Status writeConfig(const ClusterRunConfig& config) const;
    Expected<ClusterRunConfig> readConfig() const;
    // The task's result: {state: finished, run_id, output_dir, node, job, devices, …}; empty when it has none yet.
    QJsonObject taskResult(int index) const;
    // The running task's last progress fraction in [0, 1] (0 when unknown).
    double taskProgress(int index) const;
    // Whether the task's latest shard run (in its own project) failed on what it was given
    // (RunRecord::failedOnInput: a contig the plan split, an input without a usable record): every
    // node would fail on it again, so the cluster run needs a new run, not a resume. False where
    // the task's project cannot be read.
    bool taskFailedOnInput(int index) const;
    // The last `lines` lines of a log file (empty when missing).
    static QString logTail(const QString& file, int lines = 8);

private:
    QString m_folder;
};

} // namespace bioforge::core
