#pragma once

// Inputs shared by the GPU tests: activation rows that exercise the rounding
// and weight rows of every format (quantised from random floats, or raw
// random bytes with finite scales).

#include "gguf/gguf_types.h"
#include "gpu/gpu_block_dot.h"
#include "quant/quantize.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace gputest {

using namespace bioforge::llm;

inline float fromBits(uint32_t u)
{
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Rows of activations that exercise the rounding: random scales, exact ties
// of magnitude with both signs, zeros, subnormals, huge values, halves exactly
// between two levels.
inline std::vector<std::vector<float>> activationRows(int64_t n, std::mt19937& rng)
{
    std::vector<std::vector<float>> rows;
    std::normal_distribution<float> normal;
    for (float scale : {1e-6f, 0.01f, 1.0f, 37.5f, 1e4f, 1e30f}) {
        std::vector<float> row(static_cast<size_t>(n));
        for (float& v : row)
            v = normal(rng) * scale;
        rows.push_back(row);
    }
    std::vector<float> zeros(size_t(n), 0.0f);
    rows.push_back(zeros);
    std::vector<float> negZeros(size_t(n), -0.0f);
    rows.push_back(negZeros);
    std::vector<float> ties(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) // ±amax at many positions, the negative one first in some blocks
        ties[size_t(i)] = (i % 7 == 3) ? ((i / 7) % 2 ? 3.0f : -3.0f) : float(int(i % 5) - 2);
    rows.push_back(ties);
    std::vector<float> ties2(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) // the tie's two signs in different 8-element lanes of a Q8_K block
        ties2[size_t(i)] = i % 256 == 200 ? 5.0f : i % 256 == 13 ? -5.0f : 0.25f * float(i % 9);
    rows.push_back(ties2);
    std::vector<float> sub(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        sub[size_t(i)] = i % 32 == 31 ? 1.0f : fromBits(uint32_t(rng() & 0x007FFFFF) | (i % 2 ? 0x80000000u : 0u));
    // (A block of subnormals only has 127 / amax = inf: the CPU's float -> int8 cast of inf is undefined.)
    rows.push_back(sub);
    std::vector<float> halves(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) // x * 127 / amax lands on k + 0.5 for amax 127
        halves[size_t(i)] = i % 32 == 0 ? 127.0f : float(int(i % 61) - 30) + 0.5f;
    rows.push_back(halves);
    for (int extra = 0; extra < 40; ++extra) {
        std::vector<float> row(static_cast<size_t>(n));
        std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
        for (float& v : row)
            v = uniform(rng) * std::ldexp(1.0f, int(rng() % 40) - 20);
        rows.push_back(row);
    }
    return rows;
}

// Weight rows: quantised from random floats (as models hold them) and raw
// random bytes with finite half scales (every bit pattern of the levels).
inline std::vector<uint8_t> weightRow(GgmlType type, int64_t n, std::mt19937& rng, bool raw)
{
    std::vector<uint8_t> row(ggmlRowBytes(type, n));
    if (raw) {
        for (uint8_t& b : row)
            b = uint8_t(rng());
        // Keep the half scales finite: clear the top exponent bit of each.
        const auto traits = ggmlTypeTraits(uint32_t(type));
        for (size_t off = 0; off < row.size(); off += traits->blockBytes) {
            auto clear = [&](size_t at) { row[off + at + 1] &= 0x3F; };
            switch (type) {
            case GgmlType::Q4_0:
            case GgmlType::Q8_0: clear(0); break;
            case GgmlType::Q4_K:
            case GgmlType::Q5_K: clear(0), clear(2); break;
            case GgmlType::Q6_K: clear(208); break;
            default: break;
            }
        }
        if (type == GgmlType::F16 || type == GgmlType::BF16) // finite values only: the top exponent bit cleared
            for (size_t i = 1; i < row.size(); i += 2)
                row[i] &= 0xBF;
        return row;
    }
    std::vector<float> values(static_cast<size_t>(n));
    std::normal_distribution<float> normal(0.0f, 0.05f);
    for (float& v : values)
        v = normal(rng);
    quantizeRow(type, values.data(), row.data(), n);
    return row;
}

// The block values of one row's dot product, as the kernels add them
// (gpu_block_dot.h); the host emulation folds them in order.
inline std::vector<float> blockValues(GgmlType type, const uint8_t* w, const uint8_t* a, int64_t n)
{
    std::vector<float> v;
    switch (type) {
    case GgmlType::Q4_0:
        for (int64_t b = 0; b < n / kQK4_0; ++b)
            v.push_back(hd::blockDotQ4_0(reinterpret_cast<const BlockQ4_0*>(w)[b], reinterpret_cast<const BlockQ8_0*>(a)[b]));
        break;
    case GgmlType::Q8_0:
        for (int64_t b = 0; b < n / kQK8_0; ++b)
            v.push_back(hd::blockDotQ8_0(reinterpret_cast<const BlockQ8_0*>(w)[b], reinterpret_cast<const BlockQ8_0*>(a)[b]));
        break;
    case GgmlType::Q4_K:
        for (int64_t b = 0; b < n / kQK_K; ++b)
            v.push_back(hd::blockDotQ4_K(reinterpret_cast<const BlockQ4_K*>(w)[b], reinterpret_cast<const BlockQ8_K*>(a)[b]));
        break;
    case GgmlType::Q5_K:
        for (int64_t b = 0; b < n / kQK_K; ++b)
            v.push_back(hd::blockDotQ5_K(reinterpret_cast<const BlockQ5_K*>(w)[b], reinterpret_cast<const BlockQ8_K*>(a)[b]));
        break;
    case GgmlType::Q6_K:
        for (int64_t b = 0; b < n / kQK_K; ++b)
            v.push_back(hd::blockDotQ6_K(reinterpret_cast<const BlockQ6_K*>(w)[b], reinterpret_cast<const BlockQ8_K*>(a)[b]));
        break;
    case GgmlType::F16:
    case GgmlType::BF16:
        for (int64_t i = 0; i < n; ++i) {
            const uint16_t wi = reinterpret_cast<const uint16_t*>(w)[i], ai = reinterpret_cast<const uint16_t*>(a)[i];
            v.push_back(type == GgmlType::F16 ? hd::productF16(wi, ai) : hd::productBF16(wi, ai));
        }
        break;
    case GgmlType::F32:
        for (int64_t i = 0; i < n; ++i)
            v.push_back(reinterpret_cast<const float*>(w)[i] * reinterpret_cast<const float*>(a)[i]);
        break;
    default: break;
    }
    return v;
}

} // namespace gputest
