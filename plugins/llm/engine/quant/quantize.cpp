#include "quant/quantize.h"

#include "quant/block_layouts.h"
#include "quant/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace bioforge::llm {

int nearestInt(float x)
{
    // Adding 1.5 * 2^23 leaves the rounded integer in the low mantissa bits
    // (the FPU rounds ties to even).
    float v = x + 12582912.f;
    int32_t i;
    std::memcpy(&i, &v, 4);
    return (i & 0x007fffff) - 0x00400000;
}

void quantizeRowQ4_0(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ4_0*>(dst);
    for (int64_t b = 0; b < n / kQK4_0; ++b) {
        const float* x = src + b * kQK4_0;
        float amax = 0, max = 0;
        for (int j = 0; j < kQK4_0; ++j)
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        const float d = max / -8;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        blocks[b].d = floatToHalf(d);
        for (int j = 0; j < kQK4_0 / 2; ++j) {
            const uint8_t q0 = uint8_t(std::min(15, int(int8_t(x[j] * id + 8.5f))));
            const uint8_t q1 = uint8_t(std::min(15, int(int8_t(x[j + kQK4_0 / 2] * id + 8.5f))));
            blocks[b].qs[j] = uint8_t(q0 | (q1 << 4));
        }
    }
}

void quantizeRowQ8_0(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const float* x = src + b * kQK8_0;
        float amax = 0;
        for (int j = 0; j < kQK8_0; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        blocks[b].d = floatToHalf(d);
        for (int j = 0; j < kQK8_0; ++j)
            blocks[b].qs[j] = int8_t(std::round(x[j] * id));
    }
}

namespace {

// Shared by Q4_K and Q5_K: per group of 32 a scale and a min (x ~ scale*q - min),
// 6-bit scales relative to super-block d and dmin.
template <typename Block>
void quantizeScaleMinBlock(const float* x, Block& y, int qmax, uint8_t* levels)
{
    float scales[8], mins[8];
    float maxScale = 0, maxMin = 0;
    for (int g = 0; g < 8; ++g) {
        float lo = x[32 * g], hi = x[32 * g];
        for (int l = 1; l < 32; ++l) {
            lo = std::min(lo, x[32 * g + l]);
            hi = std::max(hi, x[32 * g + l]);
        }
        lo = std::min(lo, 0.0f); // the min term subtracts: only non-positive offsets
        scales[g] = (hi - lo) / float(qmax);
        mins[g] = -lo;
        maxScale = std::max(maxScale, scales[g]);
        maxMin = std::max(maxMin, mins[g]);
    }
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    std::memset(y.scales, 0, sizeof y.scales);
    for (int g = 0; g < 8; ++g) {
        const uint8_t ls = uint8_t(std::min(63, nearestInt(invScale * scales[g])));
        const uint8_t lm = uint8_t(std::min(63, nearestInt(invMin * mins[g])));
        if (g < 4) {
            y.scales[g] = ls;
            y.scales[g + 4] = lm;
        } else {
            y.scales[g + 4] = uint8_t((ls & 0xF) | ((lm & 0xF) << 4));
            y.scales[g - 4] |= uint8_t((ls >> 4) << 6);
            y.scales[g] |= uint8_t((lm >> 4) << 6);
        }
    }
    y.d = floatToHalf(maxScale / 63.f);
    y.dmin = floatToHalf(maxMin / 63.f);
    for (int g = 0; g < 8; ++g) {
        uint8_t sc, m;
        kQuantScaleMin(g, y.scales, &sc, &m);
        const float d = halfToFloat(y.d) * sc;
        const float dm = halfToFloat(y.dmin) * m;
        for (int l = 0; l < 32; ++l)
            levels[32 * g + l] = d != 0 ? uint8_t(std::clamp(nearestInt((x[32 * g + l] + dm) / d), 0, qmax)) : 0;
    }
}

} // namespace

void quantizeRowQ4_K(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ4_K*>(dst);
    uint8_t levels[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        BlockQ4_K& y = blocks[b];
        quantizeScaleMinBlock(src + b * kQK_K, y, 15, levels);
        for (int chunk = 0; chunk < 4; ++chunk)
            for (int l = 0; l < 32; ++l)
                y.qs[32 * chunk + l] = uint8_t(levels[64 * chunk + l] | (levels[64 * chunk + 32 + l] << 4));
    }
}

