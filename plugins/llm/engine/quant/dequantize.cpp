#include "quant/dequantize.h"

#include "quant/block_layouts.h"
#include "quant/half.h"

#include <cstring>

namespace bioforge::llm {

void dequantizeRowQ4_0(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ4_0*>(src);
    for (int64_t b = 0; b < n / kQK4_0; ++b) {
        const float d = halfToFloat(blocks[b].d);
        for (int j = 0; j < kQK4_0 / 2; ++j) {
            dst[b * kQK4_0 + j] = float((blocks[b].qs[j] & 0x0F) - 8) * d;
            dst[b * kQK4_0 + j + kQK4_0 / 2] = float((blocks[b].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantizeRowQ8_0(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ8_0*>(src);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const float d = halfToFloat(blocks[b].d);
        for (int j = 0; j < kQK8_0; ++j)
            dst[b * kQK8_0 + j] = float(blocks[b].qs[j]) * d;
    }
}

void dequantizeRowQ4_K(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ4_K*>(src);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const BlockQ4_K& x = blocks[b];
        const float d = halfToFloat(x.d);
        const float dmin = halfToFloat(x.dmin);
        const uint8_t* q = x.qs;
        for (int chunk = 0; chunk < 4; ++chunk) {
            uint8_t sc, m;
            kQuantScaleMin(2 * chunk, x.scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            kQuantScaleMin(2 * chunk + 1, x.scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *dst++ = d1 * float(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l)
                *dst++ = d2 * float(q[l] >> 4) - m2;
            q += 32;
        }
    }
}

void dequantizeRowQ5_K(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ5_K*>(src);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const BlockQ5_K& x = blocks[b];
        const float d = halfToFloat(x.d);
        const float dmin = halfToFloat(x.dmin);
        const uint8_t* ql = x.qs;
        uint8_t u1 = 1, u2 = 2;
        for (int chunk = 0; chunk < 4; ++chunk) {
            uint8_t sc, m;
            kQuantScaleMin(2 * chunk, x.scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            kQuantScaleMin(2 * chunk + 1, x.scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *dst++ = d1 * float((ql[l] & 0xF) + (x.qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *dst++ = d2 * float((ql[l] >> 4) + (x.qh[l] & u2 ? 16 : 0)) - m2;
            ql += 32;
            u1 <<= 2;
            u2 <<= 2;
        }
    }
}

void dequantizeRowQ6_K(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ6_K*>(src);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        const BlockQ6_K& x = blocks[b];
        const float d = halfToFloat(x.d);
        const uint8_t* ql = x.ql;
        const uint8_t* qh = x.qh;
        const int8_t* sc = x.scales;
        for (int half = 0; half < 2; ++half) {
            for (int l = 0; l < 32; ++l) {
                const int group = l / 16;
                const int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                dst[l] = d * float(sc[group]) * float(q1);
                dst[l + 32] = d * float(sc[group + 2]) * float(q2);
                dst[l + 64] = d * float(sc[group + 4]) * float(q3);
                dst[l + 96] = d * float(sc[group + 6]) * float(q4);
            }
            dst += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

void dequantizeRowQ8_K(const void* src, float* dst, int64_t n)
{
    const auto* blocks = static_cast<const BlockQ8_K*>(src);
    for (int64_t b = 0; b < n / kQK_K; ++b)
        for (int j = 0; j < kQK_K; ++j)
            *dst++ = blocks[b].d * float(blocks[b].qs[j]);
}

void dequantizeRow(GgmlType type, const void* src, float* dst, int64_t n)
{
    switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, size_t(n) * 4); break;
    case GgmlType::F16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = halfToFloat(h[i]);
        break;
    }
    case GgmlType::BF16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = bf16ToFloat(h[i]);
        break;
    }
    case GgmlType::Q4_0: dequantizeRowQ4_0(src, dst, n); break;
    case GgmlType::Q8_0: dequantizeRowQ8_0(src, dst, n); break;
    case GgmlType::Q4_K: dequantizeRowQ4_K(src, dst, n); break;
    case GgmlType::Q5_K: dequantizeRowQ5_K(src, dst, n); break;
    case GgmlType::Q6_K: dequantizeRowQ6_K(src, dst, n); break;
    case GgmlType::Q8_K: dequantizeRowQ8_K(src, dst, n); break;
    default: std::memset(dst, 0, size_t(n) * 4); break; // callers check ggmlTypeSupported() first
    }
}

} // namespace bioforge::llm
