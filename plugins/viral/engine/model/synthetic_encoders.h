#pragma once

// Writes encoder folders of any shape with seeded random weights, in the
// same Hugging Face layout the real models have (config.json +
// model.safetensors, with the tokenizer files copied from a template
// folder): ESM-2 (EsmForMaskedLM names, vocab.txt) and DNABERT-S
// (BertModel names, tokenizer.json). For benchmarks at the real shapes; the
// weights mean nothing.

#include "util/expected.h"

#include <QString>

#include <cstdint>

namespace bioforge::viral {

struct EncoderShape {
    int64_t layers = 0;
    int64_t hidden = 0;
    int64_t heads = 0;
    int64_t intermediate = 0;
};

// ESM-2 150M: 30 layers, 640 wide, 20 heads, FFN 2560 (the benchmark anchor's shape).
inline constexpr EncoderShape kEsm2_150M{30, 640, 20, 2560};
// ESM-2 3B (esm2_t36_3B_UR50D), the one VirNucPro uses.
inline constexpr EncoderShape kEsm2_3B{36, 2560, 40, 10240};
// DNABERT-S: 12 layers, 768 wide, 12 heads, gated FFN 3072.
inline constexpr EncoderShape kDnabertS{12, 768, 12, 3072};

// templateFolder supplies vocab.txt (ESM-2) or tokenizer.json and the
// special-token files (DNABERT-S); the vocabulary size is taken from it.
core::Status writeSyntheticEsm2(const QString& folder, const EncoderShape& shape, const QString& templateFolder, uint64_t seed);
core::Status writeSyntheticDnabert(const QString& folder, const EncoderShape& shape, const QString& templateFolder, uint64_t seed);

} // namespace bioforge::viral
