#pragma once

// One query head attending over the keys and values of positions
// 0..visible-1 (causal, already limited by the caller): scores = q·k * scale,
// softmax (max-subtracted, sum in double, as ggml), out = Σ p_j v_j.
// Keys and values of consecutive positions are `stride` floats apart.
// The scalar reference and an AVX2 form (8 keys per step with one reduction,
// the output held in registers), which the AVX-512 paths run with the vector-exp
// softmax; tests compare them.

#include "quant/vec_dot.h"

#include <cstdint>

namespace bioforge::llm {

using AttendFn = void (*)(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible,
                          int64_t headSize, float scale, float* scores, float* out);

AttendFn attendKernel(KernelPath path);

namespace ref {
void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out);
}
namespace avx2 {
void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out);
using SoftmaxFn = void (*)(float* scores, int64_t n, float scale);
// The same with another softmax (avx512::attend passes the vector-exp one).
void attendWith(SoftmaxFn softmaxFn, const float* q, const float* keys, const float* values, int64_t stride, int64_t visible,
                int64_t headSize, float scale, float* scores, float* out);
} // namespace avx2
namespace avx512 {
// avx2::attend with avx512::softmax (ops.h).
void attend(const float* q, const float* keys, const float* values, int64_t stride, int64_t visible, int64_t headSize,
            float scale, float* scores, float* out);
} // namespace avx512

} // namespace bioforge::llm
