#pragma once

// Per-element and per-block math of the GPU kernels, written once as
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
BF_HD int clampi(int v, int lo, int hi) { return v < lo ? lo : (hi < v ? hi : v); }

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

// ---- Block dot products ----------------------------------------------------
// Each block's contribution to the row's dot product, rounded exactly as
// vec_dot_ref.cpp rounds it before adding it to the sum. The integer sums come
// from the word-wise parts below (what the kernels run); Q6_K's from byte-wise
// parts.

// d·d8·scaled − dmin·d8·mins, in vec_dot_ref's order of roundings.
BF_HD float blockValueK(uint16_t d, uint16_t dmin, float d8, int scaled, int mins)
{
    return subRn(mulRn(mulRn(halfToFloat(d), d8), float(scaled)), mulRn(mulRn(halfToFloat(dmin), d8), float(mins)));
}

// Q6_K: part p (0..7) = half p / 4, positions l in [8 (p % 4), 8 (p % 4) + 8):
// adds Σ sc·q·q8 over its 32 weights to `scaled`.
BF_HD void partDotQ6_K(const BlockQ6_K& w, const BlockQ8_K& a, int p, int& scaled)
{
    const int half = p / 4;
    const uint8_t* ql = w.ql + 64 * half;
    const uint8_t* qh = w.qh + 32 * half;
    const int8_t* sc = w.scales + 8 * half;
    const int8_t* q8 = a.qs + 128 * half;
    const int l0 = 8 * (p % 4);
    for (int l = l0; l < l0 + 8; ++l) {
        const int group = l / 16;
        const int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        scaled += sc[group] * q1 * q8[l] + sc[group + 2] * q2 * q8[l + 32] + sc[group + 4] * q3 * q8[l + 64]
                  + sc[group + 6] * q4 * q8[l + 96];
    }
}

BF_HD float blockValueQ6_K(uint16_t d, float d8, int scaled) { return mulRn(mulRn(halfToFloat(d), d8), float(scaled)); }

// Elements of half-precision rows: the product each format's reference sums.
BF_HD float productF16(uint16_t w, uint16_t a) { return mulRn(halfToFloat(w), halfToFloat(a)); }
BF_HD float productBF16(uint16_t w, uint16_t a) { return mulRn(bf16ToFloat(w), bf16ToFloat(a)); }

// Parts per K-quant block that the kernels give to separate lanes.
constexpr int kPartsPerKBlock = 8;

// ---- Word-wise parts (what the kernels run) ----------------------------------
// The same integer sums as the byte-wise functions above, split so that the 8
// (K-quants) or 4 (Q8_0, Q4_0) lanes of a block read neighbouring 4-byte
// words: part p takes bytes [4p, 4p + 4) of every 32-byte chunk. Each part's
// sum differs from the byte-wise part's, but the parts of a block add up to
// the same integers, so the block's value (its float scaling) is unchanged.

// A 4-byte word at p: 4-byte aligned for load32, 2-byte aligned for load32x2.
BF_HD uint32_t load32(const uint8_t* p)
{
#ifdef BF_DEVICE_PASS
    return *reinterpret_cast<const uint32_t*>(p);
#else
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
#endif
}

BF_HD uint32_t load32x2(const uint8_t* p)
{
#ifdef BF_DEVICE_PASS
    const uint16_t* h = reinterpret_cast<const uint16_t*>(p);
    return uint32_t(h[0]) | uint32_t(h[1]) << 16;
#else
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
#endif
}

// Σ of the four signed-byte products of a and b, plus c (CUDA's __dp4a).
BF_HD int dp4a(uint32_t a, uint32_t b, int c)
{
#if defined(BF_DEVICE_PASS) && !defined(__HIP_DEVICE_COMPILE__)
    return __dp4a(int(a), int(b), c);
#else
    for (int i = 0; i < 4; ++i)
        c += int(int8_t(uint8_t(a >> (8 * i)))) * int(int8_t(uint8_t(b >> (8 * i))));
    return c;
#endif
}

// A K-quant part's weights in registers: per chunk c its two 4-level-byte
// words (group 2c, group 2c+1: 4 or 5-bit levels, one per byte), the 8 group
// scales, and group p's min. Loaded once, used for every token.
struct KPartWeights {
    uint32_t level[8]; // [2c]: group 2c's bytes 4p..4p+3, [2c+1]: group 2c+1's
    int scale[8];
    int min;
};

BF_HD KPartWeights loadPartQ4_K(const BlockQ4_K& w, int p)
{
    KPartWeights r;
    for (int c = 0; c < 4; ++c) {
        const uint32_t wq = load32(w.qs + 32 * c + 4 * p);
        r.level[2 * c] = wq & 0x0F0F0F0Fu;
        r.level[2 * c + 1] = (wq >> 4) & 0x0F0F0F0Fu;
    }
    int m;
    for (int g = 0; g < 8; ++g)
        scaleMinK(g, w.scales, r.scale[g], m);
    scaleMinK(p, w.scales, m, r.min);
    return r;
}

