#pragma once

// What a cluster run needs from a batch scheduler: submit a batch script with
// arguments, see the state of its jobs (array elements one by one), cancel
// jobs, name the cluster. SlurmClient implements it with the Slurm client
// commands; another scheduler would implement the same five calls.

#include "util/expected.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::core {

// One job or array element as the scheduler shows it.
struct SlurmJobState {
    QString jobId;      // "1234" or, for an array element, "1234_5"
    QString arrayJobId; // the array's job id ("1234"); the job id for a plain job
    int arrayTask = -1; // the element's index; -1 for a plain job
    QString state;      // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, …
    QString nodes;      // node list ("" while pending)
    QString reason;     // why pending, or why it ended ("None" when there is none)

    bool active() const; // still queued or running (will change state)
    bool completed() const { return state == QLatin1String("COMPLETED"); }
};

class ClusterBackend {
public:
    virtual ~ClusterBackend() = default;

    // Submits `scriptPath` with these submission arguments; returns the job id.
    virtual Expected<QString> submit(const QStringList& arguments, const QString& scriptPath) const = 0;
    // The jobs and array elements of these job ids; ids the scheduler no longer knows are absent.
    virtual Expected<QList<SlurmJobState>> jobs(const QStringList& jobIds) const = 0;
    // This user's queued or running jobs with one of these names (comma-separated).
    virtual Expected<QList<SlurmJobState>> activeJobsNamed(const QString& names) const = 0;
    // Cancels jobs or array elements.
    virtual Status cancel(const QStringList& jobIds) const = 0;
    virtual Expected<QString> clusterName() const = 0;
};

} // namespace bioforge::core
