#pragma once

// Writes llama-family GGUF models of any shape and weight type with seeded
// random weights, for tests, benchmarks and `bioforge llm synth-model`.
// The vocabulary is synthetic (SentencePiece-style: specials, 256 byte
// tokens, generated pieces) or copied from another GGUF file.

#include "gguf/gguf_types.h"
#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <string>

namespace bioforge::llm {

struct SynthSpec {
    std::string architecture = "llama"; // llama, mistral or qwen2 (qkv biases, NeoX RoPE)
    int64_t embedding = 256;
    int64_t layers = 2;
    int64_t heads = 4;
    int64_t kvHeads = 2;
    int64_t feedForward = 512;
    int64_t vocab = 32000;
    int64_t context = 2048;
    std::string weightType = "Q8_0"; // F32 F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K Q4_K_M Q5_K_M
    float ropeBase = 10000.f;
    bool tiedOutput = false;
    uint64_t seed = 1;
    QString vocabularyFrom{}; // a GGUF whose tokenizer to copy (its vocab size wins)
    // For speed benchmarks only: quantised matrices get random block bytes with small fixed
    // scales instead of quantised N(0, 1/√cols) values (seconds instead of minutes for a 7B
    // shape); the outputs mean nothing, but every weight is finite and a product costs the same.
    bool randomBlocks = false;
};

class ModelSynthesizer {
public:
    static core::Status write(const SynthSpec& spec, const QString& path);
    // The ggml type a tensor gets under a mix such as Q4_K_M (llama.cpp's rule).
    static core::Expected<GgmlType> tensorType(const SynthSpec& spec, const std::string& tensor, int layer);
};

} // namespace bioforge::llm
