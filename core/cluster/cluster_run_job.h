#pragma once

// A run of a shardable verb on a Slurm cluster, driven from the workbench
// (or `bioforge run … --cluster slurm`) as an ordinary job:
//   plan    the plugin splits the input into shards (IPlugin::planShards)
//   tasks   one array job, one task per shard, each running the headless
//           CLI (`bioforge cluster task`) in its own project on the shared
//           filesystem; squeue is polled every few seconds; progress comes
//           from the tasks' own progress files
//   merge   a job depending on the tasks (afterok, --kill-on-invalid-dep=yes)
//           runs `bioforge cluster merge`; its outputs are copied into the run
//           folder, checksums verified, so the run reads as a local one.
// A task that fails or is cancelled fails the run with its index, node,
// Slurm state and the tail of its log; the merge is cancelled. Resuming
// resubmits only the tasks without a result (`--array=<their indices>`);
// tasks still queued or running on the cluster are followed, not resubmitted.
// Pause and cancel scancel every queued or running job of the run (a task
// checkpoints on SIGTERM and resumes from there), except a pause asked with
// PauseMode::LeaveClusterJobs (the window quit leaving them going): the run is
// paused here, its record names the jobs, and a resume follows them again. State lives in the
// checkpoint entry "cluster" and in the work folder (cluster_work.h).

#include "cluster/slurm_options.h"
#include "jobs/job.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace bioforge::core {

class ClusterBackend;
class IPlugin;

class ClusterRunJob final : public Job {
public:
    bool resumesFromCheckpoints() const override { return true; }
    // `executable`: the `bioforge` command the batch scripts run (absolute path);
    // `backend`: the scheduler (null: Slurm through its client commands).
    ClusterRunJob(IPlugin& plugin, QString pluginId, QString verb, QJsonObject parameters, SlurmOptions options, QString executable,
                  std::shared_ptr<const ClusterBackend> backend = nullptr);

    int checkpointSchema() const override { return 1; }
    JobOutcome run(JobContext& ctx) override;

    // The `bioforge` next to this program, or $BIOFORGE_CLI.
    static QString defaultExecutable();
    // Seconds between two squeue polls ($BIOFORGE_CLUSTER_POLL_MS, default 2000 ms).
    static int pollIntervalMs();

private:
    IPlugin& m_plugin;
    QString m_pluginId;
    QString m_verb;
    QJsonObject m_parameters;
    SlurmOptions m_options;
    QString m_executable;
    std::shared_ptr<const ClusterBackend> m_backend;
};

} // namespace bioforge::core
