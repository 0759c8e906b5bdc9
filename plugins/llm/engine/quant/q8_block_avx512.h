#pragma once

// One 32-element block quantised to Q8_0 as x86 llama.cpp quantises
// activations (quantize_row_q8_0: multiplier 127 / amax, round half to even,
// the scale rounded to fp16). Only for translation units compiled with
// AVX-512 F/BW/VL (and F16C); shared by the packed-pair and AMX layouts so
// both hold exactly the values of the scalar quantizeActivationsQ8_0.

#include <immintrin.h>

namespace bioforge::llm::avx512 {

struct QuantBlock {
    __m256i q; // 32 signed quants
    float d;   // the fp16-rounded scale, as float
};

inline QuantBlock quantizeQ8Block(const float* x)
{
    const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(a), _mm512_abs_ps(b)));
    const uint16_t half = _cvtss_sh(amax / 127.f, _MM_FROUND_TO_NEAREST_INT);
    const __m512 id = _mm512_set1_ps(amax != 0.0f ? 127.f / amax : 0.0f);
    // Default rounding (MXCSR): nearest, ties to even.
    const __m128i qa = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(a, id)));
    const __m128i qb = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(b, id)));
    return {_mm256_set_m128i(qb, qa), _cvtsh_ss(half)};
}

} // namespace bioforge::llm::avx512
