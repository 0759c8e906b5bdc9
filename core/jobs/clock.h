#pragma once

// Time source for progress, ETA and timeouts. Injected so tests of ETA are
// exact and never sleep: production uses SteadyClock, tests ManualClock.

#include <QtGlobal>

#include <atomic>

namespace bioforge::core {

class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
};

class SteadyClock final : public Clock {
public:
    qint64 nowMs() const override;
    static const SteadyClock& instance();
};

class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMs = 0) : m_now(startMs) {}
    qint64 nowMs() const override { return m_now.load(std::memory_order_relaxed); }
    void advance(qint64 ms) { m_now.fetch_add(ms, std::memory_order_relaxed); }
    void set(qint64 ms) { m_now.store(ms, std::memory_order_relaxed); }

private:
    std::atomic<qint64> m_now;
};

} // namespace bioforge::core
