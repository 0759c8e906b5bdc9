#pragma once

// A GGUF metadata value: a scalar, a string, or an array (of scalars, strings
// or nested arrays). Integers keep their exact value (u64 included).

#include "gguf/gguf_types.h"

#include <memory>
#include <string>
#include <vector>

namespace bioforge::llm {

struct GgufValue;

struct GgufArray {
    GgufType elementType = GgufType::UInt8;
    std::vector<std::string> strings; // String elements
    std::vector<int64_t> integers;    // integer and bool elements (u64 stored bit for bit)
    std::vector<double> floats;       // Float32 / Float64 elements
    std::vector<GgufValue> arrays;    // nested Array elements
    size_t size() const;
};

struct GgufValue {
    GgufType type = GgufType::UInt8;
    int64_t integer = 0; // integer types and bool (u64 stored bit for bit)
    double real = 0;
    std::string string;
    std::shared_ptr<GgufArray> array;

    bool isInteger() const;
    bool isFloat() const { return type == GgufType::Float32 || type == GgufType::Float64; }
    // A short human-readable rendering (arrays are summarised).
    std::string describe(size_t maxItems = 8) const;
};

} // namespace bioforge::llm
