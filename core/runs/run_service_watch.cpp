// RunService: runs another process records or ends in this project (a `bioforge run` in a
// terminal while the window is open), announced as this service's own are.

#include "runs/run_service.h"

#include "store/project.h"
#include "store/project_store.h"

namespace bioforge::core {

void RunService::followOtherProcesses(int intervalMs)
{
    m_dataVersion.reset();
    checkOtherProcesses(); // what is there now is no news: read, not announced
    connect(&m_othersTimer, &QTimer::timeout, this, &RunService::checkOtherProcesses, Qt::UniqueConnection);
    m_othersTimer.start(intervalMs);
}

void RunService::wroteState(const RunRecord& record) { m_knownStates.insert(record.runId, runStateName(record.state)); }

void RunService::checkOtherProcesses()
{
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
            emit runChangedElsewhere(it.key());
            if (const std::optional<RunState> state = runStateFromName(it.value()); state && runStateIsFinal(*state))
                emit runEnded(it.key(), *state == RunState::Finished);
        }
    m_knownStates = std::move(*states);
}

} // namespace bioforge::core
