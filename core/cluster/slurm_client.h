#pragma once

// The Slurm client commands (sbatch, squeue, scancel, scontrol), run through
// QProcess with an argument list: nothing is ever handed to a shell. Each
// call waits at most `timeoutMs`; a command that cannot start, times out or
// exits non-zero is an Error carrying Slurm's own message (its stderr).
// State comes from squeue polled by the caller, not `sbatch --wait` (it backs
// off to minutes and returns 0 for a job cancelled by its dependency) and not
// sacct (empty on clusters without accounting). The cluster is the one
// SLURM_CONF (or /etc/slurm) names, as for the user's own commands.

#include "cluster/cluster_backend.h"
#include "util/expected.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::core {

class SlurmClient final : public ClusterBackend {
public:
    // `binDir`: where the client commands are (empty: the PATH).
    explicit SlurmClient(QString binDir = {}, int timeoutMs = 60000);

    // sbatch --parsable ARGS SCRIPT → the job id (the part before ';' on multi-cluster sites).
    Expected<QString> submit(const QStringList& sbatchArgs, const QString& scriptPath) const override;
    // The jobs and array elements of these job ids, pending arrays expanded
    // one element per entry (squeue -r). Ids Slurm no longer knows (purged
    // after MinJobAge) are simply absent.
    Expected<QList<SlurmJobState>> jobs(const QStringList& jobIds) const override;
    // The queued or running jobs of this user named `name` (squeue -n), array elements one per entry.
    Expected<QList<SlurmJobState>> activeJobsNamed(const QString& name) const override;
    // scancel of jobs or array elements ("1234", "1234_5").
    Status cancel(const QStringList& jobIds) const override;
    // ClusterName from `scontrol show config`.
    Expected<QString> clusterName() const override;

    // squeue -h -o '%i|%F|%K|%T|%N|%r' output, one job per line.
    static Expected<QList<SlurmJobState>> parseSqueue(const QString& text);

private:
    struct Result {
        int exitCode = -1;
        QString out, err;
    };
    Expected<Result> call(const QString& program, const QStringList& args) const;

    QString m_binDir;
    int m_timeoutMs;
};

} // namespace bioforge::core
