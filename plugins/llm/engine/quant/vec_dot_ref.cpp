// Scalar reference dot products: integer sums per block, scaled once per
// block, as the formats define them.

#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/vec_dot.h"

namespace bioforge::llm::ref {

void axpyF32(int64_t n, float a, const float* x, float* y)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] += a * x[i];
}

float dotF32(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += double(x[i] * y[i]);
    return float(sum);
}

float dotF16(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const uint16_t*>(a);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += double(halfToFloat(x[i]) * halfToFloat(y[i]));
    return float(sum);
}

float dotBF16(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const uint16_t*>(a);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += double(bf16ToFloat(x[i]) * bf16ToFloat(y[i]));
    return float(sum);
}

float dotQ4_0(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0;
    for (int64_t b = 0; b < n / kQK4_0; ++b) {
        int isum = 0;
        for (int j = 0; j < kQK4_0 / 2; ++j) {
            isum += ((x[b].qs[j] & 0x0F) - 8) * y[b].qs[j];
            isum += ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + kQK4_0 / 2];
        }
        sum += float(isum) * (halfToFloat(x[b].d) * halfToFloat(y[b].d));
    }
    return sum;
}

float dotQ8_0(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0;
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        int isum = 0;
        for (int j = 0; j < kQK8_0; ++j)
            isum += x[b].qs[j] * y[b].qs[j];
        sum += float(isum) * (halfToFloat(x[b].d) * halfToFloat(y[b].d));
    }
    return sum;
}

float dotQ4_K(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        int scaled = 0, mins = 0;
        for (int g = 0; g < 8; ++g) {
            uint8_t sc, m;
            kQuantScaleMin(g, x[b].scales, &sc, &m);
            const uint8_t* q = x[b].qs + 32 * (g / 2);
            const int8_t* q8 = y[b].qs + 32 * g;
            int isum = 0;
            for (int l = 0; l < 32; ++l)
                isum += int(g % 2 == 0 ? q[l] & 0xF : q[l] >> 4) * q8[l];
            scaled += sc * isum;
            mins += m * (y[b].bsums[2 * g] + y[b].bsums[2 * g + 1]);
        }
        sum += halfToFloat(x[b].d) * y[b].d * float(scaled) - halfToFloat(x[b].dmin) * y[b].d * float(mins);
    }
    return sum;
}

float dotQ5_K(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        int scaled = 0, mins = 0;
        for (int g = 0; g < 8; ++g) {
            uint8_t sc, m;
            kQuantScaleMin(g, x[b].scales, &sc, &m);
            const uint8_t* q = x[b].qs + 32 * (g / 2);
            const int8_t* q8 = y[b].qs + 32 * g;
            int isum = 0;
            for (int l = 0; l < 32; ++l) {
                const int low = g % 2 == 0 ? q[l] & 0xF : q[l] >> 4;
                const int high = (x[b].qh[l] >> g) & 1;
                isum += (low + 16 * high) * q8[l];
            }
            scaled += sc * isum;
            mins += m * (y[b].bsums[2 * g] + y[b].bsums[2 * g + 1]);
        }
        sum += halfToFloat(x[b].d) * y[b].d * float(scaled) - halfToFloat(x[b].dmin) * y[b].d * float(mins);
    }
    return sum;
}

float dotQ6_K(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        int scaled = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const uint8_t* qh = x[b].qh + 32 * half;
            const int8_t* sc = x[b].scales + 8 * half;
            const int8_t* q8 = y[b].qs + 128 * half;
            for (int l = 0; l < 32; ++l) {
                const int group = l / 16;
                const int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                scaled += sc[group] * q1 * q8[l] + sc[group + 2] * q2 * q8[l + 32] + sc[group + 4] * q3 * q8[l + 64]
                          + sc[group + 6] * q4 * q8[l + 96];
            }
        }
        sum += halfToFloat(x[b].d) * y[b].d * float(scaled);
    }
    return sum;
}

} // namespace bioforge::llm::ref
