#pragma once

// A recorded text generation: a prompt completed by a local GGUF model, with
// the model's SHA-256, the settings and timings in the run's provenance. The
// output is a pure function of model, prompt and settings (seeded), so a
// paused run that resumes regenerates the same text.

#include "gguf_model_source.h"
#include "jobs/job.h"

#include <QJsonObject>

namespace bioforge::llm {

class GenerateJob final : public core::Job {
public:
    // `model`: the file the run's --model names (resolved by the plugin: a path or a registry name).
    GenerateJob(QJsonObject parameters, GgufModelSource model) : m_parameters(std::move(parameters)), m_model(std::move(model)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    void recordModel(core::JobContext& ctx, const class GgufFile& file) const;
    QJsonObject m_parameters;
    GgufModelSource m_model;
};

} // namespace bioforge::llm
