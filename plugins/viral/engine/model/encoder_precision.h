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
//
// Int8: the linear layers (ESM-2's q/k/v, output and feed-forward products;
// DNABERT-S's Wqkv, output, gated and wo products) run as int8 products on our
// AVX-512 VNNI kernel (int8_gemm.h) where the CPU has it, else on oneDNN's matmul
// (int8_matmul.h; the libdnnl Debian's LibTorch links) — the same exact sums: weights
// rounded once at load to int8 with one symmetric scale per output channel
// (max |w| / 127); each token's input rounded per product to uint8 over
// its own range (its min and max: asymmetric, 255 steps; 127 where the
// kernels would saturate 8-bit pairs, CPUs without VNNI) — so a sequence's
// result does not depend on its batch mates (int8_kernels.h, torch_int8.h);
// exact int32 sums, the result scaled back to float32 with the bias added;
// padding tokens left out. Everything else — the attention (fused,
// attention_kernels.h, where AVX-512 runs it), softmax, GELU, LayerNorm,
// residual sums — stays float32. CPU only (CPU kernels). The error is larger than bf16's (about 1 %
// relative a product on Gaussian data against bf16's 0.3 %); an input with
// a few outlier channels raises it, which trained transformers are known to
// have and the fixtures' tiny models do not. Speed and error measured in
// docs/performance.md ("viral: int8"); tests/plugins/viral bound the error.
// Results of different precisions are never mixed: the result cache key
// holds the precision.

#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

enum class EncoderPrecision { Float32, BFloat16, Int8 };

// "fp32", "bf16", "int8": the parameter's spelling, also in provenance.
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
// For provenance and the run's log: how EncoderPrecision::Int8 runs here — the products' kernel
// (ours on AVX-512 VNNI, oneDNN's version and kernel) and the activations' bits ("products on our
// AVX-512 VNNI kernel (…; oneDNN 2.6.3, brg:avx512_core_vnni for …); per-token rounding,
// 8-bit activations (…); attention fused …"), or why it cannot (model/torch_int8.h, selectInt8Engine).
QString int8ProductsDescription();
// The same in the result cache key's words ("token-u8+norm-epilogue+fused-attention+v512": the
// rounding and the bits — u8 or u7 —, the LayerNorms in the products' epilogues, the fused attention where it runs (AVX-512 F/BW/DQ/VL), and "+v512" where
// the GELU's vector erf runs (AVX-512 F/BW/DQ);
// the int32 sums are exact whichever kernel ran): int8 results made otherwise are not reused.
QString int8ProductsKey();

} // namespace bioforge::viral
