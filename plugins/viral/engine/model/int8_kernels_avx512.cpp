// The AVX-512 versions of int8_kernels.h (this file is compiled with -mavx512f/bw/dq and
// -ffp-contract=off, so each product and sum rounds as in the scalar references).

#include "model/int8_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cmath>

namespace bioforge::viral {

namespace {
__mmask16 tailMask(size_t left) { return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u); }
} // namespace

RowRange rowRangeAvx512(const float* x, size_t n)
{
    const __m512 first = _mm512_set1_ps(x[0]);
    __m512 lo = first, hi = first, nonFinite = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 v = _mm512_mask_loadu_ps(first, m, x + i); // lanes past the end: x[0]
        lo = _mm512_min_ps(lo, v);
        hi = _mm512_max_ps(hi, v);
        nonFinite = _mm512_add_ps(nonFinite, _mm512_sub_ps(v, v));
    }
    return {_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi), _mm512_reduce_add_ps(nonFinite) == 0};
}

void quantizeRowAvx512(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels)
{
    const __m512 l = _mm512_set1_ps(lo), inv = _mm512_set1_ps(inverseStep), top = _mm512_set1_ps(levels), zero = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), l), inv);
        v = _mm512_min_ps(_mm512_max_ps(v, zero), top); // max(v, 0) returns 0 for NaN (its second operand)
        _mm_mask_storeu_epi8(q + i, m, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v))); // to nearest, ties to even
    }
}

void int8EpilogueAvx512(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums,
                        const float* bias)
{
    const __m512 s = _mm512_set1_ps(step), l = _mm512_set1_ps(lo);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 p = _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m, product + i));
        const __m512 scaled = _mm512_mul_ps(s, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scales + i), p));
        __m512 offset = _mm512_mul_ps(l, _mm512_maskz_loadu_ps(m, rowSums + i));
        offset = _mm512_add_ps(offset, bias ? _mm512_maskz_loadu_ps(m, bias + i) : _mm512_setzero_ps());
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(scaled, offset));
    }
}

void layerNormRowAvx512(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps)
{
    // Lane l of the accumulators holds the reference's lanes[l]; the tree adds lane l + w to l.
    auto tree = [](__m512 v) {
        alignas(64) float lanes[16];
        _mm512_store_ps(lanes, v);
        for (int width = 8; width >= 1; width /= 2)
            for (int l = 0; l < width; ++l)
                lanes[l] = lanes[l] + lanes[l + width];
        return lanes[0];
    };
    __m512 sum = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16)
        sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tailMask(n - i), x + i)); // lanes past the end add 0
    const float mean = tree(sum) / float(n);
    const __m512 mu = _mm512_set1_ps(mean);
    __m512 squares = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + i), mu); // 0 past the end
        squares = _mm512_fmadd_ps(d, d, squares);
    }
    const __m512 r = _mm512_set1_ps(1.0f / std::sqrt(tree(squares) / float(n) + eps));
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 scaled = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), mu), r);
        _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(scaled, _mm512_maskz_loadu_ps(m, gamma + i), _mm512_maskz_loadu_ps(m, beta + i)));
    }
}

void addRowAvx512(const float* a, const float* b, float* y, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i)));
    }
}

} // namespace bioforge::viral
#endif
