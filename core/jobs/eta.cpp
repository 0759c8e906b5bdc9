#include "jobs/eta.h"

#include <cmath>

namespace bioforge::core {

void Eta::addSample(qint64 timeMs, double fraction, qint64 units)
{
    if (!m_samples.empty() && timeMs < m_samples.back().timeMs)
        return; // time never goes back; ignore a stale sample
    if (!m_samples.empty() && timeMs == m_samples.back().timeMs) {
        m_samples.back() = {timeMs, fraction, units};
    } else {
        m_samples.push_back({timeMs, fraction, units});
    }
    // Keep one sample at or before the window start so the span is the full window.
    while (m_samples.size() > 2 && m_samples[1].timeMs <= timeMs - m_options.windowMs)
        m_samples.pop_front();
}

void Eta::shift(double fraction, qint64 units)
{
    for (Sample& s : m_samples) {
        s.fraction += fraction;
        s.units += units;
    }
}

bool Eta::enoughEvidence() const
{
    if (m_samples.size() < 2)
        return false;
    const Sample& first = m_samples.front();
    const Sample& last = m_samples.back();
    return last.timeMs - first.timeMs >= m_options.minObservationMs && last.fraction > first.fraction;
}

double Eta::fractionPerSecond() const
{
    if (!enoughEvidence())
        return 0.0;
    const Sample& first = m_samples.front();
    const Sample& last = m_samples.back();
    return (last.fraction - first.fraction) * 1000.0 / double(last.timeMs - first.timeMs);
}

double Eta::unitsPerSecond() const
{
    if (m_samples.size() < 2)
        return 0.0;
    const Sample& first = m_samples.front();
    const Sample& last = m_samples.back();
    if (last.timeMs - first.timeMs < m_options.minObservationMs)
        return 0.0;
    return double(last.units - first.units) * 1000.0 / double(last.timeMs - first.timeMs);
}

std::optional<qint64> Eta::remainingMs() const
{
    const double rate = fractionPerSecond();
    if (rate <= 0.0)
        return std::nullopt;
    const double remaining = 1.0 - m_samples.back().fraction;
    return qint64(std::llround(remaining / rate * 1000.0));
}

} // namespace bioforge::core
