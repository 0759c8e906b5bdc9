// AVX-512 siluMultiply and softmax (ops.h) with glibc's vector expf.
// Compiled with AVX-512 F; called only on CPUs that have it (CpuBackend, attendKernel).

#include "compute/ops.h"

#include <immintrin.h>

#include <cmath>

extern "C" __m512 _ZGVeN16v_expf(__m512); // libmvec: expf on 16 lanes (glibc ≥ 2.22)

namespace bioforge::llm::avx512 {

void siluMultiply(float* a, const float* b, int64_t n)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 x = _mm512_loadu_ps(a + i);
        const __m512 e = _ZGVeN16v_expf(_mm512_sub_ps(_mm512_setzero_ps(), x));
        _mm512_storeu_ps(a + i, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)), _mm512_loadu_ps(b + i)));
    }
    llm::siluMultiply(a + i, b + i, n - i);
}

void softmax(float* scores, int64_t n, float scale)
{
    const __m512 s = _mm512_set1_ps(scale);
    __m512 top = _mm512_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(scores + i), s);
        _mm512_storeu_ps(scores + i, v);
        top = _mm512_max_ps(top, v);
    }
    float max = _mm512_reduce_max_ps(top);
    for (int64_t j = i; j < n; ++j) {
        scores[j] *= scale;
        max = std::max(max, scores[j]);
    }
    // The sum in double, 16 lanes at a time (as ggml_vec_soft_max_f32).
    double sum = 0;
    const __m512 m = _mm512_set1_ps(max);
    for (i = 0; i + 16 <= n; i += 16) {
        const __m512 e = _ZGVeN16v_expf(_mm512_sub_ps(_mm512_loadu_ps(scores + i), m));
        _mm512_storeu_ps(scores + i, e);
        sum += double(_mm512_reduce_add_ps(e));
    }
    for (; i < n; ++i) {
        scores[i] = std::exp(scores[i] - max);
        sum += double(scores[i]);
    }
    const __m512 inv = _mm512_set1_ps(float(1.0 / sum));
    for (i = 0; i + 16 <= n; i += 16)
        _mm512_storeu_ps(scores + i, _mm512_mul_ps(_mm512_loadu_ps(scores + i), inv));
    for (; i < n; ++i)
        scores[i] *= float(1.0 / sum);
}

} // namespace bioforge::llm::avx512
