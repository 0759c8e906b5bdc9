#pragma once

// Small jobs for scheduler and run tests: a counting job with a per-unit hook,
// and a helper that wraps a job into a JobHandle in a temporary folder.

#include "jobs/job.h"
#include "jobs/job_context.h"
#include "jobs/job_handle.h"

#include <QDir>
#include <QUuid>

#include <atomic>
#include <functional>
#include <memory>

namespace bioforge::test {

class CountingJob : public core::Job {
public:
    using Hook = std::function<void(int unit, core::JobContext& ctx)>;
    CountingJob(int units, Hook hook = {}, core::JobRequirements needs = {})
        : m_units(units), m_hook(std::move(hook)), m_needs(needs) {}

    core::JobRequirements requirements() const override { return m_needs; }
    bool resumesFromCheckpoints() const override { return resumes; }
    core::JobOutcome run(core::JobContext& ctx) override
    {
        ctx.beginStage(QStringLiteral("count"), m_units);
        for (int unit = 0; unit < m_units; ++unit) {
            if (m_hook)
                m_hook(unit, ctx);
            ++executed;
            ctx.advance();
            if (ctx.stopRequested())
                return ctx.stopRequest() == core::StopRequest::Pause ? core::JobOutcome::Paused : core::JobOutcome::Cancelled;
        }
        return core::JobOutcome::Finished;
    }

    std::atomic<int> executed{0};
    bool resumes = true; // the scheduler's resume tests: a job that goes on from its pause

private:
    int m_units;
    Hook m_hook;
    core::JobRequirements m_needs;
};

inline std::shared_ptr<core::JobHandle> makeHandle(std::unique_ptr<core::Job> job, const QString& root)
{
    core::RunRecord record;
    record.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.checkpointId = record.runId;
    const QString runDir = QDir(root).filePath(QStringLiteral("runs/") + record.runId);
    QDir().mkpath(runDir);
    return std::make_shared<core::JobHandle>(record, std::move(job), runDir,
                                             QDir(root).filePath(QStringLiteral("checkpoints/") + record.runId));
}

} // namespace bioforge::test
