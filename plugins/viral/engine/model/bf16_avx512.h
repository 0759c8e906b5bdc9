#pragma once

// bfloat16 ↔ float32 on 16 lanes, shared by the AVX-512 translation units of
// the encoders (gelu_kernels_avx512.cpp, bf16_gemm_amx.cpp). Include only
// from files compiled with AVX-512 F, BW and VL.

#include <immintrin.h>

#include <cstdint>

namespace bioforge::viral::avx512 {

inline __mmask16 tailMask(int64_t left) { return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1); }

inline __m512 loadBf16(const uint16_t* p, __mmask16 m)
{
    const __m256i h = _mm256_maskz_loadu_epi16(m, p);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// Round to nearest even, (u + 0x7FFF + lsb) >> 16; NaN → 0x7FC0 / 0xFFC0 (roundToBFloat16,
// c10's rule).
inline __m256i toBf16(__m512 x)
{
    const __m512i u = _mm512_castps_si512(x);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    const __m512i quiet = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x8000)), _mm512_set1_epi32(0x7FC0));
    r = _mm512_mask_mov_epi32(r, nan, quiet);
    return _mm512_cvtepi32_epi16(r);
}

} // namespace bioforge::viral::avx512
