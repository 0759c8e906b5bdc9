#include "compute/ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bioforge::llm {

void rmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out)
{
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += double(x[i] * x[i]);
    const float mean = float(sum / double(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int64_t i = 0; i < n; ++i)
        out[i] = (x[i] * scale) * weight[i];
}

void siluMultiply(float* a, const float* b, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        a[i] = a[i] / (1.0f + std::exp(-a[i])) * b[i];
}

void addInPlace(float* x, const float* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        x[i] += y[i];
}

void softmax(float* scores, int64_t n, float scale)
{
    float max = -INFINITY;
    for (int64_t i = 0; i < n; ++i) {
        scores[i] *= scale;
        max = std::max(max, scores[i]);
    }
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float e = std::exp(scores[i] - max);
        scores[i] = e;
        sum += double(e);
    }
    const float inv = float(1.0 / sum);
    for (int64_t i = 0; i < n; ++i)
        scores[i] *= inv;
}

void ropeYarnCorrectionDims(int dims, int originalContext, float freqBase, float betaFast, float betaSlow, float out[2])
{
    auto corrDim = [&](float rotations) {
        return float(dims) * std::log(float(originalContext) / (rotations * 2.0f * float(M_PI))) / (2.0f * std::log(freqBase));
    };
    out[0] = std::max(0.0f, std::floor(corrDim(betaFast)));
    out[1] = std::min(float(dims - 1), std::ceil(corrDim(betaSlow)));
}

void applyRope(float* x, int heads, int headSize, float pos, const RopeParams& p)
{
    const float thetaScale = std::pow(p.freqBase, -2.0f / float(p.dims));
    // cos/sin per pair, with theta advanced by repeated multiplication as ggml does.
    std::vector<float> cosines(size_t(p.dims / 2)), sines(size_t(p.dims / 2));
    float thetaBase = pos;
    for (int i0 = 0; i0 < p.dims; i0 += 2) {
        const float factor = p.freqFactors ? p.freqFactors[i0 / 2] : 1.0f;
        const float thetaExtrap = thetaBase / factor;
        const float thetaInterp = p.freqScale * thetaExtrap;
        float theta = thetaInterp;
        float mscale = p.rotationOnly ? 1.0f : p.attnFactor;
        if (p.extFactor != 0.0f) {
            const float y = (float(i0 / 2) - p.correctionDims[0]) / std::max(0.001f, p.correctionDims[1] - p.correctionDims[0]);
            const float ramp = (1 - std::min(1.0f, std::max(0.0f, y))) * p.extFactor;
            theta = thetaInterp * (1 - ramp) + thetaExtrap * ramp;
            if (!p.rotationOnly)
                mscale *= 1.0f + 0.1f * std::log(1.0f / p.freqScale);
        }
        cosines[size_t(i0 / 2)] = std::cos(theta) * mscale;
        sines[size_t(i0 / 2)] = std::sin(theta) * mscale;
        thetaBase *= thetaScale;
    }
    for (int h = 0; h < heads; ++h) {
        float* v = x + size_t(h) * size_t(headSize);
        for (int i = 0; i < p.dims / 2; ++i) {
            const int a = p.neox ? i : 2 * i;
            const int b = p.neox ? i + p.dims / 2 : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cosines[size_t(i)] - x1 * sines[size_t(i)];
            v[b] = x0 * sines[size_t(i)] + x1 * cosines[size_t(i)];
        }
    }
}

} // namespace bioforge::llm