void quantizeRowQ5_K(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ5_K*>(dst);
    uint8_t levels[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        BlockQ5_K& y = blocks[b];
        quantizeScaleMinBlock(src + b * kQK_K, y, 31, levels);
        std::memset(y.qh, 0, sizeof y.qh);
        uint8_t m1 = 1, m2 = 2;
        for (int chunk = 0; chunk < 4; ++chunk) {
            for (int l = 0; l < 32; ++l) {
                int l1 = levels[64 * chunk + l], l2 = levels[64 * chunk + 32 + l];
                if (l1 > 15) {
                    l1 -= 16;
                    y.qh[l] |= m1;
                }
                if (l2 > 15) {
                    l2 -= 16;
                    y.qh[l] |= m2;
                }
                y.qs[32 * chunk + l] = uint8_t(l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
        }
    }
}

void quantizeRowQ6_K(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ6_K*>(dst);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const float* x = src + b * kQK_K;
        BlockQ6_K& y = blocks[b];
        float scales[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int g = 0; g < 16; ++g) {
            float amax = 0, max = 0;
            for (int l = 0; l < 16; ++l)
                if (std::fabs(x[16 * g + l]) > amax) {
                    amax = std::fabs(x[16 * g + l]);
                    max = x[16 * g + l];
                }
            scales[g] = max / -32.f; // the largest magnitude maps to level -32
            if (std::fabs(scales[g]) > maxAbsScale) {
                maxAbsScale = std::fabs(scales[g]);
                maxScale = scales[g];
            }
        }
        std::memset(&y, 0, sizeof y);
        if (maxAbsScale < 1e-15f)
            continue;
        const float iscale = -128.f / maxScale;
        y.d = floatToHalf(1 / iscale);
        int8_t levels[kQK_K];
        for (int g = 0; g < 16; ++g) {
            y.scales[g] = int8_t(std::min(127, nearestInt(iscale * scales[g])));
            const float d = halfToFloat(y.d) * y.scales[g];
            for (int l = 0; l < 16; ++l)
                levels[16 * g + l] = int8_t(d != 0 ? std::clamp(nearestInt(x[16 * g + l] / d), -32, 31) + 32 : 32);
        }
        for (int half = 0; half < 2; ++half) {
            const int8_t* L = levels + 128 * half;
            uint8_t* ql = y.ql + 64 * half;
            uint8_t* qh = y.qh + 32 * half;
            for (int l = 0; l < 32; ++l) {
                ql[l] = uint8_t((L[l] & 0xF) | ((L[l + 64] & 0xF) << 4));
                ql[l + 32] = uint8_t((L[l + 32] & 0xF) | ((L[l + 96] & 0xF) << 4));
                qh[l] = uint8_t((L[l] >> 4) | ((L[l + 32] >> 4) << 2) | ((L[l + 64] >> 4) << 4) | ((L[l + 96] >> 4) << 6));
            }
        }
    }
}

void quantizeRow(GgmlType type, const float* src, void* dst, int64_t n)
{
    switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, size_t(n) * 4); break;
    case GgmlType::F16: convertActivationsF16(src, dst, n); break;
    case GgmlType::BF16: convertActivationsBF16(src, dst, n); break;
    case GgmlType::Q4_0: quantizeRowQ4_0(src, dst, n); break;
    case GgmlType::Q8_0: quantizeRowQ8_0(src, dst, n); break;
    case GgmlType::Q4_K: quantizeRowQ4_K(src, dst, n); break;
    case GgmlType::Q5_K: quantizeRowQ5_K(src, dst, n); break;
    case GgmlType::Q6_K: quantizeRowQ6_K(src, dst, n); break;
    case GgmlType::Q8_K: quantizeActivationsQ8_K(src, dst, n); break;
    default: break;
    }
}

void quantizeActivationsQ8_0(const float* src, void* dst, int64_t n)
{
    // x86 llama.cpp: multiplier 127/amax, round half to even.
    auto* blocks = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const float* x = src + b * kQK8_0;
        float amax = 0;
        for (int j = 0; j < kQK8_0; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        blocks[b].d = floatToHalf(amax / 127.f);
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        // A NaN product (a NaN element, or an infinite one times the zero multiplier of an infinite
        // maximum) is 0: converting NaN to an integer is undefined (llama.cpp's AVX2 form gives -128).
        for (int j = 0; j < kQK8_0; ++j) {
            const float q = std::nearbyint(x[j] * id);
            blocks[b].qs[j] = std::isnan(q) ? int8_t(0) : int8_t(q);
        }
    }
}

void quantizeActivationsQ8_K(const float* src, void* dst, int64_t n)
{
    auto* blocks = static_cast<BlockQ8_K*>(dst);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const float* x = src + b * kQK_K;
        BlockQ8_K& y = blocks[b];
        float max = 0, amax = 0;
        for (int j = 0; j < kQK_K; ++j)
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        if (amax == 0) {
            std::memset(&y, 0, sizeof y);
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < kQK_K; ++j)
            y.qs[j] = int8_t(std::min(127, nearestInt(iscale * x[j])));
        for (int g = 0; g < kQK_K / 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l)
                sum += y.qs[16 * g + l];
            y.bsums[g] = int16_t(sum);
        }
        y.d = 1 / iscale;
    }
}

void convertActivationsF16(const float* src, void* dst, int64_t n)
{
    auto* out = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i)
        out[i] = floatToHalf(src[i]);
}

void convertActivationsBF16(const float* src, void* dst, int64_t n)
{
    auto* out = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i)
        out[i] = floatToBf16(src[i]);
}

} // namespace bioforge::llm
