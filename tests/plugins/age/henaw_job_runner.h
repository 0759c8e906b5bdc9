#pragma once

// Runs one HENAW job (train or predict) in-process as the run service would:
// a checkpoint store under RUN/checkpoints, outputs under RUN/out, a
// provenance record; what it ended with, its failure and its warnings.

#include "checkpoint/checkpoint_store.h"
#include "io/json_file.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "pipeline/henaw_jobs.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QJsonObject>

#include <algorithm>
#include <functional>

namespace bioforge::age::test {

struct HenawAttempt {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    core::RunRecord record;
    QString dir; // RUN/out
    QJsonObject summary() const { return core::readJsonObjectFile(dir + QStringLiteral("/summary.json")).valueOr(QJsonObject()); }
    bool warned(const QString& part) const
    {
        return std::any_of(record.warnings.begin(), record.warnings.end(), [&](const QString& w) { return w.contains(part); });
    }
};

// `before`, when given, sees the job and its context before it runs (inject a fault, request a pause).
template <class JobType>
HenawAttempt runHenawJob(const QString& run, const QJsonObject& parameters, const std::function<void(JobType&, core::JobContext&)>& before = {})
{
    HenawAttempt a;
    a.dir = run + QStringLiteral("/out");
    QDir().mkpath(a.dir);
    JobType job(*HenawRunSettings::fromParameters(parameters));
    core::CheckpointStore store(run + QStringLiteral("/checkpoints"), job.checkpointSchema());
    core::ProvenanceRecorder provenance(a.dir);
    core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(), {&store, &provenance, nullptr, a.dir, QString()}, parameters);
    if (before)
        before(job, ctx);
    try {
        a.outcome = job.run(ctx);
    } catch (const core::JobFailure& f) {
        a.failure = f.message();
    }
    a.record.runId = QStringLiteral("run");
    (void)provenance.finalizeInto(a.record);
    return a;
}

} // namespace bioforge::age::test
