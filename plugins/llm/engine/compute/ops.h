#pragma once

// Element-wise and row operations of the transformer, computed as ggml's CPU
// back-end computes them (double accumulation where it uses it).

#include <cstdint>

namespace bioforge::llm {

// out = x / sqrt(mean(x^2) + eps) * weight
void rmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out);
// a = silu(a) * b
void siluMultiply(float* a, const float* b, int64_t n);
// x += y
void addInPlace(float* x, const float* y, int64_t n);
// In-place softmax of n scores after multiplying by `scale`.
void softmax(float* scores, int64_t n, float scale);

// AVX-512 forms of siluMultiply and softmax (ops_avx512.cpp) with glibc's
// vector expf (libmvec, _ZGVeN16v_expf: within 3 ulp of libm's expf over
// [-88, 88], measured). llama.cpp's own AVX-512 forms use an approximation of
// exp as well (ggml_v_expf); the tests bound both against the scalar ones. Only
// on CPUs with AVX-512 F.
namespace avx512 {
void siluMultiply(float* a, const float* b, int64_t n);
void softmax(float* scores, int64_t n, float scale);
} // namespace avx512

struct RopeParams {
    int dims = 0;              // rotated dimensions (<= head size)
    float freqBase = 10000.f;
    float freqScale = 1.f;     // 1 / linear scaling factor
    bool neox = false;         // pairs (i, i + dims/2) instead of (2i, 2i+1)
    const float* freqFactors = nullptr; // per pair (dims / 2), or null
    // YaRN
    float extFactor = 0.f;
    float attnFactor = 1.f;
    float correctionDims[2] = {0, 0};
    bool rotationOnly = false; // no YaRN magnitude scaling (for moving cached keys)
};

// YaRN correction range for the given original context length.
void ropeYarnCorrectionDims(int dims, int originalContext, float freqBase, float betaFast, float betaSlow, float out[2]);
// Rotates `heads` consecutive vectors of `headSize` floats for position `pos`.
void applyRope(float* x, int heads, int headSize, float pos, const RopeParams& p);

} // namespace bioforge::llm
