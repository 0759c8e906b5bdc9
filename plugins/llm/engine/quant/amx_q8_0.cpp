// AMX tile products for Q8_0 (see amx_q8_0.h). Compiled with AMX-TILE,
// AMX-INT8 and AVX-512; called only on CPUs that have them (vec_dot.cpp).

#include "quant/amx_q8_0.h"

#include "quant/amx_tile_ops.h"
#include "quant/block_layouts.h"
#include "quant/q8_block_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace bioforge::llm::amx {
namespace {

constexpr size_t kBlockBytes = 512 + 64;


// acc[i] += float(sums[i]) · token scales · weight scale of row i.
inline void scaleInto(const int32_t (&sums)[16][16], const float* tokenScales, const float* rowScales, __m512 (&acc)[16])
{
    const __m512 dx = _mm512_load_ps(tokenScales);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
        acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(sums[i])), _mm512_mul_ps(dx, _mm512_set1_ps(rowScales[i])), acc[i]);
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
    if (blocks == 0 || groupCount == 0)
        return;
    const size_t groupBytes = q8GroupBytes(n);
    static const TileConfig config = tileConfig();
    _tile_loadconfig(&config);
    std::vector<float> rowScales(size_t(blocks) * 16); // [block][row], as floats
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
            runSteps(
                blocks, rowBytes,
                [&](int64_t b) {
                    // The next 16 rows, a share per step, so that their first touch is no stall.
                    for (int64_t l = prefetchStep * (g * blocks + b); l < std::min(prefetchLines, prefetchStep * (g * blocks + b + 1)); ++l)
                        _mm_prefetch(reinterpret_cast<const char*>(next + l * 64), _MM_HINT_T1);
                    return std::pair(w + b * sizeof(BlockQ8_0) + 2, a + b * kBlockBytes);
                },
                [&](int64_t b, const int32_t(&sums)[16][16]) {
                    scaleInto(sums, reinterpret_cast<const float*>(a + b * kBlockBytes + 512), &rowScales[size_t(b) * 16], acc);
                });
            storeTransposed(acc, y + g * kTileTokens * yStride + rb * 16, yStride, std::min<int64_t>(kTileTokens, nTokens - g * kTileTokens));
        }
    }
    _tile_release();
}

} // namespace bioforge::llm::amx
