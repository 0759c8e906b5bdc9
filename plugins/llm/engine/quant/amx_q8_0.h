#pragma once

// Q8_0 weights times Q8_0 activations on Intel AMX (Advanced Matrix
// Extensions, Sapphire Rapids and later): TDPBSSD multiplies a tile of 16 rows
// of signed bytes by a tile of signed bytes in the VNNI layout and adds into a
// 16 × 16 tile of int32 (Intel SDM vol. 1 ch. 18; Optimization Reference
// Manual ch. 20). One tile product here is 16 weight rows × 16 tokens × one
// 32-element block: the weight tile is read straight from the GGUF rows
// (stride = row bytes, the 32 quants after each block's fp16 scale), the
// activation tile is packed for it by packQ8Group; each block's int32 sums are
// scaled by the weight's and the token's scale into float accumulators —
// the same integer sums and scales as the scalar reference (ref::dotQ8_0),
// added in another order. llama.cpp's CPU back-end uses AMX for Q8_0 prompt
// processing the same way (ggml-cpu/amx, tinygemm_kernel_amx).
//
// Only call these when kernelPathAvailable(KernelPath::Amx): the CPU has
// AMX-TILE and AMX-INT8, the OS enabled the tile state and granted this
// process its use (Linux arch_prctl ARCH_REQ_XCOMP_PERM).

#include <cstddef>
#include <cstdint>

namespace bioforge::llm::amx {

constexpr int kTileTokens = 16; // tokens in one packed group (the tile's columns)
constexpr int kTileRows = 16;   // weight rows in one tile product

// Bytes of one group of 16 tokens of n columns (n % 32 == 0): per block, 512
// bytes of quants (8 rows of 64 bytes: row r holds, for each token t, its
// quants 4r..4r+3 at bytes 4t..4t+3) then the 16 tokens' scales as floats.
inline size_t q8GroupBytes(int64_t n) { return size_t(n / 32) * (512 + 64); }

// Quantises `count` (1..16) rows of n floats at x (row stride n) into one
// group at dst (64-byte aligned); tokens count..15 are zero (quants and scales).
void packQ8Group(const float* x, int64_t n, int count, void* dst);

// y[t * yStride + r] = dot(weight row r, token t) for the 16·rowBlocks rows
// from `rows` (Q8_0 rows of rowBytes, n columns) and the nTokens tokens of the
// packed groups (ceil(nTokens / 16) groups of q8GroupBytes(n), in order).
void productQ8_0(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride);

} // namespace bioforge::llm::amx
