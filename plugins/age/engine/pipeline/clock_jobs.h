#pragma once

// The published-clock runs:
//  - `clocks`: PhenoAge for every row, KDM when a reference cohort is given
//    (trained per sex on it), re-trained PhenoAge and HD when theirs are;
//    writes clocks.csv and its companions (pipeline/clock_outputs.h);
//  - `evaluate`: the same clocks on a table with mortality follow-up, and the
//    comparison of pipeline/clock_evaluation.h for each (evaluation.csv).
// Both are short and deterministic: a paused or interrupted run starts again.

#include "jobs/job.h"
#include "pipeline/clock_settings.h"

namespace bioforge::age {

class ClocksJob final : public core::Job {
public:
    explicit ClocksJob(ClockSettings settings) : m_settings(std::move(settings)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    ClockSettings m_settings;
};

// Each clock's comparison is kept in a checkpoint entry (evaluate/clock-NN) as soon as it is
// made, and its bootstrap stops at the next resample on a pause: a resumed run reads the clocks
// compared back and goes on with the next (trial 24 T24-13).
class EvaluateJob final : public core::Job {
public:
    explicit EvaluateJob(ClockSettings settings) : m_settings(std::move(settings)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

    // Tests: request a pause after resample `resample` (1-based, of bootstrapSteps()) of clock
    // `clock` (0-based, in the order of evaluation.csv).
    void pauseAtResample(int clock, qint64 resample)
    {
        m_pauseClock = clock;
        m_pauseResample = resample;
    }
    // The clocks this run read back from its checkpoints instead of comparing them again.
    int clocksReadBack() const { return m_readBack; }

private:
    ClockSettings m_settings;
    int m_pauseClock = -1;
    qint64 m_pauseResample = 0;
    int m_readBack = 0;
};

} // namespace bioforge::age
