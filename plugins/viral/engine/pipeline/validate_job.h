#pragma once

// `viral validate`: the quick check a user runs before a long prediction —
// each model loads, the encoders' widths add up to the classifier's input,
// and a tiny synthetic contig goes through the whole pipeline (in a scratch
// folder of the run). Writes validation.json; any failure names the model
// or step and why.

#include "jobs/job.h"
#include "pipeline/predict_job.h"
#include "pipeline/predict_settings.h"

namespace bioforge::viral {

class ValidateJob final : public core::Job {
public:
    explicit ValidateJob(PredictSettings settings) : m_settings(std::move(settings)) {}
    core::JobRequirements requirements() const override
    {
        core::JobRequirements needs = encoderRequirements(m_settings);
        needs.maxGpus = 1; // a tiny run: one GPU is plenty
        return needs;
    }
    core::JobOutcome run(core::JobContext& ctx) override;

    // A contig of `length` bases made of sense codons (seeded): its forward frames translate.
    static std::string syntheticContig(size_t length, uint32_t seed);

private:
    PredictSettings m_settings;
};

} // namespace bioforge::viral
