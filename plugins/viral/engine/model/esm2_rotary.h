#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> first): ESM-2's rotary
// position embedding (Su et al. 2021, "RoFormer"; fair-esm's esm/rotary_embedding.py, the
// non-interleaved halves) on LibTorch's operations and in one pass of our own (splitRotate).

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <utility>

namespace bioforge::viral {

// x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (non-interleaved halves).
at::Tensor applyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);
// cos and sin of the rotary angles for positions 0 … T-1: [T, headSize] float32 (invFreq [headSize / 2]).
std::pair<at::Tensor, at::Tensor> rotaryTables(const at::Tensor& invFreq, int64_t T);
// q, k and v in one pass over the fused product's output qkv [B, T, 3·heads·D]
// (float32, or bfloat16 in a bf16 layer): q and k rotated (in float32; a
// bfloat16 result rounded once), each of the three written contiguous as
// [B, heads, T, D] for the attention products. cos, sin: [T, D] float32
// (rotaryTables). Replaces LibTorch's chunk / cat / multiply / add passes over
// strided views and the copies the attention products then make (bf16: 64 ms
// of a 760 ms ESM-2 150M batch measured; this pass takes a few). In float32
// it computes what applyRotary does, in the same order: the same bits.
// Scalar: float or at::BFloat16.
template <typename Scalar>
std::array<at::Tensor, 3> splitRotate(const at::Tensor& qkv, const at::Tensor& cos, const at::Tensor& sin, int64_t heads, int64_t D);

} // namespace bioforge::viral
