#include "cluster/cluster_run_parts.h"

#include "cluster/cluster_state.h"
#include "cluster/cluster_work.h"
#include "jobs/job.h"
#include "jobs/job_context.h"

#include <QDir>
#include <QJsonObject>
#include <QThread>

#include <algorithm>

namespace bioforge::core {

namespace {
constexpr int kCancelWaitMs = 90000; // a pause waits this long for cancelled jobs to leave
} // namespace

void leaveJobsGoing(JobContext& ctx, ClusterState& state, const QStringList& jobs)
{
    state.leftJobs = jobs; // a cancel of the paused run then knows to scancel them (review 67 R67-4)
    if (jobs.isEmpty())
        return;
    ctx.warn(QStringLiteral("paused here with its Slurm job(s) %1 left going on the cluster: 'bioforge resume %2' (or Resume in the window) follows "
                            "them again and merges, 'bioforge status' lists them, 'scancel %3' stops them")
                 .arg(jobs.join(QStringLiteral(", ")), ctx.runId(), jobs.join(QLatin1Char(' '))));
}

void cancelAndWait(const ClusterBackend& slurm, const QStringList& jobs)
{
    orThrow(slurm.cancel(jobs));
    for (int waited = 0; waited < kCancelWaitMs; waited += 250) {
        auto after = slurm.jobs(jobs);
        if (!after || std::none_of(after->begin(), after->end(), [](const SlurmJobState& j) { return j.active(); }))
            break;
        QThread::msleep(250);
    }
}

bool taskDone(const ClusterWork& work, int index)
{
    return work.taskResult(index).value(QLatin1String("state")).toString() == QLatin1String("finished");
}

QString describeFailure(const ClusterWork& work, int index, int shards, const SlurmJobState& job)
{
    const QString log = QDir(work.logDir()).filePath(QStringLiteral("task-%1_%2.log").arg(job.arrayJobId, QString::number(index)));
    const QString tail = ClusterWork::logTail(log);
    return QStringLiteral("task %1 of %2 (Slurm job %3) ended %4%5%6%7")
        .arg(QString::number(index + 1), QString::number(shards), job.jobId, job.state,
             job.nodes.isEmpty() ? QString() : QStringLiteral(" on node ") + job.nodes,
             job.reason.isEmpty() || job.reason == QLatin1String("None") ? QString() : QStringLiteral(" (%1)").arg(job.reason),
             tail.isEmpty() ? QStringLiteral("; its log %1 is empty").arg(log) : QStringLiteral("; the end of its log %1:\n%2").arg(log, tail));
}

} // namespace bioforge::core
