#pragma once

// The arithmetic the encoders' (DNABERT-S, ESM-2) forward passes run in.
//
// Float32: every operation in float32, as the official implementations run
// by default (fair-esm, DNABERT-S's Hugging Face code); the fixtures'
// reference outputs are matched within 1e-4.
//
// BFloat16: the matrix products (the linear layers and both attention
// products) take bfloat16 inputs and weights — on a CPU through LibTorch's
// oneDNN, which uses AVX-512 BF16 where the CPU has it; elsewhere the
// bfloat16 operands are widened to float32 products, rounded to bfloat16 once,
// at about float32's speed (torch_layers.h; the run says so) — while
// LayerNorm, the rotary rotation, residual sums and the mean embedding stay
// in float32. Softmax and GELU compute in float32 inside LibTorch's kernels
// but take and give bfloat16 (a product's result in, the next product's
// input out; DNABERT-S's gate product is rounded once more). Weights are
// kept in bfloat16 only (half the memory). Measured
// against float32 and the classifier's calls: docs/performance.md ("viral:
// bfloat16"); tests/plugins/viral bound the difference on the fixtures.
// Results of the two precisions are never mixed: the result cache key holds
// the precision.

#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

enum class EncoderPrecision { Float32, BFloat16 };

// "fp32", "bf16": the parameter's spelling, also in provenance.
QString precisionName(EncoderPrecision precision);
// The inverse; other text is an error naming what was expected.
core::Expected<EncoderPrecision> parsePrecision(const QString& text);
// Whether this CPU has AVX-512 BF16 (bf16 products at full speed).
bool cpuHasBFloat16();

} // namespace bioforge::viral
