#pragma once

// What a cluster run remembers between polls and across resumes (the
// checkpoint entry "cluster"): its plan and every sbatch submission; and
// what squeue says about those jobs now. Also the status report of a run
// (`bioforge status`): each task done / running / queued / ended, its node.

#include "cluster/cluster_backend.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <map>
#include <optional>

namespace bioforge::core {

class ClusterWork;

struct ClusterSubmission {
    QString kind; // "tasks" or "merge"
    QString jobId;
    QList<int> indices; // tasks: the array indices (= shard indices)
    QStringList arguments;
    QString submittedAt;

    QJsonObject toJson() const;
    static ClusterSubmission fromJson(const QJsonObject& json);
};

struct ClusterState {
    QJsonObject plan; // shards, weights, unit, largest_over_mean, summary
    QString clusterName;
    QList<ClusterSubmission> submissions;
    // The Slurm job name of the run's jobs where it is not the first one's ("bioforge-" and the
    // checkpoint folder's last 8 characters): a project moved or copied takes a name of its own, so
    // that neither place follows or cancels the other's jobs. Empty: the first name.
    QString jobName;
    // The jobs a pause left queued or running on the cluster (the window quit leaving them going, or
    // scancel failed): a cancel of the paused run scancels them, and stays paused when Slurm cannot be
    // asked; a resume follows them (and clears this). Empty: the pause left nothing.
    QStringList leftJobs;

    // The plan's shard count; 0 when the checkpoint holds none from 1 to SlurmOptions::kMaxShards.
    int shards() const;
    const ClusterSubmission* lastMerge() const;
    QJsonObject toJson() const;
    static ClusterState fromJson(const QJsonObject& json);
    // The job name of a run adopted in `clusterFolder`: "bioforge-" and 8 hex digits of the folder's SHA-256.
    static QString jobNameFor(const QString& clusterFolder);
    // The Slurm job name of the tasks of the run whose checkpoint folder is `checkpointDir` (its merge
    // adds "-merge"): `jobName`, or the first one's ("bioforge-" and the folder name's last 8 characters).
    QString jobNameIn(const QString& checkpointDir) const;
    static constexpr const char* kCheckpointKey = "cluster";
};

// squeue's view of a run's jobs: by task index (the latest submission of the task wins) and the latest merge.
struct ClusterObservation {
    std::map<int, SlurmJobState> tasks;
    std::optional<SlurmJobState> merge;

    // The job ids to scancel to stop what is queued or running: an array job once (not per element), the merge.
    QStringList activeJobs() const;
};
// The cluster checkpoint of the run whose checkpoint folder is `checkpointDir`; nullopt when it has
// none (the run planned nothing); an error when it cannot be read.
Expected<std::optional<ClusterState>> loadClusterState(const QString& checkpointDir);
Expected<ClusterObservation> observeCluster(const ClusterBackend& cluster, const ClusterState& state);

// The `cluster` block of a cluster run's provenance (docs/formats.md): back-end, cluster name,
// `options` (SlurmOptions::toJson), plan, submissions, one entry per task (its result.json, or the job
// that runs or ran it with its node and Slurm state as `seen` last), and the merge's result.
QJsonObject clusterProvenance(const ClusterState& state, const ClusterWork& work, const QJsonObject& options, const ClusterObservation& seen,
                              const QJsonObject& mergeResult);
// The same from the run's checkpoint folder alone, for a run whose process is gone (cancelled while
// interrupted): the tasks as their files say. Empty when the folder holds no cluster checkpoint.
QJsonObject clusterProvenanceOf(const QString& checkpointDir, const QJsonObject& options);

// A task's Slurm job as squeue, scancel, sacct and the task logs (task-42_0.log) name it: the array
// form "42_0" from its result.json (array_job_id, array_task_id: the task's placement), with
// `withOwnId` the job's own id after it where that differs ("42_0 (job 44)"); the plain job_id where
// it ran as no array task, or where the entry has only that (a task without a result: "42_0"
// already); empty when none is recorded. `task`: an entry of the provenance's cluster.tasks[] or a
// result.json.
QString taskJobId(const QJsonObject& task, bool withOwnId = false);

// "0-3", "1,3", "0-2,5": Slurm's --array syntax for sorted indices.
QString arraySpec(const QList<int>& indices);

struct ClusterTaskStatus {
    int index = 0;
    QString state;   // "done", or Slurm's state (RUNNING, PENDING, FAILED, …), or "not on the cluster"
    QString node;
    QString jobId;
    double progress = 0; // [0, 1]
    bool active = false; // queued or running on the cluster now
};
struct ClusterRunStatus {
    QString clusterName;
    int shards = 0;
    QList<ClusterTaskStatus> tasks;
    QString merge; // "done", Slurm's state of the latest merge, or "not submitted"
    QStringList activeJobs; // ClusterObservation::activeJobs: what 'scancel' stops

    // The tasks queued or running on the cluster now.
    int activeTasks() const;
};
// The status of the cluster run whose checkpoint folder is `checkpointDir`; an error when it is not one.
Expected<ClusterRunStatus> clusterRunStatus(const QString& checkpointDir, const ClusterBackend& cluster);

// Cancels (scancel) the queued or running jobs the cluster run whose checkpoint folder is
// `checkpointDir` submitted: for a run cancelled while no process follows it (interrupted), whose
// jobs would otherwise run on. Returns the job ids it cancelled (none when nothing was on the
// cluster, or the run never reached it); an error when squeue or scancel fail.
Expected<QStringList> cancelClusterRunJobs(const QString& checkpointDir, const ClusterBackend& cluster);
// The Slurm job name of the tasks of the cluster run whose checkpoint folder is `checkpointDir`
// (`squeue --name` lists them; the merge's is this plus "-merge"): ClusterState::jobNameIn, or the
// name a run that has planned nothing yet would take.
QString clusterRunJobName(const QString& checkpointDir);
// The squeue command that lists every job of that run, its merge included ("squeue --name N,N-merge").
QString clusterRunQueueCommand(const QString& checkpointDir);

} // namespace bioforge::core
