#include "cluster/cluster_state.h"

#include "checkpoint/checkpoint_store.h"
#include "cluster/cluster_work.h"
#include "cluster/slurm_options.h"

#include <QDir>
#include <QFileInfo>
#include <QCryptographicHash>
#include <QJsonArray>

namespace bioforge::core {

QJsonObject ClusterSubmission::toJson() const
{
    QJsonArray idx;
    for (int i : indices)
        idx.append(i);
    return {{QStringLiteral("kind"), kind}, {QStringLiteral("job_id"), jobId}, {QStringLiteral("indices"), idx},
            {QStringLiteral("sbatch_arguments"), QJsonArray::fromStringList(arguments)}, {QStringLiteral("submitted_at"), submittedAt}};
}

ClusterSubmission ClusterSubmission::fromJson(const QJsonObject& o)
{
    ClusterSubmission s{o.value(QLatin1String("kind")).toString(), o.value(QLatin1String("job_id")).toString(), {}, {},
                        o.value(QLatin1String("submitted_at")).toString()};
    for (const QJsonValue& v : o.value(QLatin1String("indices")).toArray())
        s.indices << int(v.toInteger());
    for (const QJsonValue& v : o.value(QLatin1String("sbatch_arguments")).toArray())
        s.arguments << v.toString();
    return s;
}

int ClusterState::shards() const
{
    const qint64 n = plan.value(QLatin1String("shards")).toInteger();
    return n >= 1 && n <= SlurmOptions::kMaxShards ? int(n) : 0;
}

const ClusterSubmission* ClusterState::lastMerge() const
{
    const ClusterSubmission* last = nullptr;
    for (const ClusterSubmission& s : submissions)
        if (s.kind == QLatin1String("merge"))
            last = &s;
    return last;
}

QJsonObject ClusterState::toJson() const
{
    QJsonArray subs;
    for (const ClusterSubmission& s : submissions)
        subs.append(s.toJson());
    QJsonObject json{{QStringLiteral("plan"), plan}, {QStringLiteral("cluster_name"), clusterName}, {QStringLiteral("submissions"), subs}};
    if (!jobName.isEmpty())
        json.insert(QStringLiteral("job_name"), jobName);
    if (!leftJobs.isEmpty())
        json.insert(QStringLiteral("left_jobs"), QJsonArray::fromStringList(leftJobs));
    return json;
}

QString ClusterState::jobNameFor(const QString& clusterFolder)
{
    return QStringLiteral("bioforge-") + QString::fromLatin1(QCryptographicHash::hash(clusterFolder.toUtf8(), QCryptographicHash::Sha256).toHex().left(8));
}

QString ClusterState::jobNameIn(const QString& checkpointDir) const
{
    return jobName.isEmpty() ? QStringLiteral("bioforge-") + QFileInfo(checkpointDir).fileName().right(8) : jobName;
}

ClusterState ClusterState::fromJson(const QJsonObject& o)
{
    ClusterState r{o.value(QLatin1String("plan")).toObject(), o.value(QLatin1String("cluster_name")).toString(), {},
                   o.value(QLatin1String("job_name")).toString(), {}};
    for (const QJsonValue& v : o.value(QLatin1String("submissions")).toArray())
        r.submissions << ClusterSubmission::fromJson(v.toObject());
    for (const QJsonValue& v : o.value(QLatin1String("left_jobs")).toArray())
        r.leftJobs << v.toString();
    return r;
}

QStringList ClusterObservation::activeJobs() const
{
    QStringList active;
    for (const auto& [index, job] : tasks)
        if (const QString id = job.arrayJobId.isEmpty() ? job.jobId : job.arrayJobId; job.active() && !active.contains(id))
            active << id;
    if (merge && merge->active())
        active << merge->jobId;
    return active;
}

Expected<std::optional<ClusterState>> loadClusterState(const QString& checkpointDir)
{
    const CheckpointStore store(checkpointDir, 1);
    if (!store.hasManifest(QLatin1String(ClusterState::kCheckpointKey)))
        return std::optional<ClusterState>();
    auto saved = store.load(QLatin1String(ClusterState::kCheckpointKey));
    if (!saved)
        return saved.error();
    return std::optional<ClusterState>(ClusterState::fromJson(saved->state));
}

Expected<ClusterObservation> observeCluster(const ClusterBackend& slurm, const ClusterState& state)
{
    QStringList ids;
    for (const ClusterSubmission& s : state.submissions)
        ids << s.jobId;
    auto jobs = slurm.jobs(ids);
    if (!jobs)
        return jobs.error();
    ClusterObservation o;
    for (const ClusterSubmission& s : state.submissions)
        for (const SlurmJobState& j : *jobs) {
            if (s.kind == QLatin1String("merge") && j.jobId == s.jobId)
                o.merge = j;
            else if (s.kind == QLatin1String("tasks") && j.arrayJobId == s.jobId && s.indices.contains(j.arrayTask))
                o.tasks[j.arrayTask] = j; // later submissions come later: they win
        }
    return o;
}

QString taskJobId(const QJsonObject& task, bool withOwnId)
{
    const QString job = task.value(QLatin1String("job_id")).toString();
    const QString array = task.value(QLatin1String("array_job_id")).toString();
    const QString index = task.value(QLatin1String("array_task_id")).toString();
    if (array.isEmpty() || index.isEmpty())
        return job;
    const QString form = array + QLatin1Char('_') + index;
    return !withOwnId || job.isEmpty() || job == array || job == form ? form : QStringLiteral("%1 (job %2)").arg(form, job);
}

QString arraySpec(const QList<int>& indices)
{
    QStringList parts;
    for (qsizetype i = 0; i < indices.size();) {
        qsizetype j = i;
        while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1)
            ++j;
        parts << (j == i ? QString::number(indices[i]) : QStringLiteral("%1-%2").arg(QString::number(indices[i]), QString::number(indices[j])));
        i = j + 1;
    }
    return parts.join(QLatin1Char(','));
}

