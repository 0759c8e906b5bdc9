// AVX2 (+FMA, F16C) dot products. Compiled with those flags and only called
// when the CPU reports them (vec_dot.cpp). Each equals ref:: within float
// rounding (tst_quant_kernels).

#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/prefetch.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

namespace bioforge::llm::avx2 {
namespace {

// F16C: one instruction instead of the portable bit-twiddling.
inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline float hsum(__m256 v)
{
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

inline int hsumI32(__m256i v)
{
    __m128i lo = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0x4E));
    lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0xB1));
    return _mm_cvtsi128_si32(lo);
}

// Signed x signed bytes -> 8 int32 sums of 4 products (|x|, |y| <= 127: no saturation).
inline __m256i dotI8(__m256i x, __m256i y)
{
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
}

} // namespace

float dotF32(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}

float dotF16(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const uint16_t*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))),
                               _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(y + i))), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i + 8))),
                               _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(y + i + 8))), acc1);
    }
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        sum += halfToFloat(x[i]) * halfToFloat(y[i]);
    return sum;
}

void convertF16(const float* src, void* dst, int64_t n)
{
    auto* out = static_cast<uint16_t*>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i)
        out[i] = floatToHalf(src[i]);
}

float dotQ8_0(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        prefetchAhead<sizeof(BlockQ8_0)>(&x[b]);
        const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256 d = _mm256_set1_ps(h2f(x[b].d) * h2f(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dotI8(qx, qy)), acc);
    }
    return hsum(acc);
}

float dotQ4_0(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / kQK4_0; ++b) {
        prefetchAhead<sizeof(BlockQ4_0)>(&x[b]);
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m128i lo = _mm_and_si128(packed, lowMask);
        const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), lowMask);
        const __m256i qx = _mm256_sub_epi8(_mm256_set_m128i(hi, lo), eight);
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256 d = _mm256_set1_ps(h2f(x[b].d) * h2f(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dotI8(qx, qy)), acc);
    }
    return hsum(acc);
}

namespace {

// Σ_g sc[g] · (Σ q·q8 over group g) for the 8 groups of a Q4_K/Q5_K block;
// `high` adds the fifth bits of Q5_K (nullptr for Q4_K).
inline __m256i scaledGroupSums(const uint8_t* qs, const uint8_t* qh, const int8_t* q8, const uint8_t* sc)
{
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i bits = qh ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)) : _mm256_setzero_si256();
    __m256i sum = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
        const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
        __m256i lo = _mm256_and_si256(packed, lowMask);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowMask);
        if (qh) {
            lo = _mm256_add_epi8(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c), one), 4));
            hi = _mm256_add_epi8(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c + 1), one), 4));
        }
        const __m256i ylo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 64 * c));
        const __m256i yhi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 64 * c + 32));
        const __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, ylo), _mm256_set1_epi16(sc[2 * c]));
        const __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, yhi), _mm256_set1_epi16(sc[2 * c + 1]));
        sum = _mm256_add_epi32(sum, _mm256_add_epi32(plo, phi));
    }
    return sum;
}

template <typename Block>
float dotScaleMin(int64_t n, const Block* x, const BlockQ8_K* y, bool fifthBit)
{
    __m256 acc = _mm256_setzero_ps();
    float minTerm = 0;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(Block)>(&x[b]);
        uint8_t sc[8], m[8];
        int mins = 0;
        for (int g = 0; g < 8; ++g) {
            kQuantScaleMin(g, x[b].scales, &sc[g], &m[g]);
            mins += m[g] * (y[b].bsums[2 * g] + y[b].bsums[2 * g + 1]);
        }
        const uint8_t* qh = nullptr;
        if constexpr (sizeof(Block) == sizeof(BlockQ5_K))
            qh = fifthBit ? reinterpret_cast<const BlockQ5_K*>(&x[b])->qh : nullptr;
        const __m256i sums = scaledGroupSums(x[b].qs, qh, y[b].qs, sc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sums), acc);
        minTerm += h2f(x[b].dmin) * y[b].d * float(mins);
    }
    return hsum(acc) - minTerm;
}

} // namespace

float dotQ4_K(int64_t n, const void* w, const void* a)
{
    return dotScaleMin(n, static_cast<const BlockQ4_K*>(w), static_cast<const BlockQ8_K*>(a), false);
}

float dotQ5_K(int64_t n, const void* w, const void* a)
{
    return dotScaleMin(n, static_cast<const BlockQ5_K*>(w), static_cast<const BlockQ8_K*>(a), true);
}

float dotQ6_K(int64_t n, const void* w, const void* a)
{
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i twoBits = _mm256_set1_epi8(3);
    float result = 0;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(BlockQ6_K)>(&x[b]);
        __m256i sum = _mm256_setzero_si256();
        int offset = 0;
        for (int g = 0; g < 16; ++g)
            offset += x[b].scales[g] * y[b].bsums[g];
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const int8_t* sc = x[b].scales + 8 * half;
            const int8_t* q8 = y[b].qs + 128 * half;
            const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * half));
            // 6-bit values q + 32 in 0..63 (unsigned): low 4 bits from ql, high 2 from qh.
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, lowMask), _mm256_slli_epi16(_mm256_and_si256(h, twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(l1, lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), twoBits), 4)),
            };
            for (int k = 0; k < 4; ++k) {
                const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32 * k));
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], qy), scales));
            }
        }
        const int total = hsumI32(sum) - 32 * offset;
        result += h2f(x[b].d) * y[b].d * float(total);
    }
    return result;
}

} // namespace bioforge::llm::avx2
