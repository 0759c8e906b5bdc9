#pragma once

// The block dot products of the GPU kernels, __host__ __device__ like the rest
// of gpu_math.h and checked the same way (tst_gpu_math): each block's integer
// sums come from word-wise parts that neighbouring lanes read (Q6_K: byte-wise
// parts), and its float scaling is vec_dot_ref.cpp's, bit for bit.

#include "gpu/gpu_math.h"

namespace bioforge::llm::hd {

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