int ClusterRunStatus::activeTasks() const
{
    return int(std::count_if(tasks.begin(), tasks.end(), [](const ClusterTaskStatus& t) { return t.active; }));
}

Expected<ClusterRunStatus> clusterRunStatus(const QString& checkpointDir, const ClusterBackend& slurm)
{
    auto loaded = loadClusterState(checkpointDir);
    if (!loaded)
        return loaded.error();
    if (!*loaded)
        return Error(QStringLiteral("%1: not a cluster run (no cluster checkpoint)").arg(checkpointDir));
    const ClusterState& state = **loaded;
    const ClusterWork work(QDir(checkpointDir).filePath(QStringLiteral("cluster")));
    auto seen = observeCluster(slurm, state);
    if (!seen)
        return seen.error();
    ClusterRunStatus out{state.clusterName, state.shards(), {}, QStringLiteral("not submitted"), seen->activeJobs()};
    for (int i = 0; i < out.shards; ++i) {
        ClusterTaskStatus t{i, QStringLiteral("not on the cluster"), {}, {}, work.taskProgress(i)};
        if (auto it = seen->tasks.find(i); it != seen->tasks.end()) {
            t.state = it->second.state;
            t.node = it->second.nodes;
            t.jobId = it->second.jobId;
            t.active = it->second.active();
        }
        if (t.jobId.isEmpty()) // Slurm forgot it (MinJobAge): the job the record submitted it as
            for (const ClusterSubmission& sub : state.submissions)
                if (sub.kind == QLatin1String("tasks") && sub.indices.contains(i))
                    t.jobId = QStringLiteral("%1_%2").arg(sub.jobId).arg(i);
        const QJsonObject result = work.taskResult(i);
        if (result.value(QLatin1String("state")).toString() == QLatin1String("finished")) {
            t.state = QStringLiteral("done");
            t.active = false; // a job still COMPLETING after its result is no task on the cluster
            t.node = result.value(QLatin1String("node")).toString();
            t.progress = 1;
            if (const QString ran = taskJobId(result); !ran.isEmpty())
                t.jobId = ran; // the job that wrote it, though Slurm forgot it
        }
        out.tasks.append(t);
    }
    if (QFileInfo::exists(work.mergeResultFile()))
        out.merge = QStringLiteral("done");
    else if (seen->merge)
        out.merge = seen->merge->state;
    return out;
}

