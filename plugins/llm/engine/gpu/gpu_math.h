#pragma once

// Per-element math of the GPU kernels (conversions, activation quantisation;
// the block dot products are in gpu_block_dot.h), written once as
// __host__ __device__ functions so that the CPU test suite (tst_gpu_math)
// checks, without a GPU, that each reproduces the CPU engine's scalar
// reference bit for bit:
//  - activation quantisation (Q8_0 for Q8_0/Q4_0 weights, Q8_K for K-quants,
//    F16/BF16 for half weights), as quant/quantize.cpp does it, which is how
//    llama.cpp's x86 CPU back-end quantises the right-hand side;
//  - the integer dot product of one block (or one group of a K-quant block)
//    and its float scaling, as quant/vec_dot_ref.cpp computes it (ggml's
//    block formats, see quant/block_layouts.h).
// Every float operation that must round as the CPU rounds goes through
// mulRn/addRn/subRn/divRn: on the device they are the round-to-nearest
// intrinsics, which the compiler never fuses into an FMA.
// Only the order in which the kernels add the per-block floats differs from
// the CPU (a tree across lanes instead of a left fold).
//
// C++17, no standard library calls on device paths.

#include "quant/block_layouts.h"

#include <cstdint>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define BF_HD __host__ __device__ inline
#else
#define BF_HD inline
#endif

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#define BF_DEVICE_PASS 1
#else
#include <cmath>
#include <cstring>
#endif

namespace bioforge::llm::hd {

BF_HD float bitsToFloat(uint32_t u)
{
#ifdef BF_DEVICE_PASS
    return __uint_as_float(u);
#else
    float f;
    std::memcpy(&f, &u, 4);
    return f;
#endif
}

BF_HD uint32_t floatToBits(float f)
{
#ifdef BF_DEVICE_PASS
    return __float_as_uint(f);
#else
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
#endif
}

#ifdef BF_DEVICE_PASS
BF_HD float mulRn(float a, float b) { return __fmul_rn(a, b); }
BF_HD float addRn(float a, float b) { return __fadd_rn(a, b); }
BF_HD float subRn(float a, float b) { return __fsub_rn(a, b); }
BF_HD float divRn(float a, float b) { return __fdiv_rn(a, b); }
// Round to the nearest integer, ties to even (std::nearbyint in the default mode).
BF_HD float roundEven(float x) { return rintf(x); }
#else
BF_HD float mulRn(float a, float b) { return a * b; }
BF_HD float addRn(float a, float b) { return a + b; }
BF_HD float subRn(float a, float b) { return a - b; }
BF_HD float divRn(float a, float b) { return a / b; }
BF_HD float roundEven(float x) { return std::nearbyint(x); }
#endif

BF_HD float absf(float x) { return bitsToFloat(floatToBits(x) & 0x7FFFFFFFu); }
// std::max(a, b): b only when a < b (so a NaN b keeps a).
BF_HD float maxf(float a, float b) { return a < b ? b : a; }
BF_HD int mini(int a, int b) { return a < b ? a : b; }

// ggml's nearest_int: adding 1.5 * 2^23 leaves the rounded integer in the low
// mantissa bits (ties to even); valid for |x| < 2^22.
BF_HD int nearestInt(float x)
{
    const uint32_t bits = floatToBits(addRn(x, 12582912.f));
    return int(bits & 0x007FFFFFu) - 0x00400000;
}

// IEEE half -> float (exact).
BF_HD float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400u) == 0);
            bits = sign | uint32_t(127 - 15 - e) << 23 | (mantissa & 0x3FFu) << 13;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | mantissa << 13;
    } else {
        bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
    }
    return bitsToFloat(bits);
}

// float -> IEEE half, round to nearest even (F16C's and ggml's rounding).
BF_HD uint16_t floatToHalf(float f)
{
    const uint32_t x = floatToBits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t absx = x & 0x7FFFFFFFu;
    if (absx >= 0x7F800000u)
        return uint16_t(sign | 0x7C00u | (absx > 0x7F800000u ? 0x200u : 0u));
    if (absx >= 0x477FF000u)
        return uint16_t(sign | 0x7C00u);
    if (absx < 0x38800000u) {
        if (absx < 0x33000000u)
            return uint16_t(sign);
        const uint32_t shift = 113 - (absx >> 23);
        const uint32_t mant = (absx & 0x7FFFFFu) | 0x800000u;
        uint32_t result = mant >> (shift + 13);
        const uint32_t rest = mant & ((1u << (shift + 13)) - 1);
        const uint32_t half = 1u << (shift + 12);
        if (rest > half || (rest == half && (result & 1u)))
            ++result;
        return uint16_t(sign | result);
    }
    uint32_t result = (absx - 0x38000000u) >> 13;
    const uint32_t rest = absx & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (result & 1u)))
        ++result;
    return uint16_t(sign | result);
}

