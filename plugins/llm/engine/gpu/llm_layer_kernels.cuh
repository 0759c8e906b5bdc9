#pragma once

// Device kernels of a transformer layer's non-matrix work, one source for CUDA
// and HIP: RMSNorm, SwiGLU, the residual add, RoPE with the KV cache store, and
// attention over the KV cache. The per-element math is gpu_layer_math.h's
// (checked on the CPU by tst_gpu_math); what is here is the parallel shape.
// Every buffer is device memory; rows are tokens. The KV cache of one layer is
// two arrays of [capacity, kvHeads · headSize] floats, as compute's KvCache
// lays out a layer on the CPU, so the same shift/remove arithmetic applies.
//
// Attention is split over the keys ("split-K", as generation needs: one query
// per head, thousands of positions): a thread block per (query head, token,
// chunk of kAttentionChunk positions) computes the chunk's scores, their
// max and Σ exp, and the chunk's weighted sum of values; a second kernel
// merges the chunks of each (head, token) with the online-softmax rule. A
// launch of up to kMaxTokens tokens runs the same kernels with one query row per
// token (causal: token t sees positions ≤ firstPos + t); a longer prompt runs
// the fused kernel of llm_flash_attention.cuh.

#include "compute/gpu/gpu_portability.h"
#include "gpu/gpu_layer_math.h"

