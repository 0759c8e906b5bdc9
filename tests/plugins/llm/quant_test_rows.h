// Random rows and their quantised / dequantised forms, shared by the quantised-format tests
// (tst_quant_kernels, tst_vector_kernels).

#pragma once

#include "gguf/gguf_types.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

#include <cstdint>
#include <random>
#include <vector>

namespace bioforge::llm::testing {

inline std::vector<float> randomRow(int64_t n, uint32_t seed, float scale = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v)
        x = dist(rng);
    return v;
}

inline std::vector<uint8_t> quantized(GgmlType type, const std::vector<float>& x)
{
    std::vector<uint8_t> out(ggmlRowBytes(type, int64_t(x.size())));
    quantizeRow(type, x.data(), out.data(), int64_t(x.size()));
    return out;
}

inline std::vector<float> dequantized(GgmlType type, const std::vector<uint8_t>& q, int64_t n)
{
    std::vector<float> out(static_cast<size_t>(n));
    dequantizeRow(type, q.data(), out.data(), n);
    return out;
}

} // namespace bioforge::llm::testing
