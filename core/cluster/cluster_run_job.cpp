#include "cluster/cluster_run_job.h"

#include "checkpoint/checkpoint_store.h"
#include "cluster/batch_scripts.h"
#include "cluster/cluster_results.h"
#include "cluster/cluster_run_parts.h"
#include "cluster/cluster_state.h"
#include "cluster/cluster_work.h"
#include "cluster/slurm_client.h"
#include "cluster/task_inputs.h"
#include "jobs/job_context.h"
#include "log/log.h"
#include "plugin/iplugin.h"
#include "provenance/provenance_recorder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QThread>

#include <algorithm>
#include <map>

namespace bioforge::core {

namespace {

const QString kStateKey = QLatin1String(ClusterState::kCheckpointKey);

constexpr qint64 kResultGraceMs = 120000; // a result file late on a shared filesystem
constexpr int kSqueueRetries = 5;         // squeue failures in a row before the run gives up
constexpr qint64 kTaskUnitsPerShard = 1000; // the tasks stage counts thousandths of a shard (shown as shards)

// A path inside an sbatch --output pattern: '%' is a pattern character there.
QString slurmPattern(const QString& path)
{
    QString p = path;
    return p.replace(QLatin1Char('%'), QLatin1String("%%"));
}

} // namespace

ClusterRunJob::ClusterRunJob(IPlugin& plugin, QString pluginId, QString verb, QJsonObject parameters, SlurmOptions options, QString executable,
                             std::shared_ptr<const ClusterBackend> backend)
    : m_plugin(plugin), m_pluginId(std::move(pluginId)), m_verb(std::move(verb)), m_parameters(std::move(parameters)),
      m_options(std::move(options)), m_executable(std::move(executable)),
      m_backend(backend ? std::move(backend) : std::make_shared<const SlurmClient>())
{
}

QString ClusterRunJob::defaultExecutable()
{
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("BIOFORGE_CLI"));
    return env.isEmpty() ? QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("bioforge")) : env;
}

int ClusterRunJob::pollIntervalMs()
{
    bool ok = false;
    const int ms = QProcessEnvironment::systemEnvironment().value(QStringLiteral("BIOFORGE_CLUSTER_POLL_MS")).toInt(&ok);
    return ok && ms >= 100 ? ms : 2000;
}

