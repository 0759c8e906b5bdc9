#pragma once

// A circuit breaker per host (Nygard, "Release It!"): after `threshold`
// consecutive failed requests it opens and refuses at once for
// `openMilliseconds`; then it half-opens and lets one request through: a
// success closes it, a failure opens it again. Failures are what the HTTP
// client counts after its retries (unreachable, timeouts, 5xx, 429, 403, an
// HTML page for data); a 404 or a GraphQL error about the query is not the
// host failing. Thread-safe; time from an injected clock.

#include "jobs/clock.h"

#include <QString>

#include <mutex>

namespace bioforge::annotation {

class CircuitBreaker {
public:
    enum class State { Closed, Open, HalfOpen };
    CircuitBreaker(const core::Clock& clock, int threshold = 5, qint64 openMilliseconds = 60000)
        : m_clock(clock), m_threshold(threshold), m_openMs(openMilliseconds) {}

    // May a request go now? In half-open state, one at a time.
    bool allow();
    void recordSuccess();
    void recordFailure();
    State state() const;
    qint64 retryInMilliseconds() const; // when open: until it half-opens
    int consecutiveFailures() const;

private:
    const core::Clock& m_clock;
    int m_threshold;
    qint64 m_openMs;
    mutable std::mutex m_mutex;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openedAt = 0;
    bool m_trialInFlight = false;
};

QString stateName(CircuitBreaker::State s);

} // namespace bioforge::annotation
