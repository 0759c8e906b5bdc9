// The AVX-512 GELU kernels of gelu_kernels.h (this file is compiled with -mavx512f -mavx512bw
// -mavx512dq -mavx512vl; gelu_kernels.cpp calls it only where the CPU has them).
#include "model/gelu_kernels.h"

#include <immintrin.h>

#include <cstdint>
#include <numbers>

extern "C" __m512 _ZGVeN16v_erff(__m512); // libmvec: erff on 16 lanes (glibc ≥ 2.35)

namespace bioforge::viral {

namespace {

constexpr float kSqrtHalf = std::numbers::sqrt2_v<float> / 2; // 1/√2

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

inline __m512 gelu16(__m512 x)
{
    const __m512 e = _ZGVeN16v_erff(_mm512_mul_ps(x, _mm512_set1_ps(kSqrtHalf)));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

} // namespace

void geluFloatAvx512(const float* a, const float* b, float* y, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(int64_t(n - i));
        __m512 g = gelu16(_mm512_maskz_loadu_ps(m, a + i));
        if (b)
            g = _mm512_mul_ps(g, _mm512_maskz_loadu_ps(m, b + i));
        _mm512_mask_storeu_ps(y + i, m, g);
    }
}

void geluBFloat16Avx512(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(int64_t(n - i));
        __m512 g = gelu16(loadBf16(a + i, m));
        if (b)
            g = _mm512_mul_ps(g, loadBf16(b + i, m));
        _mm256_mask_storeu_epi16(y + i, m, toBf16(g));
    }
}

} // namespace bioforge::viral
