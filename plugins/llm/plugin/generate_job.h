#pragma once

// A recorded text generation: a prompt completed by a local GGUF model, with
// the model's SHA-256, the settings and timings in the run's provenance. The
// output is a pure function of model, prompt and settings (seeded), so a
// paused run that resumes regenerates the same text.

#include "jobs/job.h"

#include <QJsonObject>

namespace bioforge::llm {

class GenerateJob final : public core::Job {
public:
    explicit GenerateJob(QJsonObject parameters) : m_parameters(std::move(parameters)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    QJsonObject m_parameters;
};

} // namespace bioforge::llm
