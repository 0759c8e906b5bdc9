#pragma once

// Device kernels of the llm engine, one source for CUDA and HIP
// (compute/gpu/gpu_portability.h). The per-element and per-block math is
// gpu_math.h's, checked on the CPU against the scalar reference; what is here
// is the parallel shape: teams of 32 lanes (BF_TEAM), one team per activation
// block or per output row, shuffles inside a team only.
//
// Matrix-vector (1..kMaxTokens tokens): one team per weight row; the row's
// blocks are strided over the lanes, a K-quant block split into 8 parts over
// 8 neighbouring lanes whose integer sums are added exactly (shuffles) before
// the block's float scaling; the per-block floats are then summed as a tree.
// Each weight block is read once and used for every token of the launch: up to kMaxTokens
// (generation, a few tokens) or kPromptTokens (a prompt: four times fewer passes over the weights
// than in groups of 8). Every (row, token) output is summed in the same order whatever the launch's
// width, so a prompt's products equal, bit for bit, those of its tokens one at a time.

#include "compute/gpu/gpu_portability.h"
#include "gpu/gpu_block_dot.h"

namespace bioforge::llm::gpu {

constexpr int kMaxTokens = 8;     // tokens one matrix-vector launch computes (generation)
constexpr int kPromptTokens = 32; // tokens one launch of the prompt width computes
constexpr int kTeamsPerBlock = 4; // 128 threads per thread block

__device__ inline float teamSum(float v)
{
    for (int mask = BF_TEAM / 2; mask > 0; mask >>= 1)
        v += bfShflXor32(v, mask);
    return v;
}

__device__ inline int teamLane() { return int(threadIdx.x % BF_TEAM); }
__device__ inline int64_t teamIndex() { return int64_t(blockIdx.x) * kTeamsPerBlock + threadIdx.x / BF_TEAM; }

// ---- Activations: one team per block of one token's row ---------------------

// Q8_0: lane j holds element j of the 32.
__global__ void convertQ8_0Kernel(const float* x, int64_t cols, int64_t tokens, BlockQ8_0* out)
{
    const int64_t blocksPerRow = cols / kQK8_0;
    const int64_t unit = teamIndex();
    if (unit >= blocksPerRow * tokens)
        return;
    const int lane = teamLane();
    const int64_t t = unit / blocksPerRow, b = unit % blocksPerRow;
    const float v = x[t * cols + b * kQK8_0 + lane];
    // The CPU folds max(amax, |x|) from 0, which drops NaNs; so does this.
    float amax = hd::maxf(0.0f, hd::absf(v));
    for (int mask = BF_TEAM / 2; mask > 0; mask >>= 1)
        amax = hd::maxf(amax, bfShflXor32(amax, mask));
    BlockQ8_0& y = out[unit];
    y.qs[lane] = hd::q8_0Level(v, hd::q8_0InverseScale(amax));
    if (lane == 0)
        y.d = hd::q8_0Scale(amax);
}

// Q8_K: lane l holds elements 8l .. 8l+7 of the 256 (so lanes 2g, 2g+1 make bsums[g]).
__global__ void convertQ8_KKernel(const float* x, int64_t cols, int64_t tokens, BlockQ8_K* out)
{
    const int64_t blocksPerRow = cols / kQK_K;
    const int64_t unit = teamIndex();
    if (unit >= blocksPerRow * tokens)
        return;
    const int lane = teamLane();
    const int64_t t = unit / blocksPerRow, b = unit % blocksPerRow;
    const float* src = x + t * cols + b * kQK_K + 8 * lane;
    float v[8];
    hd::ArgMaxAbs m;
    for (int j = 0; j < 8; ++j) {
        v[j] = src[j];
        hd::scanArgMaxAbs(m, v[j], 8 * lane + j);
    }
    for (int mask = BF_TEAM / 2; mask > 0; mask >>= 1) {
        hd::ArgMaxAbs other;
        other.amax = bfShflXor32(m.amax, mask);
        other.max = bfShflXor32(m.max, mask);
        other.index = bfShflXor32(m.index, mask);
        hd::mergeArgMaxAbs(m, other);
    }
    const float amax = m.amax, max = m.max;
    BlockQ8_K& y = out[unit];
    int partial = 0;
    if (amax == 0) {
        for (int j = 0; j < 8; ++j)
            y.qs[8 * lane + j] = 0;
    } else {
        const float iscale = hd::q8_KInverseScale(max);
        for (int j = 0; j < 8; ++j) {
            const int8_t q = hd::q8_KLevel(v[j], iscale);
            y.qs[8 * lane + j] = q;
            partial += q;
        }
    }
    const int pair = partial + bfShflXor32(partial, 1);
    if (lane % 2 == 0)
        y.bsums[lane / 2] = int16_t(pair);
    if (lane == 0)
        y.d = amax == 0 ? 0.0f : hd::q8_KScale(hd::q8_KInverseScale(max));
}

__global__ void convertF16Kernel(const float* x, int64_t n, uint16_t* out)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = hd::floatToHalf(x[i]);
}

