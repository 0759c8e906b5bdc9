#pragma once

// A 2-D weight matrix inside the mapped GGUF file: `rows` rows of `cols`
// elements each, in a ggml type. Row r starts at data + r * rowBytes.

#include "gguf/gguf_types.h"

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {

struct WeightTensor {
    GgmlType type = GgmlType::F32;
    int64_t cols = 0; // input dimension (ggml ne0)
    int64_t rows = 0; // output dimension (ggml ne1)
    size_t rowBytes = 0;
    const uint8_t* data = nullptr;

    bool valid() const { return data != nullptr; }
    const uint8_t* row(int64_t r) const { return data + size_t(r) * rowBytes; }
    size_t bytes() const { return size_t(rows) * rowBytes; }
};

} // namespace bioforge::llm
