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

class EvaluateJob final : public core::Job {
public:
    explicit EvaluateJob(ClockSettings settings) : m_settings(std::move(settings)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    ClockSettings m_settings;
};

} // namespace bioforge::age
