#pragma once

// Dot products of one weight row with one activation row, per weight type,
// in the activation type llama.cpp's CPU back-end uses for it. Four paths:
// the scalar reference (the readable truth), AVX2 (+FMA, F16C), AVX-512
// (BW, VL, VNNI), and AMX: the AVX-512 kernels plus tile products for Q8_0,
// Q4_K and Q6_K weights with 16 or more tokens (amx_q8_0.h, amx_q4_k.h); the fast paths are tested
// against the reference.

#include "gguf/gguf_types.h"

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {

using DotFn = float (*)(int64_t n, const void* weights, const void* activations);
using ActivationFn = void (*)(const float* src, void* dst, int64_t n);

enum class KernelPath { Reference, Avx2, Avx512, Amx };

// One weight row against up to kMaxTileTokens activation rows at once (the
// weight block is decoded once and reused): out[j] = dot(w, a + j * aStride).
using DotManyFn = void (*)(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
constexpr int kMaxTileTokens = 8;
constexpr int kAmxMinTokens = 16; // fewer tokens run on the AVX-512 kernels (a tile holds 16)

using RowBytesFn = size_t (*)(int64_t n);
// Generation: `rows` weight rows, rowBytes apart, against one token's activations a: out[r] = dot(row r, a).
using DotRowsFn = void (*)(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
// `tokens` consecutive rows of n floats (tokens <= kMaxTileTokens) written as one tile.
using TileConvertFn = void (*)(const float* src, int64_t n, int tokens, void* dst);

struct WeightKernel {
    GgmlType activationType; // what the activations are converted to
    ActivationFn convert;    // float -> activationType
    DotFn dot;
    DotManyFn dotMany = nullptr; // optional batched form
    int tileTokens = 1;          // most tokens dotMany takes per call
    // When set, dotMany takes activations in its own layout (same values,
    // packed for the kernel): converted by batchConvert, rows of batchRowBytes(n).
    ActivationFn batchConvert = nullptr;
    RowBytesFn batchRowBytes = nullptr;
    // dotMany with one token beats dot (the AVX-512 forms: generation runs on them).
    bool manyForOneToken = false;
    // MatMul runs products of at least kAmxMinTokens tokens on AMX tiles (amx::productQ8_0, productQ4_K, productQ6_K).
    bool amxTiles = false;
    // What runs, for benchmark reports: "avx512 q8-pairs vpdpbusd-512".
    const char* name = "";
    // When set (instead of batchConvert), dotMany takes the activations of up to tileTokens tokens
    // interleaved in one tile of tileBytes(n) bytes, written by tileConvert; `a` is the tile (32-byte
    // aligned) and aStride is not used.
    TileConvertFn tileConvert = nullptr;
    RowBytesFn tileBytes = nullptr;
    // When set, one token's products run on it, a block of rows a call (instead of dot or dotMany).
    DotRowsFn dotRows = nullptr;
};

const char* kernelPathName(KernelPath path);
// "reference", "avx2", "avx512", "amx" -> the path; false for other text.
bool parseKernelPath(const char* text, KernelPath* path);
KernelPath bestKernelPath();   // from the CPU's features (run time)
bool kernelPathAvailable(KernelPath path);
// nullptr-free for supported types; `path` falls back to a slower one where a type has no fast path.
WeightKernel kernelFor(GgmlType weightType, KernelPath path);

namespace ref {
void axpyF32(int64_t n, float a, const float* x, float* y);
float dotF32(int64_t n, const void* w, const void* a);
float dotF16(int64_t n, const void* w, const void* a);
float dotBF16(int64_t n, const void* w, const void* a);
float dotQ4_0(int64_t n, const void* w, const void* a);
float dotQ8_0(int64_t n, const void* w, const void* a);
float dotQ4_K(int64_t n, const void* w, const void* a);
float dotQ5_K(int64_t n, const void* w, const void* a);
float dotQ6_K(int64_t n, const void* w, const void* a);
} // namespace ref

namespace avx2 {
float dotF32(int64_t n, const void* w, const void* a);
float dotF16(int64_t n, const void* w, const void* a);
float dotQ4_0(int64_t n, const void* w, const void* a);
float dotQ8_0(int64_t n, const void* w, const void* a);
float dotQ4_K(int64_t n, const void* w, const void* a);
float dotQ5_K(int64_t n, const void* w, const void* a);
float dotQ6_K(int64_t n, const void* w, const void* a);
void convertF16(const float* src, void* dst, int64_t n);
void quantizeActivationsQ8_0(const float* src, void* dst, int64_t n); // quantize_avx2.cpp: the scalar one's bytes
void quantizeActivationsQ8_0Tile(const float* src, int64_t n, int tokens, void* dst); // BlockQ8_0Tile, the same values
void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n); // quantize_avx2.cpp: the scalar one's bytes
void dotManyQ8_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ4_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ4_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotRowsQ8_0(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out); // a: BlockQ8_0
void dotRowsQ4_0(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
void dotRowsQ4_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
void dotRowsQ5_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
void dotRowsQ6_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
} // namespace avx2

namespace avx512 {
void quantizePackedQ8Pairs(const float* src, void* dst, int64_t n); // packed_q8_pairs_avx512.cpp
void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n); // quantize_avx512.cpp: the scalar one's bytes
void dotManyQ8_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ4_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ4_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out);
void dotRowsQ4_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
void dotRowsQ5_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
void dotRowsQ6_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out);
} // namespace avx512

} // namespace bioforge::llm
