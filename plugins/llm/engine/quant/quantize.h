#pragma once

// Quantisation, scalar reference:
//  - weights, for writing models (synth-model, tests): every supported type;
//  - activations, exactly as llama.cpp's CPU back-end on x86 quantises the
//    right-hand side of a matrix product for each weight type (Q8_0 for
//    Q8_0/Q4_0 weights, Q8_K for K-quants, F16/BF16 for half weights).

#include "gguf/gguf_types.h"

#include <cstdint>

namespace bioforge::llm {

// Round to nearest, ties to even, for |x| < 2^22 (ggml's nearest_int).
int nearestInt(float x);

// Weights.
void quantizeRow(GgmlType type, const float* src, void* dst, int64_t n);
void quantizeRowQ4_0(const float* src, void* dst, int64_t n);
void quantizeRowQ8_0(const float* src, void* dst, int64_t n);
void quantizeRowQ4_K(const float* src, void* dst, int64_t n);
void quantizeRowQ5_K(const float* src, void* dst, int64_t n);
void quantizeRowQ6_K(const float* src, void* dst, int64_t n);

// Activations.
void quantizeActivationsQ8_0(const float* src, void* dst, int64_t n);
void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n);
void convertActivationsF16(const float* src, void* dst, int64_t n);
void convertActivationsBF16(const float* src, void* dst, int64_t n);

} // namespace bioforge::llm
