#pragma once

// Chooses the next token from logits: repetition penalty over the last N
// tokens, then greedy (temperature 0) or top-k → top-p → min-p → temperature
// → a draw from the remaining distribution with a seeded generator. The same
// seed and settings give the same tokens.

#include "tokenizer/vocab.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace bioforge::llm {

struct SamplingSettings {
    float temperature = 0.8f;
    int topK = 40;           // 0: off
    float topP = 0.95f;      // 1: off
    float minP = 0.05f;      // 0: off
    float repeatPenalty = 1.0f; // 1: off (llama.cpp's default)
    int repeatLastN = 64;
    uint64_t seed = 0;       // explicit seed: runs are reproducible

    bool greedy() const { return temperature <= 0.0f; }
};

class Sampler {
public:
    explicit Sampler(SamplingSettings settings) : m_settings(settings), m_rng(settings.seed) {}

    const SamplingSettings& settings() const { return m_settings; }
    TokenId sample(const float* logits, int64_t vocabSize, const std::vector<TokenId>& history);
    // The generator's state as text (std::mt19937_64's stream form: 312 words), to go on with a
    // paused generation's draws; restoreState() is false for a text that is no such state (the
    // generator is then unchanged).
    std::string state() const;
    bool restoreState(const std::string& state);

private:
    SamplingSettings m_settings;
    std::mt19937_64 m_rng;
    std::vector<std::pair<float, TokenId>> m_candidates;
};

} // namespace bioforge::llm
