// AVX2 batched dot products: one weight row against up to four activation
// rows. Each weight block is decoded (scales, nibbles, high bits) once and
// reused for every token — the prompt-processing fast path. Results equal
// the single-token kernels' within float rounding (tst_quant_kernels).

#include "quant/block_layouts.h"
#include "quant/prefetch.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

namespace bioforge::llm::avx2 {
namespace {

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

template <typename Block>
inline const Block* rowOf(const void* a, size_t stride, int j)
{
    return reinterpret_cast<const Block*>(static_cast<const uint8_t*>(a) + size_t(j) * stride);
}

// Q8_0-activation formats (Q8_0 and Q4_0 weights): `weights(b)` gives the 32
// signed weight bytes of block b.
template <int T, typename WBlock, typename Unpack>
void dotManyQ8Blocks(int64_t n, const WBlock* x, const void* a, size_t aStride, float* out, Unpack weights)
{
    __m256 acc[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        prefetchAhead<sizeof(WBlock)>(&x[b]);
        const __m256i qx = weights(b);
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        const float dx = h2f(x[b].d);
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_0& y = rowOf<BlockQ8_0>(a, aStride, j)[b];
            const __m256i sy = _mm256_sign_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.qs)), qx);
            const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), ones));
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dx * h2f(y.d)), p, acc[j]);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(acc[j]);
}

template <int T>
void q8_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    dotManyQ8Blocks<T>(n, x, a, aStride, out, [&](int64_t b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs)); });
}

template <int T>
void q4_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    dotManyQ8Blocks<T>(n, x, a, aStride, out, [&](int64_t b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m128i lo = _mm_and_si128(packed, lowMask);
        const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), lowMask);
        return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), eight);
    });
}

// Q4_K and Q5_K: 8 groups of 32 with 6-bit scales and mins.
template <int T, typename Block>
void scaleMinMany(int64_t n, const Block* x, const void* a, size_t aStride, float* out, bool fifthBit)
{
    __m256 acc[T];
    float minTerm[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j) {
        acc[j] = _mm256_setzero_ps();
        minTerm[j] = 0;
    }
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(Block)>(&x[b]);
        uint8_t sc[8], m[8];
        for (int g = 0; g < 8; ++g)
            kQuantScaleMin(g, x[b].scales, &sc[g], &m[g]);
        const uint8_t* qh = nullptr;
        if constexpr (sizeof(Block) == sizeof(BlockQ5_K))
            qh = fifthBit ? reinterpret_cast<const BlockQ5_K*>(&x[b])->qh : nullptr;
        const __m256i bits = qh ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)) : _mm256_setzero_si256();
        __m256i sums[T];
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j)
            sums[j] = _mm256_setzero_si256();
        #pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs + 32 * c));
            __m256i lo = _mm256_and_si256(packed, lowMask);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowMask);
            if (qh) {
                lo = _mm256_add_epi8(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c), one), 4));
                hi = _mm256_add_epi8(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c + 1), one), 4));
            }
            const __m256i scLo = _mm256_set1_epi16(sc[2 * c]), scHi = _mm256_set1_epi16(sc[2 * c + 1]);
            #pragma GCC unroll 8
            for (int j = 0; j < T; ++j) {
                const int8_t* q8 = rowOf<BlockQ8_K>(a, aStride, j)[b].qs + 64 * c;
                const __m256i ylo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8));
                const __m256i yhi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32));
                sums[j] = _mm256_add_epi32(sums[j], _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(lo, ylo), scLo),
                                                                     _mm256_madd_epi16(_mm256_maddubs_epi16(hi, yhi), scHi)));
            }
        }
        const float d = h2f(x[b].d), dmin = h2f(x[b].dmin);
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_K& y = rowOf<BlockQ8_K>(a, aStride, j)[b];
            int mins = 0;
            for (int g = 0; g < 8; ++g)
                mins += m[g] * (y.bsums[2 * g] + y.bsums[2 * g + 1]);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * y.d), _mm256_cvtepi32_ps(sums[j]), acc[j]);
            minTerm[j] += dmin * y.d * float(mins);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(acc[j]) - minTerm[j];
}

template <int T>
void q6_KMany(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i twoBits = _mm256_set1_epi8(3);
    float result[T] = {};
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(BlockQ6_K)>(&x[b]);
        __m256i sums[T];
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j)
            sums[j] = _mm256_setzero_si256();
        #pragma GCC unroll 2
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const int8_t* sc = x[b].scales + 8 * half;
            const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * half));
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, lowMask), _mm256_slli_epi16(_mm256_and_si256(h, twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(l1, lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), twoBits), 4)),
            };
            #pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) {
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                #pragma GCC unroll 8
                for (int j = 0; j < T; ++j) {
                    const int8_t* q8 = rowOf<BlockQ8_K>(a, aStride, j)[b].qs + 128 * half + 32 * k;
                    const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8));
                    sums[j] = _mm256_add_epi32(sums[j], _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], qy), scales));
                }
            }
        }
        const float d = h2f(x[b].d);
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_K& y = rowOf<BlockQ8_K>(a, aStride, j)[b];
            int offset = 0;
            for (int g = 0; g < 16; ++g)
                offset += x[b].scales[g] * y.bsums[g];
            result[j] += d * y.d * float(hsumI32(sums[j]) - 32 * offset);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = result[j];
}

} // namespace

#define BF_DISPATCH(fn, ...)                          \
    switch (tokens) {                                 \
    case 1: fn<1>(__VA_ARGS__); break;                \
    case 2: fn<2>(__VA_ARGS__); break;                \
    case 3: fn<3>(__VA_ARGS__); break;                \
    default: fn<4>(__VA_ARGS__); break;               \
    }

void dotManyQ8_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    BF_DISPATCH(q8_0Many, n, w, a, aStride, out)
}

void dotManyQ4_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    BF_DISPATCH(q4_0Many, n, w, a, aStride, out)
}

void dotManyQ4_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    const auto* x = static_cast<const BlockQ4_K*>(w);
    switch (tokens) {
    case 1: scaleMinMany<1>(n, x, a, aStride, out, false); break;
    case 2: scaleMinMany<2>(n, x, a, aStride, out, false); break;
    case 3: scaleMinMany<3>(n, x, a, aStride, out, false); break;
    default: scaleMinMany<4>(n, x, a, aStride, out, false); break;
    }
}

void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    const auto* x = static_cast<const BlockQ5_K*>(w);
    switch (tokens) {
    case 1: scaleMinMany<1>(n, x, a, aStride, out, true); break;
    case 2: scaleMinMany<2>(n, x, a, aStride, out, true); break;
    case 3: scaleMinMany<3>(n, x, a, aStride, out, true); break;
    default: scaleMinMany<4>(n, x, a, aStride, out, true); break;
    }
}

void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    BF_DISPATCH(q6_KMany, n, w, a, aStride, out)
}

#undef BF_DISPATCH

} // namespace bioforge::llm::avx2
