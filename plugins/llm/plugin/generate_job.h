#pragma once

// A recorded text generation: a prompt completed by a local GGUF model, with
// the model's SHA-256, the settings and timings in the run's provenance. A
// pause keeps what the generation needs to go on exactly (checkpoint
// "generate/tokens": the tokens so far and the sampler's state in state.json;
// the KV cache's tokens, keys and values and the next token's logits in
// tensors.safetensors — layers × positions × KV width × 8 bytes), and the
// resumed run puts it back: its ids are the uninterrupted run's. The same
// checkpoint is written while the run generates, every --checkpoint_every
// seconds (60; less often where writing it takes over a tenth of that time), so
// that a crash or a kill -9 loses only the tokens since (trial 24 T24-6).

#include "gguf_model_source.h"
#include "runtime/conversation.h"
#include "jobs/job.h"

#include <QJsonObject>

namespace bioforge::llm {

class GenerateJob final : public core::Job {
public:
    // `model`: the file the run's --model names (resolved by the plugin: a path or a registry name).
    GenerateJob(QJsonObject parameters, GgufModelSource model) : m_parameters(std::move(parameters)), m_model(std::move(model)) {}
    core::JobOutcome run(core::JobContext& ctx) override;
    bool resumesFromCheckpoints() const override { return true; }

private:
    // The checkpoint a pause wrote, or nullopt (none, or one this version does not read: warned).
    static std::optional<PausedGeneration> pausedGeneration(core::JobContext& ctx, int maxTokens);
    // Writes checkpoint "generate/tokens" (a pause's, or a periodic one: --checkpoint_every).
    static core::Status keepGeneration(core::JobContext& ctx, const PausedGeneration& state, int64_t layers);
    void recordModel(core::JobContext& ctx, const class GgufFile& file) const;
    QJsonObject m_parameters;
    GgufModelSource m_model;
};

} // namespace bioforge::llm
