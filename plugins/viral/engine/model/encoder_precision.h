#pragma once

// The arithmetic the encoders' (DNABERT-S, ESM-2) forward passes run in.
//
// Float32: every operation in float32, as the official implementations run
// by default (fair-esm, DNABERT-S's Hugging Face code); the fixtures'
// reference outputs are matched within 1e-4.
//
// BFloat16: the matrix products (the linear layers and both attention
// products) take bfloat16 inputs and weights — on a CPU with AMX bfloat16
// tiles through LibTorch's oneDNN, which runs them on the tiles; elsewhere the
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
// Whether this CPU runs bfloat16 products faster than float32 ones: AVX-512 BF16 with AMX-BF16
// tiles that the OS and Linux let this process use (CPUID, XCR0, arch_prctl). Then oneDNN, inside
// LibTorch, runs them on the tiles: 708–721 GFLOP/s on 2 threads against OpenBLAS's float32
// 156–164 at [1344 × 640] · [640 × 1920] (Emerald Rapids, 2026-12-01). With AVX-512 BF16 but no
// AMX its bfloat16 kernels ran at about half OpenBLAS's float32 speed (the same CPU model in a VM
// that hides AMX, 2026-12-03: 149–164 GFLOP/s on 2 threads against OpenBLAS's 214–308; an
// ESM-2 150M batch 3.4–3.7 s in bf16 against 2.6–2.9 s in fp32), and without AVX-512 BF16 they
// are a scalar loop; there the bfloat16 products are widened to float32 (torch_layers.h).
// Read once.
bool cpuHasBFloat16Tiles();

} // namespace bioforge::viral
