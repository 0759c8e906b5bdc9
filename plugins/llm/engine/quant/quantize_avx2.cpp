// AVX2 forms of the activation quantisation of x86 llama.cpp (quantize_row_q8_0,
// quantize_row_q8_K): the bytes of the scalar quantizeActivationsQ8_0 (in
// ggml's BlockQ8_0 rows and in the tiles of the AVX2 batched kernels) and
// quantizeActivationsQ8_K. The scalar loops were ~5 % of a Q8_0 prompt and
// ~8 % of a Q4_K_M prompt on a Zen 3 (perf).
// Only called when the CPU has AVX2 (vec_dot.cpp); tests compare the bytes.

#include "quant/block_layouts.h"
#include "quant/q8_block_avx2.h"
#include "quant/vec_dot.h"

#include <cstring>

namespace bioforge::llm::avx2 {

void quantizeActivationsQ8_0(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const QuantBlock q = quantizeQ8Block(src + b * kQK8_0);
        blocks[b].d = q.half;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(blocks[b].qs), q.q);
    }
}

void quantizeActivationsQ8_0Tile(const float* src, int64_t n, int tokens, void* dst)
{
    auto* tile = static_cast<BlockQ8_0Tile*>(dst);
    const int64_t blocks = n / kQK8_0;
    for (int j = 0; j < kQ8TileTokens; ++j)
        for (int64_t b = 0; b < blocks; ++b) {
            if (j >= tokens) { // absent tokens: zero scale and quants
                tile[b].d[j] = 0.0f;
                std::memset(tile[b].qs[j], 0, kQK8_0);
                continue;
            }
            const QuantBlock q = quantizeQ8Block(src + j * n + b * kQK8_0);
            tile[b].d[j] = q.d;
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile[b].qs[j]), q.q);
        }
}

// llama.cpp's quantize_row_q8_K with AVX2: the scale from the first element of
// largest magnitude (its sign included), quants rounded half to even and
// capped at 127, the sums of 16; the bytes of the scalar quantizeActivationsQ8_K
// (a NaN element is skipped in the maximum and quantised to 0, as there).
void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256i limit = _mm256_set1_epi32(127);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    auto* blocks = static_cast<BlockQ8_K*>(dst);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const float* x = src + b * kQK_K;
        BlockQ8_K& y = blocks[b];
        __m256 top = _mm256_setzero_ps();
        for (int i = 0; i < kQK_K / 8; ++i)
            top = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + 8 * i), absMask), top); // NaN: `top` kept
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(top), _mm256_extractf128_ps(top, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float amax = _mm_cvtss_f32(m);
        if (amax == 0) {
            std::memset(&y, 0, sizeof y);
            continue;
        }
        float max = 0;
        for (int i = 0; i < kQK_K / 8; ++i) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + 8 * i), absMask), _mm256_set1_ps(amax), _CMP_EQ_OQ));
            if (hit != 0) {
                max = x[8 * i + __builtin_ctz(unsigned(hit))];
                break;
            }
        }
        const float iscale = -127.f / max;
        const __m256 scale = _mm256_set1_ps(iscale);
        for (int c = 0; c < kQK_K / 32; ++c) { // 32 elements: groups 2c and 2c + 1
            __m256i q[4];
            for (int i = 0; i < 4; ++i) {
                // Default rounding (MXCSR): nearest, ties to even, as nearestInt; NaN → 0 as there.
                const __m256 s = _mm256_mul_ps(_mm256_loadu_ps(x + 32 * c + 8 * i), scale);
                q[i] = _mm256_min_epi32(_mm256_and_si256(_mm256_cvtps_epi32(s), _mm256_castps_si256(_mm256_cmp_ps(s, s, _CMP_ORD_Q))), limit);
            }
            const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(y.qs + 32 * c), _mm256_permutevar8x32_epi32(packed, order));
            const __m256i g0 = _mm256_add_epi32(q[0], q[1]), g1 = _mm256_add_epi32(q[2], q[3]);
            __m128i s = _mm_hadd_epi32(_mm_add_epi32(_mm256_castsi256_si128(g0), _mm256_extracti128_si256(g0, 1)),
                                       _mm_add_epi32(_mm256_castsi256_si128(g1), _mm256_extracti128_si256(g1, 1)));
            s = _mm_hadd_epi32(s, s); // the two groups' sums in elements 0 and 1
            y.bsums[2 * c] = int16_t(_mm_cvtsi128_si32(s));
            y.bsums[2 * c + 1] = int16_t(_mm_extract_epi32(s, 1));
        }
        y.d = 1 / iscale;
    }
}

} // namespace bioforge::llm::avx2
