#pragma once

// Scalar reference dequantisation: the readable truth for every supported
// weight format. Fast paths are checked against these.

#include "gguf/gguf_types.h"

#include <cstdint>

namespace bioforge::llm {

// Converts `n` elements (a multiple of the type's block size) to float.
// The type must be one ggmlTypeSupported() accepts (or Q8_K).
void dequantizeRow(GgmlType type, const void* src, float* dst, int64_t n);

void dequantizeRowQ4_0(const void* src, float* dst, int64_t n);
void dequantizeRowQ8_0(const void* src, float* dst, int64_t n);
void dequantizeRowQ4_K(const void* src, float* dst, int64_t n);
void dequantizeRowQ5_K(const void* src, float* dst, int64_t n);
void dequantizeRowQ6_K(const void* src, float* dst, int64_t n);
void dequantizeRowQ8_K(const void* src, float* dst, int64_t n);

} // namespace bioforge::llm
