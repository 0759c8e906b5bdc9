#include "model/int8_kernels.h"

#include "model/gelu_kernels.h"

#include <algorithm>
#include <cmath>

namespace bioforge::viral {

#if defined(__x86_64__)
// int8_kernels_avx512.cpp (compiled with AVX-512 enabled).
RowRange rowRangeAvx512(const float* x, size_t n);
void quantizeRowAvx512(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels);
void int8EpilogueAvx512(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums,
                        const float* bias);
void layerNormRowAvx512(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps);
void addRowAvx512(const float* a, const float* b, float* y, size_t n);
#endif

bool int8VectorKernels()
{
#if defined(__x86_64__)
    static const bool has = geluVectorKernels() && __builtin_cpu_supports("avx512vl"); // GELU's AVX-512 F, BW, DQ, and VL
    return has;
#else
    return false;
#endif
}

RowRange rowRangeReference(const float* x, size_t n)
{
    RowRange r{x[0], x[0], true};
    float nonFinite = 0; // x − x: 0 for a finite x, NaN for ±inf and NaN
    for (size_t i = 0; i < n; ++i) {
        r.lo = x[i] < r.lo ? x[i] : r.lo;
        r.hi = x[i] > r.hi ? x[i] : r.hi;
        nonFinite += x[i] - x[i];
    }
    r.finite = nonFinite == 0;
    return r;
}

void quantizeRowReference(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels)
{
    for (size_t i = 0; i < n; ++i) {
        float v = (x[i] - lo) * inverseStep;
        v = v > 0 ? v : 0; // NaN → 0
        v = v < levels ? v : levels;
        q[i] = uint8_t(std::nearbyint(v)); // the current rounding mode: to nearest, ties to even
    }
}

void int8EpilogueReference(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums,
                           const float* bias)
{
    // product and y may be one buffer: each int32 is read before its float is written (the loop's
    // data dependence), and no element is read after another's write.
    for (size_t i = 0; i < n; ++i) {
        const float scaled = step * (scales[i] * float(product[i]));
        const float offset = lo * rowSums[i] + (bias ? bias[i] : 0.0f);
        y[i] = scaled + offset;
    }
}

namespace {
// The 16 lanes' sums added pairwise: lane l + 8, then + 4, + 2, + 1 (int8_kernels.h).
float laneTree(float* lanes)
{
    for (int width = 8; width >= 1; width /= 2)
        for (int l = 0; l < width; ++l)
            lanes[l] = lanes[l] + lanes[l + width];
    return lanes[0];
}
} // namespace

void layerNormRowReference(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps)
{
    float lanes[16] = {};
    for (size_t i = 0; i < n; ++i)
        lanes[i % 16] += x[i];
    const float mean = laneTree(lanes) / float(n);
    std::fill_n(lanes, 16, 0.0f);
    for (size_t i = 0; i < n; ++i) {
        const float d = x[i] - mean;
        lanes[i % 16] = std::fma(d, d, lanes[i % 16]);
    }
    const float rstd = 1.0f / std::sqrt(laneTree(lanes) / float(n) + eps);
    for (size_t i = 0; i < n; ++i)
        y[i] = std::fma((x[i] - mean) * rstd, gamma[i], beta[i]);
}

RowRange rowRange(const float* x, size_t n)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return rowRangeAvx512(x, n);
#endif
    return rowRangeReference(x, n);
}

void quantizeRow(const float* x, uint8_t* q, size_t n, float lo, float inverseStep, float levels)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return quantizeRowAvx512(x, q, n, lo, inverseStep, levels);
#endif
    quantizeRowReference(x, q, n, lo, inverseStep, levels);
}

void int8Epilogue(const int32_t* product, float* y, size_t n, float step, float lo, const float* scales, const float* rowSums, const float* bias)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return int8EpilogueAvx512(product, y, n, step, lo, scales, rowSums, bias);
#endif
    int8EpilogueReference(product, y, n, step, lo, scales, rowSums, bias);
}

} // namespace bioforge::viral

namespace bioforge::viral {

void layerNormRow(const float* x, float* y, size_t n, const float* gamma, const float* beta, float eps)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return layerNormRowAvx512(x, y, n, gamma, beta, eps);
#endif
    layerNormRowReference(x, y, n, gamma, beta, eps);
}

void addRow(const float* a, const float* b, float* y, size_t n)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return addRowAvx512(a, b, y, n);
#endif
    for (size_t i = 0; i < n; ++i)
        y[i] = a[i] + b[i];
}

} // namespace bioforge::viral