namespace bioforge::llm::gpu {

constexpr int kLayerThreads = 256;     // threads per block of the row kernels
constexpr int kAttentionChunk = hd::kAttentionChunk; // positions per attention block
constexpr int kMaxHeadSize = hd::kMaxHeadSize;       // the attention kernels' shared-memory bound
// The reductions index shared arrays by threadIdx.x and halve the stride: every launch of the
// row and attention kernels uses exactly kLayerThreads threads, a power of two, and a chunk has
// at most one position per thread.
static_assert((kLayerThreads & (kLayerThreads - 1)) == 0 && kAttentionChunk <= kLayerThreads, "launch shape");

// out[r] = rmsnorm(x[r]) · weight: one block per row, Σx² in double across the block.
__global__ void rmsNormKernel(const float* x, const float* weight, int64_t width, float eps, float* out)
{
    __shared__ double partial[kLayerThreads];
    const float* row = x + int64_t(blockIdx.x) * width;
    double sum = 0;
    for (int64_t i = threadIdx.x; i < width; i += blockDim.x)
        sum += double(hd::mulRn(row[i], row[i]));
    partial[threadIdx.x] = sum;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (int(threadIdx.x) < stride)
            partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    const float scale = hd::rmsScale(partial[0], width, eps);
    float* o = out + int64_t(blockIdx.x) * width;
    for (int64_t i = threadIdx.x; i < width; i += blockDim.x)
        o[i] = hd::rmsNormed(row[i], scale, weight[i]);
}

// a = silu(a) · b over n floats.
__global__ void siluMultiplyKernel(float* a, const float* b, int64_t n)
{
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
        a[i] = hd::siluTimes(a[i], b[i]);
}

// x += y over n floats.
__global__ void addKernel(float* x, const float* y, int64_t n)
{
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
        x[i] = hd::addRn(x[i], y[i]);
}

// One head vector of one token: bias added, the rotated pairs rotated, the rest copied.
// Thread i of the block handles element i of the head (a pair's first element does both).
__device__ inline void ropeHead(const float* in, const float* bias, float* out, int headSize, float pos, const hd::RopeScalars& rope,
                                float thetaScale, const float* freqFactors)
{
    for (int i = threadIdx.x; i < headSize; i += blockDim.x) {
        if (i >= rope.dims) {
            out[i] = bias ? hd::addRn(in[i], bias[i]) : in[i];
            continue;
        }
        const int pair = rope.neox ? (i < rope.dims / 2 ? i : -1) : (i % 2 == 0 ? i / 2 : -1);
        if (pair < 0)
            continue; // the pair's second element, done by its first
        int a = 0, b = 0;
        hd::ropePairIndices(rope, pair, a, b);
        const float x0 = bias ? hd::addRn(in[a], bias[a]) : in[a];
        const float x1 = bias ? hd::addRn(in[b], bias[b]) : in[b];
        float c = 0, s = 0;
        hd::ropeCosSin(rope, pair, hd::ropeThetaBase(pos, thetaScale, pair), freqFactors ? freqFactors[pair] : 1.0f, c, s);
        float y0 = 0, y1 = 0;
        hd::ropeRotate(x0, x1, c, s, y0, y1);
        out[a] = y0;
        out[b] = y1;
    }
}

// firstPosAt (device memory) or null: where a captured pass reads firstPos (the graph's kernels
// keep their arguments; the host writes the step's position there before each replay).
// Grid (heads + 2 · kvHeads, tokens): block (h, t) rotates query head h of token t in place,
// or rotates key head h − heads into the cache at position firstPos + t, or copies value
// head h − heads − kvHeads there. Biases (or null) are added first, as on the CPU.
// thetaScale: hd::ropeThetaScale computed on the host (glibc's powf, as the CPU engine's), so
// that every pair's angle is the CPU's bit for bit.
__global__ void ropeStoreKernel(float* q, const float* k, const float* v, const float* biasQ, const float* biasK, const float* biasV,
                                int64_t heads, int64_t kvHeads, int headSize, hd::RopeScalars rope, float thetaScale, const float* freqFactors,
                                int64_t firstPos, const int64_t* firstPosAt, float* cacheKeys, float* cacheValues)
{
    if (firstPosAt) // a captured pass: the position is read where the host writes it before each replay
        firstPos = *firstPosAt;
    const int64_t t = blockIdx.y, h = blockIdx.x, qw = heads * headSize, kw = kvHeads * headSize;
    const int64_t pos = firstPos + t;
    if (h < heads) {
        float* head = q + t * qw + h * headSize;
        ropeHead(head, biasQ ? biasQ + h * headSize : nullptr, head, headSize, float(pos), rope, thetaScale, freqFactors);
    } else if (h < heads + kvHeads) {
        const int64_t kh = h - heads;
        ropeHead(k + t * kw + kh * headSize, biasK ? biasK + kh * headSize : nullptr, cacheKeys + pos * kw + kh * headSize, headSize,
                 float(pos), rope, thetaScale, freqFactors);
    } else {
        const int64_t vh = h - heads - kvHeads;
        const float* in = v + t * kw + vh * headSize;
        float* out = cacheValues + pos * kw + vh * headSize;
        for (int i = threadIdx.x; i < headSize; i += blockDim.x)
            out[i] = biasV ? hd::addRn(in[i], biasV[vh * headSize + i]) : in[i];
    }
}

// Grid (heads, tokens, chunks): the chunk's share of head h's attention for token t over
// positions [chunk · kAttentionChunk, min(+kAttentionChunk, visible)), visible = firstPos + t + 1.
// Writes the chunk's max and Σ exp to parts[(t · heads + h) · chunks + c] and its
// unnormalised Σ exp(s − max) v to partial[(that) · headSize …].
__global__ void attentionChunkKernel(const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads,
                                     int headSize, int64_t firstPos, const int64_t* firstPosAt, float scale, hd::SoftmaxPart* parts,
                                     float* partial)
{
    if (firstPosAt) // a captured pass (ropeStoreKernel's rule); the grid's chunks cover the position
        firstPos = *firstPosAt;
    __shared__ float scores[kAttentionChunk];
    __shared__ float query[kMaxHeadSize];
    __shared__ float reduce[kLayerThreads];
    const int64_t h = blockIdx.x, t = blockIdx.y, c = blockIdx.z, chunks = gridDim.z;
    const int64_t kw = kvHeads * headSize, kvh = hd::kvHeadOf(h, heads, kvHeads);
    const int64_t visible = firstPos + t + 1;
    const int64_t begin = c * kAttentionChunk, end = begin + kAttentionChunk < visible ? begin + kAttentionChunk : visible;
    const int64_t slot = (t * heads + h) * chunks + c;
    float* acc = partial + slot * headSize;
    if (begin >= end) { // past this token's causal limit: an empty part
        if (threadIdx.x == 0)
            parts[slot] = {-INFINITY, 0.0f};
        for (int d = threadIdx.x; d < headSize; d += blockDim.x)
            acc[d] = 0.0f;
        return;
    }
    const float* qh = q + (t * heads + h) * headSize;
    for (int d = threadIdx.x; d < headSize; d += blockDim.x)
        query[d] = qh[d];
    __syncthreads();
    // Scores: one position per thread (a chunk has at most kAttentionChunk = blockDim positions).
    float localMax = -INFINITY;
    for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x) {
        const float* key = cacheKeys + j * kw + kvh * headSize;
        float dot = 0.0f;
        for (int d = 0; d < headSize; ++d)
            dot = hd::addRn(dot, hd::mulRn(query[d], key[d]));
        const float s = hd::mulRn(dot, scale);
        scores[j - begin] = s;
        localMax = hd::maxf(localMax, s);
    }
    reduce[threadIdx.x] = localMax;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (int(threadIdx.x) < stride)
            reduce[threadIdx.x] = hd::maxf(reduce[threadIdx.x], reduce[threadIdx.x + stride]);
        __syncthreads();
    }
    const float max = reduce[0];
    __syncthreads();
    float localSum = 0.0f;
    for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x) {
        const float e = expf(hd::subRn(scores[j - begin], max));
        scores[j - begin] = e;
        localSum = hd::addRn(localSum, e);
    }
    reduce[threadIdx.x] = localSum;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (int(threadIdx.x) < stride)
            reduce[threadIdx.x] = hd::addRn(reduce[threadIdx.x], reduce[threadIdx.x + stride]);
        __syncthreads();
    }
    if (threadIdx.x == 0)
        parts[slot] = {max, reduce[0]};
    // The chunk's weighted values: one output dimension per thread.
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        float sum = 0.0f;
        for (int64_t j = begin; j < end; ++j)
            sum = hd::addRn(sum, hd::mulRn(scores[j - begin], cacheValues[j * kw + kvh * headSize + d]));
        acc[d] = sum;
    }
}

