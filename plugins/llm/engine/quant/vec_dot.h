#pragma once

// Dot products of one weight row with one activation row, per weight type,
// in the activation type llama.cpp's CPU back-end uses for it. Three paths:
// the scalar reference (the readable truth), AVX2 (+FMA, F16C) and AVX-512
// (BW, VL, VNNI); the fast paths are tested against the reference.

#include "gguf/gguf_types.h"

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {

using DotFn = float (*)(int64_t n, const void* weights, const void* activations);
using ActivationFn = void (*)(const float* src, void* dst, int64_t n);

enum class KernelPath { Reference, Avx2, Avx512 };

struct WeightKernel {
    GgmlType activationType; // what the activations are converted to
    ActivationFn convert;    // float -> activationType
    DotFn dot;
};

const char* kernelPathName(KernelPath path);
KernelPath bestKernelPath();   // from the CPU's features (run time)
bool kernelPathAvailable(KernelPath path);
// nullptr-free for supported types; `path` falls back to a slower one where a type has no fast path.
WeightKernel kernelFor(GgmlType weightType, KernelPath path);

namespace ref {
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
} // namespace avx2

} // namespace bioforge::llm