BF_HD float bf16ToFloat(uint16_t h) { return bitsToFloat(uint32_t(h) << 16); }

BF_HD uint16_t floatToBf16(float f)
{
    const uint32_t u = floatToBits(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return uint16_t((u >> 16) | 64u);
    return uint16_t((u + (0x7FFFu + ((u >> 16) & 1u))) >> 16);
}

// The 6-bit scale and min of group j (0..7) of a Q4_K / Q5_K block.
BF_HD void scaleMinK(int j, const uint8_t* q, int& scale, int& min)
{
    if (j < 4) {
        scale = q[j] & 63;
        min = q[j + 4] & 63;
    } else {
        scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// ---- Activations ----------------------------------------------------------

// Q8_0 (x86 llama.cpp): d = amax / 127 stored as half, q = round-even(x * 127 / amax).
BF_HD uint16_t q8_0Scale(float amax) { return floatToHalf(divRn(amax, 127.f)); }
BF_HD float q8_0InverseScale(float amax) { return amax != 0.0f ? divRn(127.f, amax) : 0.0f; }
BF_HD int8_t q8_0Level(float x, float inverseScale) { return int8_t(int(roundEven(mulRn(x, inverseScale)))); }

// Q8_K: `max` is the value of largest magnitude (the first one on ties);
// q = min(127, nearest(-127 / max * x)), d = 1 / iscale.
BF_HD float q8_KInverseScale(float max) { return divRn(-127.f, max); }
BF_HD int8_t q8_KLevel(float x, float inverseScale) { return int8_t(mini(127, nearestInt(mulRn(inverseScale, x)))); }
BF_HD float q8_KScale(float inverseScale) { return divRn(1.0f, inverseScale); }

// The value of largest magnitude and its index: the first such index, as the
// CPU's strict '>' scan finds it. Lanes scan their elements in order, then
// merge in any order (the merge is a total order: magnitude, then index).
struct ArgMaxAbs {
    float amax = 0; // |max|; 0 when nothing was larger than 0
    float max = 0;
    int index = 0x7FFFFFFF;
};

BF_HD void scanArgMaxAbs(ArgMaxAbs& m, float x, int index)
{
    if (absf(x) > m.amax) {
        m.amax = absf(x);
        m.max = x;
        m.index = index;
    }
}

BF_HD void mergeArgMaxAbs(ArgMaxAbs& m, const ArgMaxAbs& other)
{
    if (other.amax > m.amax || (other.amax == m.amax && other.index < m.index))
        m = other;
}

// One block, serially: the composition the kernels parallelise.
BF_HD void quantizeBlockQ8_0(const float* x, BlockQ8_0& y)
{
    float amax = 0;
    for (int j = 0; j < kQK8_0; ++j)
        amax = maxf(amax, absf(x[j]));
    y.d = q8_0Scale(amax);
    const float id = q8_0InverseScale(amax);
    for (int j = 0; j < kQK8_0; ++j)
        y.qs[j] = q8_0Level(x[j], id);
}

BF_HD void quantizeBlockQ8_K(const float* x, BlockQ8_K& y)
{
    ArgMaxAbs m;
    for (int j = 0; j < kQK_K; ++j)
        scanArgMaxAbs(m, x[j], j);
    if (m.amax == 0) {
        y.d = 0;
        for (int j = 0; j < kQK_K; ++j)
            y.qs[j] = 0;
        for (int g = 0; g < kQK_K / 16; ++g)
            y.bsums[g] = 0;
        return;
    }
    const float iscale = q8_KInverseScale(m.max);
    for (int j = 0; j < kQK_K; ++j)
        y.qs[j] = q8_KLevel(x[j], iscale);
    for (int g = 0; g < kQK_K / 16; ++g) {
        int sum = 0;
        for (int l = 0; l < 16; ++l)
            sum += y.qs[16 * g + l];
        y.bsums[g] = int16_t(sum);
    }
    y.d = q8_KScale(iscale);
}

} // namespace bioforge::llm::hd
