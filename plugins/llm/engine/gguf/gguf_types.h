#pragma once

// GGUF metadata value types and ggml tensor types with their block layout
// facts (elements per block, bytes per block), as the GGUF specification and
// ggml define them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace bioforge::llm {

enum class GgufType : uint32_t {
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};

const char* ggufTypeName(GgufType type);
bool ggufTypeValid(uint32_t raw);
// Size in bytes of a scalar value of this type (0 for String/Array).
size_t ggufScalarSize(GgufType type);

// ggml tensor element types (numbering from ggml.h).
enum class GgmlType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35,
};

struct GgmlTypeTraits {
    GgmlType type;
    const char* name;
    int64_t blockElements; // elements per block
    size_t blockBytes;     // bytes per block
};

// Traits of a known type; nullopt for numbers that are not ggml types.
std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t raw);
const char* ggmlTypeName(GgmlType type);
// Bytes of a row of `elements` values (elements must be a multiple of the block size).
size_t ggmlRowBytes(GgmlType type, int64_t elements);
// Types whose weights this engine can compute with.
bool ggmlTypeSupported(GgmlType type);

} // namespace bioforge::llm
