#pragma once

// Parts of ClusterRunJob::run (cluster_run_job.h), apart to keep it readable:
// what a pause that leaves the jobs going records, a cancel that waits for the
// jobs to leave the queue, whether a task is done, and a failed task's story.

#include "cluster/cluster_backend.h"

#include <QString>
#include <QStringList>

namespace bioforge::core {

class ClusterWork;
class JobContext;
struct ClusterState;

// A pause that leaves the run's queued or running jobs on the cluster (PauseMode::LeaveClusterJobs,
// or a scancel that failed): recorded in `state` (ClusterState::leftJobs) and, for the first, said
// in the run's record with how to follow them again or stop them.
void leaveJobsGoing(JobContext& ctx, ClusterState& state, const QStringList& jobs);
// Cancels `jobs` and waits (at most 90 s) until they have left the queue: a task checkpoints on
// SIGTERM, so a resume finds them ended, not ending. Throws JobFailure when scancel fails.
void cancelAndWait(const ClusterBackend& slurm, const QStringList& jobs);
// Whether task `index` wrote its result (result.json, state "finished").
bool taskDone(const ClusterWork& work, int index);
// "task 2 of 3 (Slurm job 42_1) ended FAILED on node n7 (NonZeroExitCode); the end of its log …"
QString describeFailure(const ClusterWork& work, int index, int shards, const SlurmJobState& job);

} // namespace bioforge::core