// Grid (heads, tokens): merges the chunks of head h, token t into out (one queryWidth row per
// token), in chunk order.
__global__ void attentionMergeKernel(const hd::SoftmaxPart* parts, const float* partial, int64_t heads, int headSize, int64_t chunks, float* out)
{
    const int64_t h = blockIdx.x, t = blockIdx.y;
    const int64_t first = (t * heads + h) * chunks;
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        hd::SoftmaxPart merged{-INFINITY, 0.0f};
        float acc = 0.0f;
        for (int64_t c = 0; c < chunks; ++c) {
            float scaleMerged = 0, scalePart = 0;
            merged = hd::mergeSoftmaxParts(merged, parts[first + c], scaleMerged, scalePart);
            acc = hd::addRn(hd::mulRn(acc, scaleMerged), hd::mulRn(partial[(first + c) * headSize + d], scalePart));
        }
        out[(t * heads + h) * headSize + d] = hd::divRn(acc, merged.sum); // NaN stays NaN, as on the CPU
    }
}

// dst[i] = src[(first + i / rowFloats) · rowFloats + i % rowFloats] for rows × rowFloats floats,
// first = *firstRowAt (device memory): a captured pass's copy of the new cache rows, whose source
// moves with the position.
__global__ void copyRowsAtKernel(float* dst, const float* src, int64_t rowFloats, int64_t rows, const int64_t* firstRowAt)
{
    const int64_t n = rows * rowFloats, offset = *firstRowAt * rowFloats;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
        dst[i] = src[offset + i];
}

} // namespace bioforge::llm::gpu
