#pragma once

// Fused ("flash") attention for prompts, one kernel source for CUDA and HIP: a
// thread block per (query head, tile of kFlashQueries tokens) walks the KV
// cache in tiles of kFlashKeys positions staged in shared memory (read once,
// coalesced, for all the tile's queries), keeps each query row's running max,
// Σ exp and weighted sum of values in registers and rescales them as each tile
// arrives (the online softmax: Milakov & Gimelshein 2018; FlashAttention, Dao
// et al. 2022, without its tensor-core tiling). No scores or partial sums go
// to device memory, so a prompt needs no scratch (the split-K kernels of
// llm_layer_kernels.cuh need tokens × chunks partial rows, ~1 GiB for 512
// tokens at a 32k context); generation (a few tokens over thousands of
// positions) keeps the split-K kernels, which spread the positions over blocks.
//
// Shapes: q [tokens, heads · headSize] (rotated), the layer's cache
// [capacity, kvHeads · headSize] for keys and for values with positions
// 0 … firstPos + tokens − 1 written, out [tokens, heads · headSize]; causal
// (token t sees positions ≤ firstPos + t); grouped-query heads; head size
// 1 … kMaxHeadSize. Warp w of a block is query row w: lane j scores position
// j of a tile, and lane j holds output dimensions j, j + 32, ….
// Numerics: the products and sums go through mulRn/addRn (no FMA), as the
// split-K kernels; the order of the sums over positions is the tiles', so the
// result is the softmax's to float rounding (tst_gpu_kernels: 2e-5 of a
// softmax in double); a NaN score or value makes the rows that see it NaN, as
// on the CPU, and only those (a row never reads values past what it sees).

#include "compute/gpu/gpu_portability.h"
#include "gpu/gpu_layer_math.h"

namespace bioforge::llm::gpu {

constexpr int kFlashQueries = 8;                         // query rows a block computes (a warp each)
constexpr int kFlashKeys = BF_TEAM;                      // positions a tile stages (one per lane)
constexpr int kFlashThreads = kFlashQueries * BF_TEAM;   // 256
constexpr int kFlashDimsPerLane = hd::kMaxHeadSize / BF_TEAM; // output dimensions a lane holds, at most

// Grid (heads, ⌈tokens / kFlashQueries⌉), kFlashThreads threads. Shared memory: the tile's
// queries (8 KiB) and one cache tile, keys then values, rows padded by a float so that 32 lanes
// reading 32 different rows at one dimension hit 32 banks (32.1 KiB).
__global__ void flashAttentionKernel(const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads,
                                     int headSize, int64_t tokens, int64_t firstPos, float scale, float* out)
{
    __shared__ float query[kFlashQueries][hd::kMaxHeadSize];
    __shared__ float tile[kFlashKeys][hd::kMaxHeadSize + 1];
    const int warp = int(threadIdx.x) / BF_TEAM, lane = int(threadIdx.x) % BF_TEAM;
    const int64_t h = blockIdx.x, t0 = int64_t(blockIdx.y) * kFlashQueries;
    const int64_t kw = kvHeads * headSize, kvh = hd::kvHeadOf(h, heads, kvHeads);
    const int64_t lastToken = (t0 + kFlashQueries < tokens ? t0 + kFlashQueries : tokens) - 1;
    // Rows past the prompt's end repeat its last token (every barrier and shuffle needs them) and write nothing.
    const int64_t t = t0 + warp < lastToken ? t0 + warp : lastToken;
    const bool writes = t0 + warp < tokens;
    const int64_t visible = firstPos + t + 1;         // this row sees positions [0, visible)
    const int64_t span = firstPos + lastToken + 1;    // the block's rows see [0, span)
    for (int i = int(threadIdx.x); i < kFlashQueries * headSize; i += int(blockDim.x)) {
        const int r = i / headSize, d = i % headSize;
        const int64_t tr = t0 + r < lastToken ? t0 + r : lastToken;
        query[r][d] = q[(tr * heads + h) * headSize + d];
    }
    float acc[kFlashDimsPerLane];
#pragma unroll
    for (int k = 0; k < kFlashDimsPerLane; ++k)
        acc[k] = 0.0f;
    float rowMax = -INFINITY, rowSum = 0.0f;
    for (int64_t begin = 0; begin < span; begin += kFlashKeys) {
        const int n = int(span - begin < kFlashKeys ? span - begin : kFlashKeys);
        __syncthreads(); // the queries are written; every row has read the last tile's values
        for (int i = int(threadIdx.x); i < n * headSize; i += int(blockDim.x)) {
            const int j = i / headSize, d = i % headSize;
            tile[j][d] = cacheKeys[(begin + j) * kw + kvh * headSize + d];
        }
        __syncthreads();
        // Lane j: the score of position begin + j for this row (−∞ where the row may not see it).
        float s = -INFINITY;
        if (lane < n && begin + lane < visible) {
            float dot = 0.0f;
            for (int d = 0; d < headSize; ++d)
                dot = hd::addRn(dot, hd::mulRn(query[warp][d], tile[lane][d]));
            s = hd::mulRn(dot, scale);
        }
        float tileMax = s;
        for (int mask = BF_TEAM / 2; mask > 0; mask >>= 1)
            tileMax = hd::maxf(tileMax, bfShflXor32(tileMax, mask));
        // The first tile holds position 0, which every row sees: rowMax is finite from there on. A
        // NaN score does not enter it (maxf keeps its other side, per lane) but its weight p is NaN,
        // which reaches the row's Σ exp and every output of the row, as on the CPU.
        const float newMax = hd::maxf(rowMax, tileMax);
        const float rescale = rowMax == -INFINITY ? 0.0f : expf(hd::subRn(rowMax, newMax));
        const float p = s == -INFINITY ? 0.0f : expf(hd::subRn(s, newMax));
        float tileSum = p;
        for (int mask = BF_TEAM / 2; mask > 0; mask >>= 1)
            tileSum = hd::addRn(tileSum, bfShflXor32(tileSum, mask));
        rowSum = hd::addRn(hd::mulRn(rowSum, rescale), tileSum);
        rowMax = newMax;
        __syncthreads(); // every row has scored the keys: the tile takes the values
        for (int i = int(threadIdx.x); i < n * headSize; i += int(blockDim.x)) {
            const int j = i / headSize, d = i % headSize;
            tile[j][d] = cacheValues[(begin + j) * kw + kvh * headSize + d];
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < kFlashDimsPerLane; ++k)
            acc[k] = hd::mulRn(acc[k], rescale);
        // Only the positions this row sees: a weight of 0 times an infinite or NaN value further on
        // (a later token's) would be NaN. The bound is the warp's own (one row a warp): every lane
        // takes part in each shuffle.
        const int seen = visible - begin >= n ? n : int(visible - begin > 0 ? visible - begin : 0);
        for (int j = 0; j < seen; ++j) {
            const float pj = bfShfl32(p, j); // position begin + j's weight for this row
#pragma unroll
            for (int k = 0; k < kFlashDimsPerLane; ++k) {
                const int d = lane + BF_TEAM * k;
                if (d < headSize)
                    acc[k] = hd::addRn(acc[k], hd::mulRn(pj, tile[j][d]));
            }
        }
    }
    if (!writes)
        return;
#pragma unroll
    for (int k = 0; k < kFlashDimsPerLane; ++k) {
        const int d = lane + BF_TEAM * k;
        if (d < headSize)
            out[(t * heads + h) * headSize + d] = hd::divRn(acc[k], rowSum);
    }
}

} // namespace bioforge::llm::gpu
