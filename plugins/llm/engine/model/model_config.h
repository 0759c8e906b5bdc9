#pragma once

// The hyper-parameters of a llama-family model, all read from the GGUF
// metadata (never from code constants): architecture, sizes, heads, RoPE
// style, base and scaling, normalisation epsilon, context length.

#include "compute/ops.h"
#include "util/expected.h"

#include <string>

namespace bioforge::llm {

class GgufFile;

struct ModelConfig {
    std::string architecture; // llama, mistral, qwen2
    std::string name;
    int64_t contextLength = 0;
    int64_t embedding = 0;
    int64_t layers = 0;
    int64_t feedForward = 0;
    int64_t heads = 0;
    int64_t kvHeads = 0;
    int64_t headSize = 0;   // key/value head size
    int64_t vocabSize = 0;
    float rmsEpsilon = 1e-5f;
    RopeParams rope;
    std::string ropeScalingType = "none";

    int64_t queryWidth() const { return heads * headSize; }
    int64_t kvWidth() const { return kvHeads * headSize; }

    static core::Expected<ModelConfig> fromGguf(const GgufFile& file);
    static bool architectureSupported(const std::string& arch);
};

} // namespace bioforge::llm
