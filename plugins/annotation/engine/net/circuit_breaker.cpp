#include "net/circuit_breaker.h"

#include <algorithm>

namespace bioforge::annotation {

QString stateName(CircuitBreaker::State s)
{
    switch (s) {
    case CircuitBreaker::State::Closed: return QStringLiteral("closed");
    case CircuitBreaker::State::Open: return QStringLiteral("open");
    case CircuitBreaker::State::HalfOpen: return QStringLiteral("half-open");
    }
    return {};
}

bool CircuitBreaker::allow()
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Open && m_clock.nowMs() - m_openedAt >= m_openMs) {
        m_state = State::HalfOpen;
        m_trialInFlight = false;
    }
    if (m_state == State::Closed)
        return true;
    if (m_state == State::HalfOpen && !m_trialInFlight) {
        m_trialInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess()
{
    std::lock_guard lock(m_mutex);
    m_state = State::Closed;
    m_failures = 0;
    m_trialInFlight = false;
}

void CircuitBreaker::recordFailure()
{
    std::lock_guard lock(m_mutex);
    ++m_failures;
    if (m_state == State::HalfOpen || m_failures >= m_threshold) {
        m_state = State::Open;
        m_openedAt = m_clock.nowMs();
    }
    m_trialInFlight = false;
}

CircuitBreaker::State CircuitBreaker::state() const
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Open && m_clock.nowMs() - m_openedAt >= m_openMs)
        return State::HalfOpen;
    return m_state;
}

qint64 CircuitBreaker::retryInMilliseconds() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Open ? std::max<qint64>(0, m_openMs - (m_clock.nowMs() - m_openedAt)) : 0;
}

int CircuitBreaker::consecutiveFailures() const
{
    std::lock_guard lock(m_mutex);
    return m_failures;
}

} // namespace bioforge::annotation
