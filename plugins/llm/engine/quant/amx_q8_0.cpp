// AMX tile products for Q8_0 (see amx_q8_0.h). Compiled with AMX-TILE,
// AMX-INT8 and AVX-512; called only on CPUs that have them (vec_dot.cpp).

#include "quant/amx_q8_0.h"

#include "quant/block_layouts.h"
#include "quant/q8_block_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace bioforge::llm::amx {
namespace {

// LDTILECFG's 64-byte operand (palette 1).
struct alignas(64) TileConfig {
    uint8_t palette = 1;
    uint8_t startRow = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG takes 64 bytes");

// Tiles 0, 1: int32 sums (16 rows × 16 tokens); 2, 3: weights (16 rows × 32
// bytes); 4, 5: activations (8 rows × 64 bytes: 32 quants of 16 tokens).
// Two of each so that one block's product runs while the previous one's sums
// are scaled.
TileConfig tileConfig()
{
    TileConfig c;
    for (int t : {0, 1}) {
        c.rows[t] = 16;
        c.colsb[t] = 64;
    }
    for (int t : {2, 3}) {
        c.rows[t] = 16;
        c.colsb[t] = 32;
    }
    for (int t : {4, 5}) {
        c.rows[t] = 8;
        c.colsb[t] = 64;
    }
    return c;
}

constexpr size_t kBlockBytes = 512 + 64;

// acc[i] += float(sums[i]) · token scales · weight scale of row i.
inline void scaleInto(const int32_t (&sums)[16][16], const float* tokenScales, const float* rowScales, __m512 (&acc)[16])
{
    const __m512 dx = _mm512_load_ps(tokenScales);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
        acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(sums[i])), _mm512_mul_ps(dx, _mm512_set1_ps(rowScales[i])), acc[i]);
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

} // namespace

void packQ8Group(const float* x, int64_t n, int count, void* dst)
{
    auto* out = static_cast<uint8_t*>(dst);
    std::memset(out, 0, q8GroupBytes(n));
    alignas(32) int8_t q[32];
    for (int t = 0; t < count; ++t)
        for (int64_t b = 0; b < n / 32; ++b) {
            const avx512::QuantBlock block = avx512::quantizeQ8Block(x + t * n + b * 32);
            _mm256_store_si256(reinterpret_cast<__m256i*>(q), block.q);
            uint8_t* chunk = out + b * kBlockBytes;
            for (int r = 0; r < 8; ++r)
                std::memcpy(chunk + r * 64 + t * 4, q + 4 * r, 4);
            reinterpret_cast<float*>(chunk + 512)[t] = block.d;
        }
}

void productQ8_0(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride)
{
    const int64_t blocks = n / 32, groupCount = (nTokens + kTileTokens - 1) / kTileTokens;
    const size_t groupBytes = q8GroupBytes(n);
    static const TileConfig config = tileConfig();
    _tile_loadconfig(&config);
    std::vector<float> rowScales(size_t(blocks) * 16); // [block][row], as floats
    alignas(64) int32_t sums[2][16][16];
    for (int64_t rb = 0; rb < rowBlocks; ++rb) {
        const uint8_t* w = rows + size_t(rb) * 16 * rowBytes;
        const uint8_t* next = w + 16 * rowBytes;
        const int64_t prefetchLines = rb + 1 < rowBlocks ? int64_t(16 * rowBytes + 63) / 64 : 0;
        const int64_t prefetchStep = (prefetchLines + blocks * groupCount - 1) / (blocks * groupCount);
        for (int64_t b = 0; b < blocks; ++b)
            for (int i = 0; i < 16; ++i) {
                uint16_t d;
                std::memcpy(&d, w + i * rowBytes + b * sizeof(BlockQ8_0), 2);
                rowScales[size_t(b) * 16 + i] = _cvtsh_ss(d);
            }
        for (int64_t g = 0; g < groupCount; ++g) {
            const uint8_t* a = groups + size_t(g) * groupBytes;
            __m512 acc[16];
            for (__m512& v : acc)
                v = _mm512_setzero_ps();
            // A software pipeline two blocks deep: block b's product is issued while block b - 1's
            // sums are stored and block b - 2's (stored one step earlier, so the vector loads do not
            // wait for the tile store) are scaled into the accumulators.
            for (int64_t b = 0; b < blocks + 2; ++b) {
                if (b < blocks) {
                    const uint8_t* wq = w + b * sizeof(BlockQ8_0) + 2;
                    b % 2 == 0 ? issue<0>(wq, rowBytes, a + b * kBlockBytes) : issue<1>(wq, rowBytes, a + b * kBlockBytes);
                    // The next 16 rows, a share per step, so that their first touch is no stall.
                    for (int64_t l = prefetchStep * (g * blocks + b); l < std::min(prefetchLines, prefetchStep * (g * blocks + b + 1)); ++l)
                        _mm_prefetch(reinterpret_cast<const char*>(next + l * 64), _MM_HINT_T1);
                }
                if (b >= 1 && b - 1 < blocks)
                    (b - 1) % 2 == 0 ? store<0>(sums[0]) : store<1>(sums[1]);
                if (b >= 2)
                    scaleInto(sums[b % 2], reinterpret_cast<const float*>(a + (b - 2) * kBlockBytes + 512), &rowScales[size_t(b - 2) * 16], acc);
            }
            transpose16(acc);
            const int64_t tokens = std::min<int64_t>(kTileTokens, nTokens - g * kTileTokens);
            for (int64_t t = 0; t < tokens; ++t)
                _mm512_storeu_ps(y + (g * kTileTokens + t) * yStride + rb * 16, acc[t]);
        }
    }
    _tile_release();
}

} // namespace bioforge::llm::amx
