#include "jobs/progress_model.h"

#include <algorithm>

namespace bioforge::core {

void ProgressModel::defineStages(const QList<StageSpec>& stages)
{
    m_stages = stages;
    for (StageSpec& s : m_stages)
        s.weight = std::max(0.0, s.weight);
    m_current = -1;
    m_stageTotal = 0;
}

int ProgressModel::beginStage(const QString& id, qint64 totalUnits)
{
    int index = -1;
    for (int i = 0; i < m_stages.size(); ++i)
        if (m_stages[i].id == id)
            index = i;
    if (index < 0) {
        m_stages.append({id, id, 1.0});
        index = int(m_stages.size()) - 1;
    }
    // Stages only move forward; re-entering an earlier one keeps the later position.
    m_current = std::max(m_current, index);
    m_stageTotal = std::max<qint64>(0, totalUnits);
    return m_current;
}

void ProgressModel::setStageTotal(qint64 totalUnits) { m_stageTotal = std::max<qint64>(0, totalUnits); }

void ProgressModel::markAllComplete() { m_complete = true; }

void ProgressModel::startAt(double fraction) { m_reported = std::clamp(std::max(m_reported, fraction), 0.0, 1.0); }

double ProgressModel::currentStageShare() const
{
    if (m_current < 0 || m_current >= m_stages.size())
        return 0.0;
    double total = 0.0;
    for (const StageSpec& s : m_stages)
        total += s.weight;
    return total > 0.0 ? m_stages[m_current].weight / total : 0.0;
}

double ProgressModel::fraction(qint64 stageDone)
{
    double value = 0.0;
    if (m_complete) {
        value = 1.0;
    } else if (m_current >= 0) {
        double total = 0.0, done = 0.0;
        for (int i = 0; i < m_stages.size(); ++i) {
            total += m_stages[i].weight;
            if (i < m_current)
                done += m_stages[i].weight;
        }
        const double within = m_stageTotal > 0 ? std::clamp(double(stageDone) / double(m_stageTotal), 0.0, 1.0) : 0.0;
        done += m_stages[m_current].weight * within;
        value = total > 0.0 ? done / total : 0.0;
    }
    m_reported = std::clamp(std::max(m_reported, value), 0.0, 1.0);
    return m_reported;
}

} // namespace bioforge::core
