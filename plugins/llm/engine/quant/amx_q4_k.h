#pragma once

// Q4_K and Q6_K weights times Q8_K activations on AMX tiles (see amx_q8_0.h for the
// tile product). Each 256-weight super-block has 8 groups of 32 with 6-bit
// scales and mins: x = d · sc[g] · q − dmin · m[g], q in 0..15. Per row block
// the 4-bit quants are unpacked once to bytes (a tile is loaded from them);
// each group's 16 × 16 int32 sums are multiplied by the rows' integer scales
// and summed per super-block, the mins against the tokens' group sums
// (VPDPWSSD), and each super-block's total is scaled as the scalar reference
// does it (ref::dotQ4_K: d·dA·Σ sc·(q·a) − dmin·dA·Σ m·bsum, llama.cpp's
// ggml_vec_dot_q4_K_q8_K). Only call when kernelPathAvailable(KernelPath::Amx).

#include <cstddef>
#include <cstdint>

namespace bioforge::llm::amx {

// Bytes of one group of 16 tokens of n columns (n % 256 == 0): per
// super-block, 8 × 512 bytes of quants in the tile layout of packQ8Group, the
// 16 tokens' Q8_K scales as floats, then 4 × 16 int32: the group sums of
// groups 2p (low 16 bits) and 2p + 1 (high 16 bits), p = 0..3.
inline size_t q8KGroupBytes(int64_t n) { return size_t(n / 256) * (8 * 512 + 64 + 4 * 64); }

// Quantises `count` (1..16) rows of n floats at x to Q8_K (llama.cpp's
// quantize_row_q8_K, as quantizeActivationsQ8_K) into one group at dst (64-byte aligned).
void packQ8KGroup(const float* x, int64_t n, int count, void* dst);

// As productQ8_0, for Q6_K rows (x = d · sc[g] · (q − 32), 16 groups of 16
// with int8 scales: the tiles take 16 bytes of K, the same packed activations).
void productQ6_K(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride);

// As productQ8_0, for Q4_K rows.
void productQ4_K(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride);

} // namespace bioforge::llm::amx