JobOutcome ClusterRunJob::run(JobContext& ctx)
{
    CheckpointStore& store = ctx.checkpoints();
    const ClusterWork work(QDir(store.rootDir()).filePath(QStringLiteral("cluster")));
    const ClusterBackend& slurm = *m_backend;
    ctx.defineStages({{QStringLiteral("plan"), QStringLiteral("Splitting the input"), 0.02, QStringLiteral("shards")},
                      {QStringLiteral("tasks"), QStringLiteral("Shards running on the cluster"), 0.93, QStringLiteral("shards"), kTaskUnitsPerShard},
                      {QStringLiteral("merge"), QStringLiteral("Merging the shards"), 0.05, QStringLiteral("files")}});

    // Plan: once per cluster run; a resume reads it back.
    ClusterState state;
    if (auto saved = store.loadOrDiscard(kStateKey)) {
        state = ClusterState::fromJson(saved->state);
        state.leftJobs.clear(); // followed again from here (saved with the next change)
        // The scripts and description name the cluster folder where the run was planned: a project
        // moved or copied since would run its tasks there (gone, or another project's).
        ClusterRunConfig config = orThrow(work.readConfig());
        if (!QFileInfo::exists(work.planFile()))
            throw JobFailure(QStringLiteral("%1: the run's plan is missing (the cluster folder is incomplete); cancel the run and start it again").arg(work.planFile()));
        if (!work.isPlanHere(config.planFile)) {
            ctx.warn(QStringLiteral("the project was moved or copied since this run was planned (its cluster folder was %1): the tasks without a result "
                                    "here run from %2 under a Slurm job name of their own; jobs of the old place are not followed or cancelled from here")
                         .arg(QFileInfo(config.planFile).absolutePath(), work.folder()));
            // The scripts and the state first, cluster.json (the mark of the adoption) last: a process
            // killed in between adopts the folder again.
            orThrow(writeBatchScripts(work, m_options, m_executable, ctx.runId()));
            state.submissions.clear();
            state.jobName = ClusterState::jobNameFor(work.folder());
            orThrow(store.save(kStateKey, state.toJson()));
            orThrow(work.adoptHere(config, state.shards()));
        }
        // An input or model changed or gone since the plan: said before anything is submitted (each task
        // would refuse it after its wait in the queue). Reading large files takes a while: said.
        // The inputs always (a merge may read them: age's reads the table), the models only while a
        // task is left to run (the merge reads none): a model changed after every task finished does
        // not refuse their result, nor is a large one read for nothing.
        bool taskLeft = false;
        for (int i = 0; i < state.shards() && !taskLeft; ++i)
            taskLeft = !taskDone(work, i);
        ctx.setMessage(taskLeft ? QStringLiteral("checking that the inputs and models are those of the plan (reading the inputs, and the models "
                                                 "given by path, once)")
                                : QStringLiteral("checking that the inputs are those of the plan (reading them once)"));
        orThrow(checkPlannedInputsUnchanged(work.planFile()));
        if (taskLeft)
            orThrow(m_plugin.checkShardPlanModels(m_verb, m_parameters, work.planFile()));
        ctx.setMessage({});
    } else {
        ctx.beginStage(QStringLiteral("plan"), 1);
        if (!QDir().mkpath(work.logDir()))
            throw JobFailure(QStringLiteral("%1: cannot create the cluster work folder").arg(work.folder()));
        if (!QFileInfo(m_executable).isExecutable())
            throw JobFailure(QStringLiteral("%1: the bioforge command the cluster tasks run is missing or not executable (set BIOFORGE_CLI)").arg(m_executable));
        // The plan checksums the inputs (and viral's models given by path): reading them takes a while.
        ctx.setMessage(QStringLiteral("planning the shards (reading the inputs, and the models given by path, once to checksum them)"));
        const ShardPlan plan = orThrow(m_plugin.planShards(m_verb, m_parameters, m_options.shards, work.planFile()));
        ctx.setMessage({});
        if (plan.weights.isEmpty())
            throw JobFailure(QStringLiteral("the input gives no shard to run"));
        qint64 total = 0, largest = 0;
        QJsonArray weights;
        for (qint64 w : plan.weights) {
            total += w;
            largest = std::max(largest, w);
            weights.append(double(w));
        }
        const int shards = int(plan.weights.size());
        state.plan = {{QStringLiteral("shards"), shards},
                      {QStringLiteral("requested_shards"), m_options.shards},
                      {QStringLiteral("unit"), plan.unit},
                      {QStringLiteral("weights"), weights},
                      {QStringLiteral("largest_over_mean"), total > 0 ? double(largest) * shards / double(total) : 1.0},
                      {QStringLiteral("summary"), plan.summary}};
        if (shards < m_options.shards) // why, in the plugin's words where it gives them
            ctx.warn(QStringLiteral("the input splits into %1, not the %2 asked for (%3)")
                         .arg(shards == 1 ? QStringLiteral("1 shard") : QStringLiteral("%1 shards").arg(shards), QString::number(m_options.shards),
                              plan.summary.contains(QLatin1String("why_fewer"))
                                  ? plan.summary.value(QLatin1String("why_fewer")).toString()
                                  : QStringLiteral("a shard holds whole %1: there are not enough of them")
                                        .arg(plan.unit == QLatin1String("bases") ? QStringLiteral("contigs") // weighed in bases, split between contigs
                                             : plan.unit.isEmpty()               ? QStringLiteral("records")
                                                                                 : plan.unit)));
        orThrow(work.writeConfig({m_pluginId, m_verb, m_parameters, shards, work.planFile()}));
        orThrow(writeBatchScripts(work, m_options, m_executable, ctx.runId()));
        if (auto name = slurm.clusterName())
            state.clusterName = *name;
        orThrow(store.save(kStateKey, state.toJson()));
        ctx.advance();
    }
    const int shards = state.shards();
    if (shards < 1)
        throw JobFailure(QStringLiteral("the cluster checkpoint of run %1 has no valid shard count; start the run again").arg(ctx.runId()));
    // Where the run is on the cluster, in its provenance from the first submission on: the report
    // and `show` of a run that fails or is cancelled say which jobs ran where, as a finished one's do.
    ClusterObservation seen; // squeue's last answer
    auto recordCluster = [&](const QJsonObject& mergeResult) {
        ctx.provenance().setCluster(clusterProvenance(state, work, m_options.toJson(), seen, mergeResult));
    };
    auto save = [&] {
        orThrow(store.save(kStateKey, state.toJson()));
        recordCluster({});
    };
    recordCluster({}); // a resume that fails before it submits anything says where the run had been
    auto submit = [&](const QString& kind, const QStringList& args, const QString& script, const QList<int>& indices) {
        const QString id = orThrow(slurm.submit(args, script));
        state.submissions.append({kind, id, indices, args, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
        save();
        log::info(QStringLiteral("run %1: submitted %2 as Slurm job %3%4").arg(ctx.runId(), kind, id,
                                                                              indices.isEmpty() ? QString() : QStringLiteral(" (array %1)").arg(arraySpec(indices))));
        return id;
    };
    // Named after the checkpoint folder (the first run of the chain): the same across resumes.
    const QString jobName = state.jobNameIn(store.rootDir());

    // Jobs of this run that its state does not name (the process died between sbatch and saving
    // the job id): cancelled, so that no task project ever has two processes in it. (A moved or
    // copied project's jobs have a name of their own.)
    if (auto named = slurm.activeJobsNamed(jobName + QLatin1Char(',') + jobName + QStringLiteral("-merge")); named) {
        QStringList known, orphans;
        for (const ClusterSubmission& sub : state.submissions)
            known << sub.jobId;
        for (const SlurmJobState& j : *named)
            if (!known.contains(j.arrayJobId) && !orphans.contains(j.arrayJobId))
                orphans << j.arrayJobId;
        if (!orphans.isEmpty()) {
            ctx.warn(QStringLiteral("Slurm job(s) %1 of this run were never recorded (an interrupted submission); cancelled").arg(orphans.join(QStringLiteral(", "))));
            cancelAndWait(slurm, orphans);
        }
    }

    // Submit what is neither done nor on the cluster; follow what is.
    ctx.beginStage(QStringLiteral("tasks"), qint64(shards) * kTaskUnitsPerShard);
    seen = orThrow(observeCluster(slurm, state));
    QList<int> toSubmit;
    QStringList dependencies;
    for (int i = 0; i < shards; ++i) {
        if (taskDone(work, i))
            continue;
        auto it = seen.tasks.find(i);
        if (it != seen.tasks.end() && it->second.active())
            dependencies << it->second.jobId;
        else
            toSubmit << i;
    }
    if (!toSubmit.isEmpty()) {
        const QString id = submit(QStringLiteral("tasks"),
                                  {QStringLiteral("--array=") + arraySpec(toSubmit), QStringLiteral("--job-name=") + jobName,
                                   QStringLiteral("--chdir=") + work.folder(),
                                   QStringLiteral("--output=") + slurmPattern(work.logDir()) + QStringLiteral("/task-%A_%a.log")},
                                  work.taskScript(), toSubmit);
        dependencies << id;
        if (state.submissions.size() > 1)
            ctx.setMessage(QStringLiteral("resubmitted task(s) %1 as Slurm job %2").arg(arraySpec(toSubmit), id));
    }
    const bool merged = QFileInfo::exists(work.mergeResultFile());
    if (!toSubmit.isEmpty() && seen.merge && seen.merge->active()) { // it waits on jobs that were replaced: it would never run
        orThrow(slurm.cancel({seen.merge->jobId}));
        seen.merge.reset();
    }
    if (!merged && !(seen.merge && seen.merge->active())) {
        QStringList args{QStringLiteral("--job-name=") + jobName + QStringLiteral("-merge"), QStringLiteral("--chdir=") + work.folder(),
                         QStringLiteral("--output=") + slurmPattern(work.logDir()) + QStringLiteral("/merge-%j.log")};
        if (!dependencies.isEmpty())
            args << QStringLiteral("--dependency=afterok:") + dependencies.join(QLatin1Char(':')) << QStringLiteral("--kill-on-invalid-dep=yes");
        submit(QStringLiteral("merge"), args, work.mergeScript(), {});
    }

    // Follow the run until the merge wrote its result.
    qint64 reported = 0;
    // A task Slurm calls COMPLETED wrote its result before it exited; a shared
    // filesystem may show the file late: it counts as failed only after kResultGraceMs.
    std::map<int, qint64> completedWithoutResultSince;
    int squeueFailures = 0;
    // Progress is the tasks' own (their result and progress files): it moves while squeue is down.
    auto advanceFromFiles = [&] {
        qint64 units = 0;
        for (int i = 0; i < shards; ++i)
            units += taskDone(work, i) ? kTaskUnitsPerShard : qint64(work.taskProgress(i) * double(kTaskUnitsPerShard - 1));
        if (units > reported) {
            ctx.advance(units - reported);
            reported = units;
        }
    };
    for (;;) {
        advanceFromFiles();
        auto observed = observeCluster(slurm, state);
        if (!observed) { // a busy controller answers late now and then: retry before giving up
            if (ctx.stopRequested()) { // a pause or cancel now: scancel what was seen running, as far as Slurm answers
                const QStringList active = seen.activeJobs();
                if (ctx.leavesClusterJobs()) {
                    leaveJobsGoing(ctx, state, active);
                } else if (Status cancelled = active.isEmpty() ? okStatus() : slurm.cancel(active); !cancelled) {
                    state.leftJobs = active; // they may run on: a cancel of the paused run tries again
                    ctx.warn(QStringLiteral("the run was stopped while squeue did not answer, and scancel failed too (%1): Slurm job(s) %2 may still "
                                                "run; 'bioforge status' shows them once the controller answers, 'scancel %3' stops them")
                                     .arg(cancelled.error().message().trimmed(), active.join(QStringLiteral(", ")), active.join(QLatin1Char(' '))));
                }
                save();
                return ctx.stopRequest() == StopRequest::Cancel ? JobOutcome::Cancelled : JobOutcome::Paused;
            }
            if (++squeueFailures >= kSqueueRetries)
                throw JobFailure(observed.error().message()
                                 + QStringLiteral("\nthe run's jobs may still be on the cluster: 'bioforge status' and 'bioforge resume' follow them again"));
            const QString notice = QStringLiteral("squeue did not answer (%1): the Slurm controller may be down; trying again (%2 of %3)")
                                       .arg(observed.error().message().trimmed(), QString::number(squeueFailures), QString::number(kSqueueRetries - 1));
            ctx.setMessage(notice);
            ctx.setNotice(notice);
            for (int waited = 0; waited < pollIntervalMs() && !ctx.stopRequested(); waited += 50)
                QThread::msleep(50);
            continue;
        }
        ctx.setNotice(squeueFailures > 0 ? QStringLiteral("squeue answers again") : QString()); // said once, then cleared
        squeueFailures = 0;
        seen = *observed;
        QList<int> failed;
        QString pendingReason;
        QStringList runningWhere;
        int running = 0, pending = 0, done = 0;
        for (int i = 0; i < shards; ++i) {
            if (taskDone(work, i)) {
                ++done;
                continue;
            }
            auto it = seen.tasks.find(i);
            if (it == seen.tasks.end() || !it->second.active()) { // ended without a result, or Slurm forgot it
                // Not listed: cancelled before it started, or ended long ago (after MinJobAge) without a result.
                const bool definite = it == seen.tasks.end() || !it->second.completed();
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                const qint64 since = completedWithoutResultSince.try_emplace(i, now).first->second;
                if (definite || now - since >= kResultGraceMs)
                    failed << i;
            } else if (it->second.state == QLatin1String("RUNNING")) {
                if (++running <= 4) // the Jobs dock names where the first few run
                    runningWhere << QStringLiteral("task %1 on %2").arg(i + 1).arg(it->second.nodes);
            } else {
                ++pending;
                if (it->second.reason != QLatin1String("None") && !it->second.reason.isEmpty())
                    pendingReason = it->second.reason;
            }
        }
        ctx.setMessage(QStringLiteral("%1 of %2 shards done, %3 running%4, %5 queued%6")
                           .arg(QString::number(done), QString::number(shards), QString::number(running),
                                runningWhere.isEmpty() ? QString()
                                                       : QStringLiteral(" (%1%2)").arg(runningWhere.join(QStringLiteral(", ")),
                                                                                       running > 4 ? QStringLiteral(", …") : QString()),
                                QString::number(pending),
                                pendingReason.isEmpty() ? QString() : QStringLiteral(" (Slurm: %1)").arg(pendingReason)));
        const ClusterSubmission* lastMerge = state.lastMerge();
        if (QFileInfo::exists(work.mergeResultFile()) && (!seen.merge || !seen.merge->active()))
            break;
        if (ctx.leavesClusterJobs()) {
            leaveJobsGoing(ctx, state, seen.activeJobs());
            save();
            return JobOutcome::Paused;
        }
        if (ctx.stopRequested()) {
            cancelAndWait(slurm, seen.activeJobs());
            if (auto after = observeCluster(slurm, state)) // the record says how the cancelled jobs ended, not "running"
                seen = *after;
            save();
            return ctx.stopRequest() == StopRequest::Cancel ? JobOutcome::Cancelled : JobOutcome::Paused;
        }
        if (!failed.isEmpty()) {
            if (seen.merge && seen.merge->active())
                (void)slurm.cancel({seen.merge->jobId}); // --kill-on-invalid-dep does it too; held merges wait otherwise
            QStringList why;
            bool onInput = false; // a task failed on what the run was given
            for (int i : failed) {
                onInput = onInput || work.taskFailedOnInput(i);
                auto it = seen.tasks.find(i);
                QString job;
                for (const ClusterSubmission& s : state.submissions)
                    if (s.kind == QLatin1String("tasks") && s.indices.contains(i))
                        job = QStringLiteral("%1_%2").arg(s.jobId, QString::number(i));
                why << (it == seen.tasks.end() ? QStringLiteral("task %1 of %2 (Slurm job %3) left no result, and Slurm no longer lists it: "
                                                                "it was cancelled before it started, or ended long ago")
                                                     .arg(QString::number(i + 1), QString::number(shards), job)
                                               : describeFailure(work, i, shards, it->second));
            }
            recordCluster({}); // the failed tasks' nodes and states in the run's report
            QStringList stillRunning;
            for (const auto& [i, job] : seen.tasks)
                if (job.active())
                    stillRunning << QString::number(i + 1);
            // On the input: no resume can use the other tasks' results, so they stop now (they held the allocation).
            if (onInput && !stillRunning.isEmpty())
                (void)slurm.cancel(seen.activeJobs());
            const QString message = why.join(QLatin1Char('\n'))
                                    + (stillRunning.isEmpty() ? QString()
                                       : onInput          ? QStringLiteral("\ncancelled, as no resume can use their results: task %1").arg(stillRunning.join(QStringLiteral(", ")))
                                                          : QStringLiteral("\nstill on the cluster (their results are kept): task %1").arg(stillRunning.join(QStringLiteral(", "))));
            if (onInput)
                throw JobFailure::needingNewRun(message + QStringLiteral("\nthe failure is on the run's input or parameters, which a resume would read the same way: "
                                                                         "start a new run with the corrected input"));
            throw JobFailure(message + QStringLiteral("\n'bioforge resume' reruns only the tasks without a result"));
        }
        if (done == shards && (!seen.merge || !seen.merge->active()) && !QFileInfo::exists(work.mergeResultFile())) {
            const QString log = lastMerge ? QDir(work.logDir()).filePath(QStringLiteral("merge-%1.log").arg(lastMerge->jobId)) : QString();
            throw JobFailure(QStringLiteral("the merge (Slurm job %1) ended %2 without a result; the end of its log %3:\n%4")
                                 .arg(lastMerge ? lastMerge->jobId : QStringLiteral("?"), seen.merge ? seen.merge->state : QStringLiteral("(forgotten by Slurm)"),
                                      log, ClusterWork::logTail(log)));
        }
        for (int waited = 0; waited < pollIntervalMs() && !ctx.stopRequested(); waited += 50)
            QThread::msleep(50);
    }

    const QJsonObject mergeResult = bringClusterResultsHome(ctx, m_plugin, m_verb, work, shards);
    recordCluster(mergeResult);
    ctx.markComplete();
    return JobOutcome::Finished;
}

} // namespace bioforge::core
