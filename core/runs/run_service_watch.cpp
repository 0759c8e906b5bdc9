// RunService: runs another process records or ends in this project (a `bioforge run` in a
// terminal while the window is open), announced as this service's own are.

#include "runs/run_service.h"

#include "store/project.h"
#include "store/project_store.h"

namespace bioforge::core {

void RunService::followOtherProcesses(int intervalMs)
{
    if (auto states = m_project.store().runStates()) // what is there now is no news
        m_knownStates = *states;
    if (auto version = m_project.store().dataVersion())
        m_dataVersion = *version;
    connect(&m_othersTimer, &QTimer::timeout, this, &RunService::checkOtherProcesses, Qt::UniqueConnection);
    m_othersTimer.start(intervalMs);
}

void RunService::checkOtherProcesses()
{
    const auto version = m_project.store().dataVersion();
    if (!version || *version == m_dataVersion)
        return; // nothing committed by another connection since the last look
    auto states = m_project.store().runStates();
    if (!states)
        return; // asked again at the next tick
    m_dataVersion = *version;
    for (auto it = states->cbegin(); it != states->cend(); ++it) {
        if (m_knownStates.value(it.key()) == it.value() || m_runs.contains(it.key()))
            continue; // unchanged, or this service's own run (announced as it changed)
        emit runChangedElsewhere(it.key());
        if (const std::optional<RunState> state = runStateFromName(it.value()); state && runStateIsFinal(*state))
            emit runEnded(it.key(), *state == RunState::Finished);
    }
    m_knownStates = std::move(*states);
}

} // namespace bioforge::core
