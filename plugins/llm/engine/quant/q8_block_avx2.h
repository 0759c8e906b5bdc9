#pragma once

// One 32-element block quantised to Q8_0 as x86 llama.cpp quantises
// activations (quantize_row_q8_0: multiplier 127 / amax, round half to even,
// the scale rounded to fp16), with AVX2: the bytes of the scalar
// quantizeActivationsQ8_0, NaN and infinities included (tst_vector_kernels).
// Only for translation units compiled with AVX2 and FMA.

#include "quant/half.h"

#include <immintrin.h>

#include <cstdint>

namespace bioforge::llm::avx2 {

struct QuantBlock {
    __m256i q;     // the 32 quants, in order
    uint16_t half; // the scale, fp16
    float d;       // the same scale, as float
};

inline QuantBlock quantizeQ8Block(const float* x)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 v[4];
    __m256 top = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
        v[i] = _mm256_loadu_ps(x + 8 * i);
        // MAXPS returns its second operand when either is NaN: a NaN element is skipped, as the
        // scalar std::max(amax, |x|) skips it.
        top = _mm256_max_ps(_mm256_and_ps(v[i], absMask), top);
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(top), _mm256_extractf128_ps(top, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float amax = _mm_cvtss_f32(m);
    const uint16_t half = floatToHalf(amax / 127.f);
    const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.f / amax : 0.0f);
    __m256i q[4];
    for (int i = 0; i < 4; ++i) {
        // Default rounding (MXCSR): nearest, ties to even, as std::nearbyint. A NaN product (a NaN
        // element, or an infinite one times the zero multiplier of an infinite maximum) is 0, as the
        // scalar conversion to int8 leaves it (CVTPS2DQ gives INT_MIN, which would saturate to -128).
        const __m256 s = _mm256_mul_ps(v[i], id);
        q[i] = _mm256_and_si256(_mm256_cvtps_epi32(s), _mm256_castps_si256(_mm256_cmp_ps(s, s, _CMP_ORD_Q)));
    }
    // |quant| <= 127: the saturating packs keep every value; they interleave 128-bit lanes, undone by the permutation.
    const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    return {_mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)), half, halfToFloat(half)};
}

} // namespace bioforge::llm::avx2
