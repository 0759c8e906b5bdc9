// AVX-512 form of quantizeActivationsQ8_K (llama.cpp's quantize_row_q8_K):
// the same bytes as the scalar version — the scale from the first element of
// largest magnitude (its sign included), quants rounded half to even, the
// sums of 16. Prompt processing quantises every K-quant product's
// activations; the scalar loop was 15 % of a Q4_K_M prompt on AMX tiles.
// Only called when the CPU has AVX-512 (vec_dot.cpp); tests compare it byte for byte.

#include "quant/block_layouts.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

#include <cstring>

namespace bioforge::llm::avx512 {

void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ8_K*>(dst);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const float* x = src + b * kQK_K;
        BlockQ8_K& y = blocks[b];
        __m512 v[16];
        __m512 top = _mm512_setzero_ps();
        for (int i = 0; i < 16; ++i) {
            v[i] = _mm512_loadu_ps(x + 16 * i);
            top = _mm512_max_ps(_mm512_abs_ps(v[i]), top); // a NaN lane gives `top` (MAXPS returns the second operand): skipped, as the scalar's `>`
        }
        const float amax = _mm512_reduce_max_ps(top);
        if (amax == 0) {
            std::memset(&y, 0, sizeof y);
            continue;
        }
        float max = 0;
        for (int i = 0; i < 16; ++i)
            if (const __mmask16 hit = _mm512_cmpeq_ps_mask(_mm512_abs_ps(v[i]), _mm512_set1_ps(amax))) {
                max = x[16 * i + __builtin_ctz(hit)];
                break;
            }
        const float iscale = -127.f / max;
        const __m512 scale = _mm512_set1_ps(iscale);
        const __m512i limit = _mm512_set1_epi32(127);
        for (int i = 0; i < 16; ++i) {
            // Default rounding (MXCSR): nearest, ties to even, as nearestInt.
            // A NaN lane (NaN input, or ±inf times the zero scale of an infinite maximum) is 0, as
            // the scalar nearestInt makes it (CVTPS2DQ gives INT_MIN: its low byte is 0 and the
            // 16-bit group sum wraps back, but the int32 lanes should not rely on that).
            const __m512 scaled = _mm512_mul_ps(v[i], scale);
            const __m512i q = _mm512_maskz_min_epi32(_mm512_cmp_ps_mask(scaled, scaled, _CMP_ORD_Q), _mm512_cvtps_epi32(scaled), limit);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(y.qs + 16 * i), _mm512_cvtepi32_epi8(q));
            y.bsums[i] = int16_t(_mm512_reduce_add_epi32(q));
        }
        y.d = 1 / iscale;
    }
}

} // namespace bioforge::llm::avx512
