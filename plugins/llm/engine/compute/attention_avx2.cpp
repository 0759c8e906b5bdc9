// AVX2 + FMA form of attend() (attention_kernels.h). Only called when the
// CPU has them.

#include "compute/attention_kernels.h"
#include "compute/ops.h"

#include <immintrin.h>

#include <algorithm>

namespace bioforge::llm::avx2 {
namespace {

inline float hsum(__m256 v)
{
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// Lane j = the sum of v[j]'s lanes.
inline __m256 reduce8(const __m256 v[8])
{
    const __m256 t0 = _mm256_hadd_ps(v[0], v[1]), t1 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 t2 = _mm256_hadd_ps(v[4], v[5]), t3 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

float dot(const float* a, const float* b, int64_t n)
{
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    return hsum(acc);
}

// out[0..64) += Σ p_j v_j[offset..offset+64), with the 64 outputs in registers.
void accumulate64(const float* p, const float* values, int64_t stride, int64_t visible, float* out)
{
    __m256 acc[8];
    for (int c = 0; c < 8; ++c)
        acc[c] = _mm256_loadu_ps(out + 8 * c);
    for (int64_t j = 0; j < visible; ++j) {
        const __m256 pj = _mm256_broadcast_ss(p + j);
        const float* v = values + j * stride;
#pragma GCC unroll 8
        for (int c = 0; c < 8; ++c)
            acc[c] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(v + 8 * c), acc[c]);
    }
    for (int c = 0; c < 8; ++c)
        _mm256_storeu_ps(out + 8 * c, acc[c]);
}

} // namespace

void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out)
{
    attendWith(softmax, q, keys, values, stride, visible, headSize, scale, scores, out);
}

void attendWith(SoftmaxFn softmaxFn, const float* q, const float* keys, const float* values, int64_t stride, int64_t visible,
                int64_t headSize, float scale, float* scores, float* out)
{
    if (headSize % 64 != 0) {
        ref::attend(q, keys, values, stride, visible, headSize, scale, scores, out);
        return;
    }
    // Scores, eight keys per step: eight dot products reduced together.
    int64_t j = 0;
    for (; j + 8 <= visible; j += 8) {
        __m256 acc[8];
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k)
            acc[k] = _mm256_setzero_ps();
        for (int64_t i = 0; i < headSize; i += 8) {
            const __m256 qi = _mm256_loadu_ps(q + i);
#pragma GCC unroll 8
            for (int k = 0; k < 8; ++k)
                acc[k] = _mm256_fmadd_ps(qi, _mm256_loadu_ps(keys + (j + k) * stride + i), acc[k]);
        }
        _mm256_storeu_ps(scores + j, reduce8(acc));
    }
    for (; j < visible; ++j)
        scores[j] = dot(q, keys + j * stride, headSize);
    softmaxFn(scores, visible, scale);
    for (int64_t offset = 0; offset < headSize; offset += 64) {
        std::fill(out + offset, out + offset + 64, 0.0f);
        accumulate64(scores, values + offset, stride, visible, out + offset);
    }
}

} // namespace bioforge::llm::avx2
