#pragma once

// The two batch scripts of a cluster run. Resources are `#SBATCH` lines
// (parsed by sbatch, never by a shell); the one shell line runs the
// `bioforge` CLI with single-quoted paths. Per-submission settings (array
// indices, dependency, log paths, job name) are sbatch arguments and are
// kept in the run's provenance with each submission.

#include "cluster/slurm_options.h"
#include "util/expected.h"

#include <QString>

namespace bioforge::core {

// Runs `bioforge cluster task <workDir> $SLURM_ARRAY_TASK_ID`.
QString taskBatchScript(const SlurmOptions& options, const QString& executable, const QString& workDir, const QString& runId);
// Runs `bioforge cluster merge <workDir>`; no GPU asked for.
QString mergeBatchScript(const SlurmOptions& options, const QString& executable, const QString& workDir, const QString& runId);

class ClusterWork;

// Writes both scripts (atomically) into the run's cluster folder, naming it as the tasks' work folder.
Status writeBatchScripts(const ClusterWork& work, const SlurmOptions& options, const QString& executable, const QString& runId);

} // namespace bioforge::core
