// RunService: runs another process records or ends in this project (a `bioforge run` in a
// terminal while the window is open), announced as this service's own are.

#include "runs/run_service.h"

#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "store/project.h"
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

} // namespace bioforge::core
