#pragma once

// Quantised block layouts, byte for byte as GGUF files store them (ggml's
// layouts). Each is declared once here with a static_assert on its size.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bioforge::llm {

constexpr int kQK4_0 = 32;
constexpr int kQK8_0 = 32;
constexpr int kQK_K = 256;        // elements per K-quant super-block
constexpr int kKScaleBytes = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// 32 weights: x = d * (q - 8), q in 0..15; qs[j] holds element j (low nibble) and j + 16 (high).
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 18 bytes");

// 32 weights: x = d * q, q in -127..127.
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 34 bytes");

// Q8_0 activations of up to kQ8TileTokens tokens, interleaved block by block,
// for the AVX2 batched kernels: for block b the eight tokens' scales (the
// fp16-rounded scale as float; 0 for an absent token) in one 32-byte vector,
// then each token's 32 quants. Every load is 32-byte aligned when the tile
// is, and one block's scales for all tokens are one load.
constexpr int kQ8TileTokens = 8;
struct BlockQ8_0Tile {
    float d[kQ8TileTokens];
    int8_t qs[kQ8TileTokens][kQK8_0];
};
static_assert(sizeof(BlockQ8_0Tile) == 288, "Q8_0 tile block is 288 bytes");
inline size_t q8_0TileBytes(int64_t n) { return size_t(n / kQK8_0) * sizeof(BlockQ8_0Tile); }

// 256 weights in 8 groups of 32: x = d * sc[g] * q - dmin * m[g], q in 0..15,
// sc and m 6-bit, packed in `scales`. qs: 4 chunks of 32 bytes; chunk c holds
// group 2c in the low nibbles and group 2c+1 in the high nibbles.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block is 144 bytes");

// As Q4_K with a fifth bit per weight in qh (bit 2c for group 2c, 2c+1 for 2c+1).
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qh[kQK_K / 8];
    uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block is 176 bytes");

// 256 weights in 16 groups of 16: x = d * scales[g] * (q - 32), q 6-bit from
// 4 low bits in ql and 2 high bits in qh.
struct BlockQ6_K {
    uint8_t ql[kQK_K / 2];
    uint8_t qh[kQK_K / 4];
    int8_t scales[kQK_K / 16];
    uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block is 210 bytes");

// Activations for K-quant dot products: x = d * q, with the sum of each 16 q's.
struct BlockQ8_K {
    float d;
    int8_t qs[kQK_K];
    int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block is 292 bytes");

// The 6-bit scale and min of group j (0..7) of a Q4_K / Q5_K block.
inline void kQuantScaleMin(int j, const uint8_t* q, uint8_t* scale, uint8_t* min)
{
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// All 8 scales and 8 mins of a Q4_K / Q5_K block at once, with word
// operations instead of kQuantScaleMin's per-group branches: bytes 0-7 of
// `out` are scales 0-7, bytes 8-15 mins 0-7 (the same values; the bit moves
// follow ggml's unpacking of the 12-byte field). Little-endian words: the
// x86 kernels use it; the scalar reference keeps kQuantScaleMin.
inline void kQuantScalesMins(const uint8_t* q, uint8_t out[16])
{
    constexpr uint32_t low6 = 0x3f3f3f3f, low4 = 0x0f0f0f0f, low2 = 0x03030303;
    uint32_t w[3];
    std::memcpy(w, q, sizeof w); // w[0] = q0..q3, w[1] = q4..q7, w[2] = q8..q11
    const uint32_t r[4] = {
        w[0] & low6,                                        // scales 0-3: q[j] & 63
        (w[2] & low4) | (((w[0] >> 6) & low2) << 4),        // scales 4-7: q[j+4] & 15 | q[j-4] >> 6 << 4
        w[1] & low6,                                        // mins 0-3: q[j+4] & 63
        ((w[2] >> 4) & low4) | (((w[1] >> 6) & low2) << 4), // mins 4-7: q[j+4] >> 4 | q[j] >> 6 << 4
    };
    std::memcpy(out, r, sizeof r);
}

} // namespace bioforge::llm
