#include "log/log_ring.h"

namespace bioforge::core {

void LogRing::append(qint64 timeMs, int level, QString text)
{
    std::lock_guard lock(m_mutex);
    m_lines.push_back({m_next++, timeMs, level, std::move(text)});
    while (int(m_lines.size()) > m_capacity)
        m_lines.pop_front();
}

QList<LogLine> LogRing::since(quint64 afterSequence) const
{
    std::lock_guard lock(m_mutex);
    QList<LogLine> out;
    for (const LogLine& l : m_lines)
        if (l.sequence > afterSequence)
            out.append(l);
    return out;
}

quint64 LogRing::lastSequence() const
{
    std::lock_guard lock(m_mutex);
    return m_next - 1;
}

} // namespace bioforge::core
