#include "jobs/page_runs.h"

#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QCoreApplication>

namespace bioforge::ui {

PageRuns::Ended PageRuns::ended(const core::Session& session, const QString& runId)
{
    Ended e;
    if (const core::Project* project = session.project())
        if (auto record = project->store().run(runId))
            e.record = std::move(*record);
    e.verb = m_started.take(runId);
    if (e.verb.isEmpty() && e.record && !e.record->parentRunId.isEmpty())
        e.verb = m_paused.take(e.record->parentRunId);
    // Any end a resume continues (a pause, a failure to put right, an interruption): its
    // continuation's end replaces what the page says of it (trial 21 T21-7: "failed … resume it"
    // stayed after the resume was cancelled).
    if (!e.verb.isEmpty() && e.record && e.record->resumable())
        m_paused.insert(runId, e.verb);
    return e;
}

void PageRuns::clear()
{
    m_started.clear();
    m_paused.clear();
}

QString unfinishedRunText(const core::RunRecord& record)
{
    const auto tr = [](const char* text) { return QCoreApplication::translate("bioforge::ui::RunEndText", text); };
    switch (record.state) {
    case core::RunState::Paused:
        return tr("Run %1 is paused: resume it from the Jobs dock or the Runs page; it goes on from its last checkpoint.").arg(record.runId);
    case core::RunState::Interrupted:
        return tr("Run %1 was interrupted (the program stopped while it ran): resume it from the Runs page.").arg(record.runId);
    case core::RunState::Cancelled:
        return tr("Run %1 was cancelled.").arg(record.runId);
    case core::RunState::Failed: {
        const QString error = record.error.size() > 600 ? record.error.left(600) + QStringLiteral("…") : record.error;
        return tr("Run %1 failed: %2 — %3")
            .arg(record.runId, error.isEmpty() ? tr("(no reason recorded; the log may say)") : error,
                 record.resumable() ? tr("once that is put right, resume it from the Runs page.")
                                    : tr("a new run is needed (what it was given must change)."));
    }
    default:
        return tr("Run %1 did not finish (it is %2).").arg(record.runId, core::runStateName(record.state));
    }
}

} // namespace bioforge::ui
