#pragma once

// Q8_0 activations repacked for the AVX-512 batched kernels of Q8_0 and Q4_0
// weights. The values are exactly llama.cpp's Q8_0 activations (same
// quantisation, same fp16-rounded scales); only the layout differs. Blocks go
// in pairs (2p, 2p + 1), 128 bytes per pair, one 512-bit register each:
//  - u[64]: the 64 quants as unsigned bytes (q + 128): bytes 0..31 block 2p's
//    in order, bytes 32..63 block 2p+1's; so 32-bit lanes 0-7 belong to block
//    2p and lanes 8-15 to block 2p+1, as the kernel loads two weight blocks
//    into the low and high halves of a register (no cross-lane permute);
//  - d[16]: the two blocks' scales as floats, d[0..7] block 2p's, d[8..15]
//    block 2p+1's.
// A missing second block (odd block count) is zero: quants 128, scale 0.

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {

struct alignas(64) PackedQ8Pair {
    uint8_t u[64];
    float d[16];
};
static_assert(sizeof(PackedQ8Pair) == 128, "PackedQ8Pair is two cache lines");

inline int64_t packedQ8PairCount(int64_t n) { return (n / 32 + 1) / 2; }
inline size_t packedQ8PairRowBytes(int64_t n) { return size_t(packedQ8PairCount(n)) * sizeof(PackedQ8Pair); }

// float row of n (a multiple of 32) -> packedQ8PairCount(n) pairs.
void quantizeActivationsPackedQ8Pairs(const float* src, void* dst, int64_t n);
// The inverse of the layout (for tests): pairs -> standard BlockQ8_0 blocks.
void unpackQ8Pairs(const void* src, void* dstBlocks, int64_t n);

} // namespace bioforge::llm