__global__ void convertBF16Kernel(const float* x, int64_t n, uint16_t* out)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = hd::floatToBf16(x[i]);
}

// Random activations in [-1, 1) from a hash of the index (benchmarks).
__global__ void fillRandomKernel(float* x, int64_t n, uint32_t seed)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    uint32_t h = uint32_t(i) * 2654435761u ^ seed;
    h ^= h >> 16;
    h *= 0x7FEB352Du;
    h ^= h >> 15;
    x[i] = float(h >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

// ---- Matrix-vector: one team per weight row ---------------------------------

// Block formats, each block split into kParts parts on neighbouring lanes
// (gpu_math.h: word-wise parts, so a warp's loads are contiguous words). A
// part's weights are loaded into registers once and used for every token; the
// parts' integer sums are added exactly (shuffles) before the block's float
// scaling, which one lane does.
template <int Parts>
__device__ inline int partsSum(int v)
{
    for (int mask = 1; mask < Parts; mask <<= 1)
        v += bfShflXor32(v, mask);
    return v;
}

// Q8_0 and Q4_0: 4 word-wise parts a block, activations Q8_0, no min term.
template <typename W, hd::BlockPartWeights (*Load)(const W&, int), int (*Dot)(const hd::BlockPartWeights&, const BlockQ8_0&, int)>
struct RowQ8Blocks {
    using Weight = W;
    using Activation = BlockQ8_0;
    using Registers = hd::BlockPartWeights;
    static constexpr int kElements = kQK8_0; // = kQK4_0
    static constexpr int kParts = hd::kPartsPerBlock;
    static constexpr bool kMins = false;
    __device__ static Registers load(const Weight& w, int p) { return Load(w, p); }
    __device__ static void dot(const Registers& r, const Weight&, const Activation& a, int p, int& scaled, int&) { scaled += Dot(r, a, p); }
    __device__ static float value(const Weight& w, const Activation& a, int scaled, int) { return hd::blockValueQ8(w.d, a.d, scaled); }
};
using RowQ8_0 = RowQ8Blocks<BlockQ8_0, hd::loadPartQ8_0, hd::dotPartQ8_0>;
using RowQ4_0 = RowQ8Blocks<BlockQ4_0, hd::loadPartQ4_0, hd::dotPartQ4_0>;

// Q4_K and Q5_K: 8 word-wise parts a block, activations Q8_K, a min term.
template <typename W, hd::KPartWeights (*Load)(const W&, int)>
struct RowKScaleMin {
    using Weight = W;
    using Activation = BlockQ8_K;
    using Registers = hd::KPartWeights;
    static constexpr int kElements = kQK_K;
    static constexpr int kParts = hd::kPartsPerKBlock;
    static constexpr bool kMins = true;
    __device__ static Registers load(const Weight& w, int p) { return Load(w, p); }
    __device__ static void dot(const Registers& r, const Weight&, const Activation& a, int p, int& scaled, int& mins) { hd::dotPartK(r, a, p, scaled, mins); }
    __device__ static float value(const Weight& w, const Activation& a, int scaled, int mins) { return hd::blockValueK(w.d, w.dmin, a.d, scaled, mins); }
};
using RowQ4_K = RowKScaleMin<BlockQ4_K, hd::loadPartQ4_K>;
using RowQ5_K = RowKScaleMin<BlockQ5_K, hd::loadPartQ5_K>;

// Q6_K blocks are only 2-byte aligned (210 bytes): byte-wise parts for now.
struct RowQ6_K {
    using Weight = BlockQ6_K;
    using Activation = BlockQ8_K;
    struct Registers {};
    static constexpr int kElements = kQK_K;
    static constexpr int kParts = hd::kPartsPerKBlock;
    static constexpr bool kMins = false;
    __device__ static Registers load(const Weight&, int) { return {}; }
    __device__ static void dot(const Registers&, const Weight& w, const Activation& a, int p, int& scaled, int&) { hd::partDotQ6_K(w, a, p, scaled); }
    __device__ static float value(const Weight& w, const Activation& a, int scaled, int) { return hd::blockValueQ6_K(w.d, a.d, scaled); }
};

template <class Format, int Tokens>
__device__ void accumulateParts(const uint8_t* row, const uint8_t* act, size_t actRowBytes, int64_t cols, int tokens, int lane, float* acc)
{
    constexpr int P = Format::kParts;
    const auto* w = reinterpret_cast<const typename Format::Weight*>(row);
    const int64_t units = cols / Format::kElements * P;
    // The loop bound is the team's, not the lane's: every lane takes part in every shuffle.
    for (int64_t base = 0; base < units; base += BF_TEAM) {
        const int64_t unit = base + lane;
        const bool active = unit < units; // whole blocks: P | units and P | BF_TEAM
        const int64_t b = unit / P;
        const int p = int(unit % P);
        typename Format::Registers r{};
        if (active)
            r = Format::load(w[b], p);
#pragma unroll
        for (int t = 0; t < Tokens; ++t) {
            if (t < tokens) { // uniform across the team
                const auto* a = reinterpret_cast<const typename Format::Activation*>(act + size_t(t) * actRowBytes);
                int scaled = 0, mins = 0;
                if (active)
                    Format::dot(r, w[b], a[b], p, scaled, mins);
                scaled = partsSum<P>(scaled);
                if constexpr (Format::kMins)
                    mins = partsSum<P>(mins);
                if (active && p == 0)
                    acc[t] += Format::value(w[b], a[b], scaled, mins);
            }
        }
    }
}

// F32 (activations as they are), F16 and BF16 (activations converted to the weight's type).
struct RowF32 {
    using Element = float;
    __device__ static float product(float w, float a) { return hd::mulRn(w, a); } // no FMA: CUDA and HIP agree
};
struct RowF16 {
    using Element = uint16_t;
    __device__ static float product(uint16_t w, uint16_t a) { return hd::productF16(w, a); }
};
struct RowBF16 {
    using Element = uint16_t;
    __device__ static float product(uint16_t w, uint16_t a) { return hd::productBF16(w, a); }
};

template <class Format, int Tokens>
__device__ void accumulateElements(const uint8_t* row, const uint8_t* act, size_t actRowBytes, int64_t cols, int tokens, int lane,
                                   float* acc)
{
    using E = typename Format::Element;
    constexpr int V = int(16 / sizeof(E)); // elements per 16-byte load
    const E* w = reinterpret_cast<const E*>(row);
    // Rows of a multiple of V elements are 16-byte aligned (device buffers are 256-byte aligned):
    // each lane reads 16 bytes of weights and of every token's activations at a time.
    if (cols % V == 0) {
        for (int64_t i0 = int64_t(lane) * V; i0 < cols; i0 += int64_t(BF_TEAM) * V) {
            const uint4 wv = *reinterpret_cast<const uint4*>(w + i0);
            const E* we = reinterpret_cast<const E*>(&wv);
#pragma unroll
            for (int t = 0; t < Tokens; ++t)
                if (t < tokens) {
                    const uint4 av = *reinterpret_cast<const uint4*>(reinterpret_cast<const E*>(act + size_t(t) * actRowBytes) + i0);
                    const E* ae = reinterpret_cast<const E*>(&av);
#pragma unroll
                    for (int j = 0; j < V; ++j)
                        acc[t] += Format::product(we[j], ae[j]);
                }
        }
        return;
    }
    for (int64_t i = lane; i < cols; i += BF_TEAM) {
        const E wi = w[i];
#pragma unroll
        for (int t = 0; t < Tokens; ++t)
            if (t < tokens)
                acc[t] += Format::product(wi, reinterpret_cast<const E*>(act + size_t(t) * actRowBytes)[i]);
    }
}

enum class RowKind { Parts, Elements };

// y[t * rows + r] = W[r] · a[t] for t < tokens (≤ Tokens: kMaxTokens or kPromptTokens).
template <class Format, RowKind Kind, int Tokens>
__global__ void matvecKernel(const uint8_t* weights, size_t rowBytes, int64_t rows, int64_t cols, const uint8_t* act,
                             size_t actRowBytes, int tokens, float* y)
{
    const int64_t r = teamIndex();
    if (r >= rows) // a whole team leaves together
        return;
    const int lane = teamLane();
    float acc[Tokens];
#pragma unroll
    for (int t = 0; t < Tokens; ++t)
        acc[t] = 0;
    const uint8_t* row = weights + size_t(r) * rowBytes;
    if constexpr (Kind == RowKind::Parts)
        accumulateParts<Format, Tokens>(row, act, actRowBytes, cols, tokens, lane, acc);
    else
        accumulateElements<Format, Tokens>(row, act, actRowBytes, cols, tokens, lane, acc);
#pragma unroll
    for (int t = 0; t < Tokens; ++t) {
        if (t < tokens) {
            const float sum = teamSum(acc[t]);
            if (lane == 0)
                y[size_t(t) * size_t(rows) + size_t(r)] = sum;
        }
    }
}

} // namespace bioforge::llm::gpu