QJsonObject clusterProvenance(const ClusterState& state, const ClusterWork& work, const QJsonObject& options, const ClusterObservation& seen,
                              const QJsonObject& mergeResult)
{
    const int shards = state.shards();
    QJsonArray tasks, submissions;
    for (int i = 0; i < shards; ++i) {
        QJsonObject result = work.taskResult(i);
        if (result.isEmpty()) { // no result (yet): the job that runs or ran it, where and how it ended
            for (const ClusterSubmission& sub : state.submissions)
                if (sub.kind == QLatin1String("tasks") && sub.indices.contains(i))
                    result = {{QStringLiteral("job_id"), QStringLiteral("%1_%2").arg(sub.jobId).arg(i)}};
            if (auto it = seen.tasks.find(i); it != seen.tasks.end()) {
                // How it ended; one still queued or running is "running" only as last seen (a failed run's
                // other tasks run on): said so.
                result.insert(QStringLiteral("slurm_state"), it->second.active() ? it->second.state + QStringLiteral(" when last seen") : it->second.state);
                if (!it->second.nodes.isEmpty())
                    result.insert(QStringLiteral("node"), it->second.nodes);
            }
        }
        tasks.append(result);
    }
    for (const ClusterSubmission& sub : state.submissions)
        submissions.append(sub.toJson());
    return {{QStringLiteral("backend"), QStringLiteral("slurm")},
            {QStringLiteral("cluster_name"), state.clusterName},
            {QStringLiteral("options"), options},
            {QStringLiteral("plan"), state.plan},
            {QStringLiteral("submissions"), submissions},
            {QStringLiteral("tasks"), tasks},
            {QStringLiteral("merge"), mergeResult},
            {QStringLiteral("task_script"), QStringLiteral("cluster-task.sbatch")},
            {QStringLiteral("merge_script"), QStringLiteral("cluster-merge.sbatch")}};
}

QJsonObject clusterProvenanceOf(const QString& checkpointDir, const QJsonObject& options)
{
    auto state = loadClusterState(checkpointDir);
    if (!state || !*state)
        return {};
    return clusterProvenance(**state, ClusterWork(QDir(checkpointDir).filePath(QStringLiteral("cluster"))), options, {}, {});
}

Expected<QStringList> cancelClusterRunJobs(const QString& checkpointDir, const ClusterBackend& cluster)
{
    auto state = loadClusterState(checkpointDir);
    if (!state)
        return state.error();
    if (!*state)
        return QStringList(); // planned nothing, submitted nothing
    auto seen = observeCluster(cluster, **state);
    if (!seen)
        return seen.error();
    const QStringList active = seen->activeJobs();
    if (active.isEmpty())
        return active;
    if (Status cancelled = cluster.cancel(active); !cancelled)
        return cancelled.error();
    return active;
}

QString clusterRunJobName(const QString& checkpointDir)
{
    auto state = loadClusterState(checkpointDir);
    return state && *state ? (*state)->jobNameIn(checkpointDir) : ClusterState{}.jobNameIn(checkpointDir);
}

QString clusterRunQueueCommand(const QString& checkpointDir)
{
    const QString name = clusterRunJobName(checkpointDir);
    return QStringLiteral("squeue --name %1,%1-merge").arg(name);
}

} // namespace bioforge::core
