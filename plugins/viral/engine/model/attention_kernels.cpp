#include "model/attention_kernels.h"

#include "model/int8_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace bioforge::viral {

#if defined(__x86_64__)
void attendHeadAvx512(const AttentionProblem& p, int64_t b, int64_t h); // attention_kernels_avx512.cpp
#endif

// y = x·cos + rotate_half(x)·sin over D = 2·half values, rotate_half(x) = [−x2, x1] (RoFormer's
// rotation as ESM-2 applies it; c and s are the position's rows of the tables). Both kernels' one.
void rotateRow(const float* x, const float* c, const float* s, float* y, int64_t D)
{
    const int64_t half = D / 2;
    for (int64_t i = 0; i < half; ++i) {
        y[i] = x[i] * c[i] - x[i + half] * s[i];
        y[i + half] = x[i + half] * c[i + half] + x[i] * s[i + half];
    }
}

void attendHeadReference(const AttentionProblem& p, int64_t b, int64_t h)
{
    const int64_t T = p.tokens, D = p.headSize;
    const float* q = p.q + b * p.in.batch + h * p.in.head;
    const float* k = p.k + b * p.in.batch + h * p.in.head;
    const float* v = p.v + b * p.in.batch + h * p.in.head;
    const uint8_t* padding = p.keyPadding ? p.keyPadding + b * T : nullptr;
    const float slope = p.slopes ? p.slopes[h] : 0.0f;
    std::vector<float> e(size_t(T), 0.0f);
    std::vector<float> acc(size_t(D), 0.0f);
    // q and k rows, rotated where the problem has rotary tables (x·cos + rotate_half(x)·sin)
    std::vector<float> qi(size_t(D), 0.0f);
    std::vector<float> kj(size_t(D), 0.0f);
    auto row = [&](const float* x, int64_t t, std::vector<float>& y) -> const float* {
        if (!p.cos)
            return x + t * p.in.token;
        rotateRow(x + t * p.in.token, p.cos + t * D, p.sin + t * D, y.data(), D);
        return y.data();
    };
    std::vector<float> keys; // rotated k rows [T, D], once (rotary tables only)
    if (p.cos) {
        keys.resize(size_t(T * D));
        for (int64_t j = 0; j < T; ++j)
            std::copy_n(row(k, j, kj), D, keys.data() + j * D);
    }
    for (int64_t i = 0; i < T; ++i) {
        float* y = p.out + b * p.outLayout.batch + i * p.outLayout.token + h * p.outLayout.head;
        float m = -std::numeric_limits<float>::infinity();
        bool anyKey = false;
        const float* qRow = row(q, i, qi);
        for (int64_t j = 0; j < T; ++j) {
            if (padding && padding[j])
                continue;
            const float* kRow = p.cos ? keys.data() + j * D : k + j * p.in.token;
            float dot = 0;
            for (int64_t d = 0; d < D; ++d)
                dot = std::fma(qRow[d], kRow[d], dot);
            e[size_t(j)] = p.scale * dot - slope * float(std::abs(i - j));
            m = std::fmax(m, e[size_t(j)]); // NaN left out here; it makes its exp, and so the row, NaN
            anyKey = true;
        }
        if (!anyKey) {
            std::fill(y, y + D, std::numeric_limits<float>::quiet_NaN());
            continue;
        }
        float sum = 0;
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int64_t j = 0; j < T; ++j) {
            if (padding && padding[j])
                continue;
            const float w = std::exp(e[size_t(j)] - m);
            sum += w;
            for (int64_t d = 0; d < D; ++d)
                acc[size_t(d)] = std::fma(w, v[j * p.in.token + d], acc[size_t(d)]);
        }
        const float inverse = 1.0f / sum;
        for (int64_t d = 0; d < D; ++d)
            y[d] = acc[size_t(d)] * inverse;
    }
}

void attendHead(const AttentionProblem& p, int64_t b, int64_t h)
{
#if defined(__x86_64__)
    if (int8VectorKernels())
        return attendHeadAvx512(p, b, h);
#endif
    attendHeadReference(p, b, h);
}

} // namespace bioforge::viral
