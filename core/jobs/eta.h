#pragma once

// ETA and throughput from a rate smoothed over a sliding time window.
// "Unknown" until the window holds enough honest evidence: a minimum span of
// observed time and some progress within it.

#include <QtGlobal>

#include <deque>
#include <optional>

namespace bioforge::core {

class Eta {
public:
    struct Options {
        qint64 windowMs = 30'000;      // rate is measured over at most this span
        qint64 minObservationMs = 2'000; // no estimate before this much time is seen
    };

    Eta() = default;
    explicit Eta(Options options) : m_options(options) {}

    // fraction in [0, 1] of the whole job; units = work units done so far (all stages).
    void addSample(qint64 timeMs, double fraction, qint64 units);
    void reset() { m_samples.clear(); }
    // Work that took no time to count (a resume reading back what its checkpoints hold): every
    // sample is moved up by it, so the rate over the window stays that of the work done.
    void shift(double fraction, qint64 units);

    std::optional<qint64> remainingMs() const;
    double unitsPerSecond() const;     // 0 while unknown
    double fractionPerSecond() const;  // 0 while unknown

private:
    struct Sample {
        qint64 timeMs;
        double fraction;
        qint64 units;
    };
    bool enoughEvidence() const;

    Options m_options;
    std::deque<Sample> m_samples;
};

} // namespace bioforge::core