// Q5_K: the fifth bit of group g from bit g of each qh byte.
BF_HD KPartWeights loadPartQ5_K(const BlockQ5_K& w, int p)
{
    KPartWeights r;
    const uint32_t qh = load32(w.qh + 4 * p);
    for (int c = 0; c < 4; ++c) {
        const uint32_t wq = load32(w.qs + 32 * c + 4 * p);
        r.level[2 * c] = (wq & 0x0F0F0F0Fu) | (((qh >> (2 * c)) & 0x01010101u) << 4);
        r.level[2 * c + 1] = ((wq >> 4) & 0x0F0F0F0Fu) | (((qh >> (2 * c + 1)) & 0x01010101u) << 4);
    }
    int m;
    for (int g = 0; g < 8; ++g)
        scaleMinK(g, w.scales, r.scale[g], m);
    scaleMinK(p, w.scales, m, r.min);
    return r;
}

// Part p against one token's Q8_K block: adds Σ_g sc[g]·(its levels · q8) to
// `scaled` and group p's min term to `mins`.
BF_HD void dotPartK(const KPartWeights& r, const BlockQ8_K& a, int p, int& scaled, int& mins)
{
    const auto* q8 = reinterpret_cast<const uint8_t*>(a.qs);
    for (int g = 0; g < 8; ++g)
        scaled += r.scale[g] * dp4a(r.level[g], load32(q8 + 32 * g + 4 * p), 0);
    mins += r.min * (a.bsums[2 * p] + a.bsums[2 * p + 1]);
}

// Parts per Q8_0 / Q4_0 block.
constexpr int kPartsPerBlock = 4;

// A Q8_0 / Q4_0 part's weights in registers (Q4_0: levels − 8 as signed bytes).
struct BlockPartWeights {
    uint32_t word[2];
};

// Q8_0 part p (0..3): elements 8p .. 8p+7 (2-byte aligned words).
BF_HD BlockPartWeights loadPartQ8_0(const BlockQ8_0& w, int p)
{
    const auto* wq = reinterpret_cast<const uint8_t*>(w.qs) + 8 * p;
    return {{load32x2(wq), load32x2(wq + 4)}};
}

BF_HD int dotPartQ8_0(const BlockPartWeights& r, const BlockQ8_0& a, int p)
{
    const auto* aq = reinterpret_cast<const uint8_t*>(a.qs) + 8 * p;
    return dp4a(r.word[0], load32x2(aq), dp4a(r.word[1], load32x2(aq + 4), 0));
}

// Q4_0 part p (0..3): elements 4p .. 4p+3 (low nibbles) and 16+4p .. 19+4p (high).
BF_HD BlockPartWeights loadPartQ4_0(const BlockQ4_0& w, int p)
{
    const uint32_t wq = load32x2(w.qs + 4 * p);
    // q − 8 per byte as a signed byte: (q + 0x78) ^ 0x80 (no carry between bytes: q + 0x78 ≤ 0x87).
    const uint32_t lo = wq & 0x0F0F0F0Fu, hi = (wq >> 4) & 0x0F0F0F0Fu;
    return {{(lo + 0x78787878u) ^ 0x80808080u, (hi + 0x78787878u) ^ 0x80808080u}};
}

BF_HD int dotPartQ4_0(const BlockPartWeights& r, const BlockQ8_0& a, int p)
{
    const auto* aq = reinterpret_cast<const uint8_t*>(a.qs);
    return dp4a(r.word[0], load32x2(aq + 4 * p), dp4a(r.word[1], load32x2(aq + 16 + 4 * p), 0));
}

// The block's value from its parts' integer sum, as blockDotQ8_0 / blockDotQ4_0 round it.
BF_HD float blockValueQ8(uint16_t wd, uint16_t ad, int isum) { return mulRn(float(isum), mulRn(halfToFloat(wd), halfToFloat(ad))); }

// Whole blocks from their parts (the host emulation, the tests).
BF_HD float blockDotQ8_0(const BlockQ8_0& w, const BlockQ8_0& a)
{
    int isum = 0;
    for (int p = 0; p < kPartsPerBlock; ++p)
        isum += dotPartQ8_0(loadPartQ8_0(w, p), a, p);
    return blockValueQ8(w.d, a.d, isum);
}

BF_HD float blockDotQ4_0(const BlockQ4_0& w, const BlockQ8_0& a)
{
    int isum = 0;
    for (int p = 0; p < kPartsPerBlock; ++p)
        isum += dotPartQ4_0(loadPartQ4_0(w, p), a, p);
    return blockValueQ8(w.d, a.d, isum);
}

BF_HD float blockDotQ4_K(const BlockQ4_K& w, const BlockQ8_K& a)
{
    int scaled = 0, mins = 0;
    for (int p = 0; p < kPartsPerKBlock; ++p)
        dotPartK(loadPartQ4_K(w, p), a, p, scaled, mins);
    return blockValueK(w.d, w.dmin, a.d, scaled, mins);
}

BF_HD float blockDotQ5_K(const BlockQ5_K& w, const BlockQ8_K& a)
{
    int scaled = 0, mins = 0;
    for (int p = 0; p < kPartsPerKBlock; ++p)
        dotPartK(loadPartQ5_K(w, p), a, p, scaled, mins);
    return blockValueK(w.d, w.dmin, a.d, scaled, mins);
}

BF_HD float blockDotQ6_K(const BlockQ6_K& w, const BlockQ8_K& a)
{
    int scaled = 0;
    for (int p = 0; p < kPartsPerKBlock; ++p)
        partDotQ6_K(w, a, p, scaled);
    return blockValueQ6_K(w.d, a.d, scaled);
}

} // namespace bioforge::llm::hd
