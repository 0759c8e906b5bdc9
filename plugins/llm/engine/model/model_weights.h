#pragma once

// The tensors of a llama-family model, found by their GGUF names and checked
// against the configuration (present, a supported type, the right shape).
// Matrices stay in the mapped file; norms and biases are read into floats.

#include "compute/weight_tensor.h"
#include "model/model_config.h"
#include "util/expected.h"

#include <vector>

namespace bioforge::llm {

class GgufFile;

struct LayerWeights {
    std::vector<float> attentionNorm;
    WeightTensor query, key, value, attentionOutput;
    std::vector<float> queryBias, keyBias, valueBias; // empty unless the model has them (qwen2)
    std::vector<float> ffnNorm;
    WeightTensor gate, up, down;
};

struct ModelWeights {
    WeightTensor tokenEmbedding;
    std::vector<float> outputNorm;
    WeightTensor output; // the embedding matrix when tied
    bool tiedOutput = false;
    std::vector<float> ropeFreqFactors;
    std::vector<LayerWeights> layers;

    static core::Expected<ModelWeights> fromGguf(const GgufFile& file, const ModelConfig& config);
};

} // namespace bioforge::llm
