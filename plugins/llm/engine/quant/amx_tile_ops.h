#pragma once

// Tile operations shared by the AMX products (amx_q8_0.cpp, amx_q4_k.cpp):
// the tile configuration, one block's tile product, the store of its int32
// sums, and the register transpose of the float results. Include only from
// translation units compiled with AMX-TILE, AMX-INT8 and AVX-512.

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>

namespace bioforge::llm::amx {

// LDTILECFG's 64-byte operand (palette 1).
struct alignas(64) TileConfig {
    uint8_t palette = 1;
    uint8_t startRow = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG takes 64 bytes");

// Tiles 0, 1: int32 sums (16 rows × 16 tokens); 2, 3: weights (16 rows ×
// kBytes: one block of 32, or Q6_K's group of 16); 4, 5: activations
// (kBytes / 4 rows × 64 bytes: kBytes quants of 16 tokens). Two of each so
// that one block's product runs while the previous one's sums are scaled.
inline TileConfig tileConfig(int kBytes = 32)
{
    TileConfig c;
    for (int t : {0, 1}) {
        c.rows[t] = 16;
        c.colsb[t] = 64;
    }
    for (int t : {2, 3}) {
        c.rows[t] = 16;
        c.colsb[t] = uint16_t(kBytes);
    }
    for (int t : {4, 5}) {
        c.rows[t] = uint8_t(kBytes / 4);
        c.colsb[t] = 64;
    }
    return c;
}

// r[i][j] -> r[j][i] for a 16 × 16 float matrix held in 16 registers: the
// accumulators hold rows × tokens, y wants tokens × rows.
inline void transpose16(__m512 (&r)[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    const auto lo = [](__m512 a, __m512 b) { return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b))); };
    const auto hi = [](__m512 a, __m512 b) { return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b))); };
    for (int i = 0; i < 16; i += 4) {
        r[i] = lo(t[i], t[i + 2]);
        r[i + 1] = hi(t[i], t[i + 2]);
        r[i + 2] = lo(t[i + 1], t[i + 3]);
        r[i + 3] = hi(t[i + 1], t[i + 3]);
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; ++i) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
            t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
        }
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    }
}

// Block products alternate between tiles (0, 2, 4) and (1, 3, 5). The tile
// intrinsics take their tile numbers as literal immediates (GCC pastes them
// into the assembly text), hence the two spelled-out forms.
template <int P>
inline void issue(const uint8_t* weights, size_t rowBytes, const uint8_t* activations)
{
    if constexpr (P == 0) {
        _tile_zero(0);
        _tile_loadd(2, weights, long(rowBytes));
        _tile_loadd(4, activations, 64);
        _tile_dpbssd(0, 2, 4);
    } else {
        _tile_zero(1);
        _tile_loadd(3, weights, long(rowBytes));
        _tile_loadd(5, activations, 64);
        _tile_dpbssd(1, 3, 5);
    }
}

template <int P>
inline void store(int32_t (&sums)[16][16])
{
    if constexpr (P == 0)
        _tile_stored(0, sums, 64);
    else
        _tile_stored(1, sums, 64);
}

// One 16-row block against one group of 16 tokens, `steps` tile products
// deep, as a software pipeline two steps deep: step u's product is issued
// while step u − 1's sums are stored and step u − 2's (stored one step
// earlier, so the vector loads never wait for the tile store) are handed to
// consume(u − 2, sums). operands(u) gives step u's weight and activation tile
// addresses (it may prefetch); weightStride is the weights' row stride.
template <class Operands, class Consume>
inline void runSteps(int64_t steps, size_t weightStride, Operands operands, Consume consume)
{
    alignas(64) int32_t sums[2][16][16];
    for (int64_t u = 0; u < steps + 2; ++u) {
        if (u < steps) {
            const auto [weights, activations] = operands(u);
            u % 2 == 0 ? issue<0>(weights, weightStride, activations) : issue<1>(weights, weightStride, activations);
        }
        if (u >= 1 && u - 1 < steps)
            (u - 1) % 2 == 0 ? store<0>(sums[0]) : store<1>(sums[1]);
        if (u >= 2)
            consume(u - 2, sums[u % 2]);
    }
}

// Writes accumulators of 16 rows × 16 tokens as `tokens` rows of y (tokens × rows, row stride yStride).
inline void storeTransposed(__m512 (&acc)[16], float* y, int64_t yStride, int64_t tokens)
{
    transpose16(acc);
    for (int64_t t = 0; t < tokens; ++t)
        _mm512_storeu_ps(y + t * yStride, acc[t]);
}

} // namespace bioforge::llm::amx
