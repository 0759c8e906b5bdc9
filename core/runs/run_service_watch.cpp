// RunService: runs another process records or ends in this project (a `bioforge run` in a
// terminal while the window is open), announced as this service's own are.

#include "runs/run_service.h"

#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "store/project.h"
#include "log/log.h"
#include "store/project_store.h"

#include <utility>

namespace bioforge::core {

void RunService::followOtherProcesses(int intervalMs)
{
    m_dataVersion.reset();
    checkOtherProcesses(); // what is there now is no news: read, not announced
    connect(&m_othersTimer, &QTimer::timeout, this, &RunService::checkOtherProcesses, Qt::UniqueConnection);
    m_othersTimer.start(intervalMs);
}

void RunService::wroteState(const RunRecord& record) { m_knownStates.insert(record.runId, runStateName(record.state)); }

void RunService::showIdleJobState(const RunRecord& record)
{
    const auto handle = m_scheduler.handle(record.runId);
    if (!handle || (handle->state() != RunState::Paused && handle->state() != RunState::Interrupted))
        return; // not here, or running here (which no other process ends)
    handle->setState(record.state);
    handle->record() = record;
    emit m_scheduler.jobStateChanged(record.runId);
}

void RunService::checkOtherProcesses()
{
    // The folder moved away while open: said once (the database still answers through its open file).
    if (Status here = m_project.inPlace(); !here) {
        if (!m_saidNotInPlace) {
            // Runs waiting for a slot would start at the old place: they wait paused (review 66 R66-7).
            for (const QString& id : std::as_const(m_runs))
                if (const auto h = m_scheduler.handle(id); h && h->state() == RunState::Queued)
                    m_scheduler.pause(id);
            emit projectNotInPlace(here.error().message());
        }
        m_saidNotInPlace = true;
        return;
    }
    if (std::exchange(m_saidNotInPlace, false))
        emit projectNotInPlace(QString()); // back where it was opened
    // data_version before the states: a commit between the two reads is seen at the next look.
    const auto version = m_project.store().dataVersion();
    if (!version || *version == m_dataVersion)
        return; // nothing committed by another connection since the last look
    auto states = m_project.store().runStates();
    if (!states)
        return; // asked again at the next tick
    const bool first = !m_dataVersion;
    m_dataVersion = *version;
    if (!first)
        for (auto it = states->cbegin(); it != states->cend(); ++it) {
            if (m_knownStates.value(it.key()) == it.value())
                continue; // unchanged since read, or as this service stored it
            // An end is said once, by runEnded (a view follows both: one reload, not two).
            if (const std::optional<RunState> state = runStateFromName(it.value()); state && runStateIsFinal(*state)) {
                if (const auto record = m_project.store().run(it.key()))
                    showIdleJobState(*record); // a run paused here, cancelled by a terminal
                emit runEnded(it.key(), *state == RunState::Finished);
            } else {
                emit runChangedElsewhere(it.key());
            }
        }
    m_knownStates = std::move(*states);
    if (!first)
        emit othersCommitted();
}

Status RunService::requestStop(const QString& runId, bool cancel)
{
    if (const auto h = m_scheduler.handle(runId); h && (h->state() == RunState::Running || h->state() == RunState::Queued)) {
        cancel ? m_scheduler.cancel(runId) : m_scheduler.pause(runId);
        return okStatus();
    }
    auto record = m_project.store().run(runId);
    if (!record)
        return record.error();
    if (record->state != RunState::Running && record->state != RunState::Queued)
        return Error(QStringLiteral("run %1 is %2: only a queued or running run can be %3").arg(runId, runStateName(record->state), cancel ? QStringLiteral("cancelled so") : QStringLiteral("paused")),
                     Error::Kind::Invalid);
    if (auto orphans = m_project.store().orphanedRuns())
        for (const RunRecord& r : *orphans)
            if (r.runId == runId)
                return Error(QStringLiteral("run %1 was left running by a program that is no longer open: it is interrupted; 'bioforge resume %1' "
                                            "continues it, 'bioforge cancel %1' ends it")
                                 .arg(runId),
                             Error::Kind::Invalid);
    return m_project.store().requestStop(runId, cancel);
}

void RunService::actOnStopRequests()
{
    bool mine = false;
    for (const QString& id : std::as_const(m_runs))
        if (const auto h = m_scheduler.handle(id); h && (h->state() == RunState::Running || h->state() == RunState::Queued))
            mine = true;
    if (!mine)
        return;
    const auto requests = m_project.store().stopRequests();
    if (!requests)
        return; // asked again at the next tick
    for (auto it = requests->cbegin(); it != requests->cend(); ++it) {
        const auto h = m_runs.contains(it.key()) ? m_scheduler.handle(it.key()) : nullptr;
        if (!h || (h->state() != RunState::Running && h->state() != RunState::Queued))
            continue; // another process's run, or one that ended (its end clears the request)
        log::info(QStringLiteral("run %1: %2 as another program asked").arg(it.key(), it.value() ? QStringLiteral("cancelled") : QStringLiteral("paused")));
        it.value() ? m_scheduler.cancel(it.key()) : m_scheduler.pause(it.key());
        (void)m_project.store().clearStopRequest(it.key());
    }
}

} // namespace bioforge::core
