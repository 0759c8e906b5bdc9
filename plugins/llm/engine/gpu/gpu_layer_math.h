#pragma once

// Per-element math of the GPU layer kernels (RMSNorm, SwiGLU, RoPE, the
// attention's softmax in chunks), written once as __host__ __device__
// functions so that tst_gpu_math checks them on the CPU against the engine's
// own operations (compute/ops.cpp, compute/attention_kernels.cpp), which
// compute them as ggml's CPU back-end does:
//  - RMSNorm: out = (x · s) · w with s = 1 / sqrt(float(Σx² / n) + eps), the
//    sum in double;
//  - SwiGLU: a = a / (1 + exp(-a)) · b;
//  - RoPE (normal pairs (2i, 2i+1) or NeoX pairs (i, i + dims/2), linear
//    scaling, per-pair frequency factors, YaRN): theta advanced pair by pair by
//    repeated multiplication as ggml does, so pair i's theta is the CPU's bit
//    for bit; cos/sin then come from the device's libm (within an ulp or two);
//  - attention: scores q·k · scale, softmax, Σ p_j v_j, computed by the device
//    in chunks of positions, each chunk's (max, Σ exp) merged as in the
//    "online softmax" (Milakov & Gimelshein 2018; FlashAttention, Dao et al.
//    2022): the result is the softmax's to float rounding.
// Every float operation that must round as the CPU rounds goes through
// mulRn/addRn/subRn/divRn (gpu_math.h).

#include "gpu/gpu_math.h"

#include <cstdint>

namespace bioforge::llm::hd {

// ---- Launch limits shared by the kernels, the C ABI's checks and the host emulation ----------

constexpr int kAttentionChunk = 256; // positions per attention block (one per thread)
constexpr int kMaxHeadSize = 256;    // the attention kernels' shared-memory bound, in floats

// Whether the RoPE/KV-store and attention kernels take these shapes: heads a multiple of the KV
// heads (GQA), a head of 1 … kMaxHeadSize floats, 1 … 65,535 tokens (a grid dimension) from a
// position ≥ 0, and every head row of one token indexable by an int.
inline bool attentionShapeValid(int64_t heads, int64_t kvHeads, int64_t headSize, int64_t tokens, int64_t firstPos)
{
    return heads > 0 && kvHeads > 0 && heads % kvHeads == 0 && headSize > 0 && headSize <= kMaxHeadSize && tokens > 0 && firstPos >= 0
           && tokens <= 65535 && heads + 2 * kvHeads <= 2147483647;
}

// ---- RMSNorm -----------------------------------------------------------------

// The row's scale from its sum of squares (accumulated in double).
BF_HD float rmsScale(double sumSquares, int64_t n, float eps)
{
    const float mean = float(sumSquares / double(n));
    return divRn(1.0f, sqrtf(addRn(mean, eps)));
}

BF_HD float rmsNormed(float x, float scale, float weight) { return mulRn(mulRn(x, scale), weight); }

// ---- SwiGLU ------------------------------------------------------------------

BF_HD float siluTimes(float a, float b) { return mulRn(divRn(a, addRn(1.0f, expf(-a))), b); }

// ---- RoPE --------------------------------------------------------------------

// compute/ops.h's RopeParams without the pointer (the frequency factors live where the
// kernel runs and are passed per pair).
struct RopeScalars {
    int dims = 0;
    float freqBase = 10000.f;
    float freqScale = 1.f;
    int neox = 0;
    float extFactor = 0.f;
    float attnFactor = 1.f;
    float correction0 = 0.f, correction1 = 0.f;
    int rotationOnly = 0;
};

BF_HD float ropeThetaScale(const RopeScalars& p) { return powf(p.freqBase, -2.0f / float(p.dims)); }

// Pair `pair`'s base angle: pos · thetaScale^pair, advanced by repeated multiplication as
// ggml's loop does (a power would round differently).
BF_HD float ropeThetaBase(float pos, float thetaScale, int pair)
{
    float theta = pos;
    for (int i = 0; i < pair; ++i)
        theta = mulRn(theta, thetaScale);
    return theta;
}

// cos and sin (magnitude-scaled) of pair `pair` from its base angle; `factor`: the pair's
// frequency factor (1 without them).
BF_HD void ropeCosSin(const RopeScalars& p, int pair, float thetaBase, float factor, float& c, float& s)
{
    const float thetaExtrap = divRn(thetaBase, factor);
    const float thetaInterp = mulRn(p.freqScale, thetaExtrap);
    float theta = thetaInterp;
    float mscale = p.rotationOnly ? 1.0f : p.attnFactor;
    if (p.extFactor != 0.0f) {
        const float span = maxf(0.001f, subRn(p.correction1, p.correction0));
        const float y = divRn(subRn(float(pair), p.correction0), span);
        const float clamped = y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
        const float ramp = mulRn(subRn(1.0f, clamped), p.extFactor);
        theta = addRn(mulRn(thetaInterp, subRn(1.0f, ramp)), mulRn(thetaExtrap, ramp));
        if (!p.rotationOnly)
            mscale = mulRn(mscale, addRn(1.0f, mulRn(0.1f, logf(divRn(1.0f, p.freqScale)))));
    }
    c = mulRn(cosf(theta), mscale);
    s = mulRn(sinf(theta), mscale);
}

// The two elements pair `pair` rotates within a head.
BF_HD void ropePairIndices(const RopeScalars& p, int pair, int& a, int& b)
{
    a = p.neox ? pair : 2 * pair;
    b = p.neox ? pair + p.dims / 2 : 2 * pair + 1;
}

BF_HD void ropeRotate(float x0, float x1, float c, float s, float& y0, float& y1)
{
    y0 = subRn(mulRn(x0, c), mulRn(x1, s));
    y1 = addRn(mulRn(x0, s), mulRn(x1, c));
}

// ---- Softmax over chunks -----------------------------------------------------

// One chunk's share of a softmax: its largest score and Σ exp(score − max) over the chunk.
struct SoftmaxPart {
    float max;
    float sum;
};

// Merges part b into a; scaleA and scaleB are what each part's weighted sums are multiplied
// by to join (exp(max_part − max_merged); 0 for an empty part, max −∞).
BF_HD SoftmaxPart mergeSoftmaxParts(SoftmaxPart a, SoftmaxPart b, float& scaleA, float& scaleB)
{
    const float m = maxf(a.max, b.max);
    if (m == -INFINITY) {
        scaleA = scaleB = 0.0f;
        return {m, 0.0f};
    }
    scaleA = a.max == -INFINITY ? 0.0f : expf(subRn(a.max, m));
    scaleB = b.max == -INFINITY ? 0.0f : expf(subRn(b.max, m));
    return {m, addRn(mulRn(a.sum, scaleA), mulRn(b.sum, scaleB))};
}

// Which key/value head query head `head` reads (grouped-query attention).
BF_HD int64_t kvHeadOf(int64_t head, int64_t heads, int64_t kvHeads) { return head / (heads / kvHeads); }

} // namespace bioforge::llm::hd
