// AVX-512 (BW, VL, VNNI) batched dot products. K-quants: the AVX2
// algorithms on 256-bit registers with VNNI's fused multiply-accumulate
// (vpdpwssd), 32 vector registers for more tokens in flight, and the
// per-group minimum / offset terms done with vector multiply-adds. Q8_0 and
// Q4_0: 512-bit registers over repacked activations (packed_q8_pairs.h).
// Only called when the CPU reports these features (vec_dot.cpp).

#include "quant/block_layouts.h"
#include "quant/packed_q8_pairs.h"
#include "quant/prefetch.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace bioforge::llm::avx512 {
namespace {

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline float hsum(__m256 v)
{
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

template <typename Block>
inline const Block* rowOf(const void* a, size_t stride, int j)
{
    return reinterpret_cast<const Block*>(static_cast<const uint8_t*>(a) + size_t(j) * stride);
}

inline __m256i loadI(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// The 16-bit value of element i of v in every element: a vpshufb per group
// instead of a broadcast from a general register.
inline __m256i spread16(__m256i v, int i)
{
    return _mm256_shuffle_epi8(v, _mm256_set1_epi16(short(((2 * i + 1) << 8) | (2 * i))));
}

// Per block: scales and mins unpacked with word operations (kQuantScalesMins)
// into one vector, each group's scale spread by a byte shuffle, the min terms
// as one multiply-add of the 16 bsums with each min repeated twice.
template <int T, typename Block>
void scaleMinMany(int64_t n, const Block* x, const void* a, size_t aStride, float* out, bool fifthBit)
{
    __m256 acc[T], minAcc[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = minAcc[j] = _mm256_setzero_ps();
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    // Bytes 0..7 of a 128-bit lane -> each repeated: m0 m0 m1 m1 ... m7 m7.
    const __m128i repeatPairs = _mm_set_epi8(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(Block)>(&x[b]);
        alignas(16) uint8_t scalesMins[16];
        kQuantScalesMins(x[b].scales, scalesMins);
        const __m128i sm = _mm_load_si128(reinterpret_cast<const __m128i*>(scalesMins));
        const __m128i scales8 = _mm_cvtepu8_epi16(sm); // 8 scales as 16-bit
        const __m256i scales = _mm256_set_m128i(scales8, scales8);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(_mm_srli_si128(sm, 8), repeatPairs));
        const uint8_t* qh = nullptr;
        if constexpr (sizeof(Block) == sizeof(BlockQ5_K))
            qh = fifthBit ? reinterpret_cast<const BlockQ5_K*>(&x[b])->qh : nullptr;
        const __m256i bits = qh ? loadI(qh) : _mm256_setzero_si256();
        __m256i sums[T];
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j)
            sums[j] = _mm256_setzero_si256();
        #pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m256i packed = loadI(x[b].qs + 32 * c);
            __m256i lo = _mm256_and_si256(packed, lowMask);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowMask);
            if (qh) {
                lo = _mm256_add_epi8(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c), one), 4));
                hi = _mm256_add_epi8(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 2 * c + 1), one), 4));
            }
            const __m256i scLo = spread16(scales, 2 * c), scHi = spread16(scales, 2 * c + 1);
            #pragma GCC unroll 8
            for (int j = 0; j < T; ++j) {
                const int8_t* q8 = rowOf<BlockQ8_K>(a, aStride, j)[b].qs + 64 * c;
                sums[j] = _mm256_dpwssd_epi32(sums[j], _mm256_maddubs_epi16(lo, loadI(q8)), scLo);
                sums[j] = _mm256_dpwssd_epi32(sums[j], _mm256_maddubs_epi16(hi, loadI(q8 + 32)), scHi);
            }
        }
        const __m256 d = _mm256_set1_ps(h2f(x[b].d)), dmin = _mm256_set1_ps(h2f(x[b].dmin));
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_K& y = rowOf<BlockQ8_K>(a, aStride, j)[b];
            const __m256 dy = _mm256_set1_ps(y.d);
            const __m256i minSums = _mm256_madd_epi16(loadI(y.bsums), mins);
            acc[j] = _mm256_fmadd_ps(_mm256_mul_ps(d, dy), _mm256_cvtepi32_ps(sums[j]), acc[j]);
            minAcc[j] = _mm256_fmadd_ps(_mm256_mul_ps(dmin, dy), _mm256_cvtepi32_ps(minSums), minAcc[j]);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(_mm256_sub_ps(acc[j], minAcc[j]));
}

template <int T>
void q6_KMany(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i twoBits = _mm256_set1_epi8(3);
    __m256 acc[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        prefetchAhead<sizeof(BlockQ6_K)>(&x[b]);
        // q is stored as q + 32 (unsigned); Σ scale·(q+32)·y − 32·Σ scale·bsum removes the offset.
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales)));
        __m256i sums[T];
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j)
            sums[j] = _mm256_setzero_si256();
        #pragma GCC unroll 2
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            // This half's 8 scales in both 128-bit lanes (vpshufb picks within a lane).
            const __m256i halfScales = half == 0 ? _mm256_permute4x64_epi64(scales16, 0x44) : _mm256_permute4x64_epi64(scales16, 0xEE);
            const __m256i l0 = loadI(ql), l1 = loadI(ql + 32);
            const __m256i h = loadI(x[b].qh + 32 * half);
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, lowMask), _mm256_slli_epi16(_mm256_and_si256(h, twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(l1, lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), twoBits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), lowMask), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), twoBits), 4)),
            };
            #pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) {
                // Low lane: group 2k's scale, high lane: group 2k+1's.
                const __m256i scales = _mm256_shuffle_epi8(
                    halfScales, _mm256_set_m128i(_mm_set1_epi16(short(((4 * k + 3) << 8) | (4 * k + 2))),
                                                 _mm_set1_epi16(short(((4 * k + 1) << 8) | (4 * k)))));
                #pragma GCC unroll 8
                for (int j = 0; j < T; ++j) {
                    const int8_t* q8 = rowOf<BlockQ8_K>(a, aStride, j)[b].qs + 128 * half + 32 * k;
                    sums[j] = _mm256_dpwssd_epi32(sums[j], _mm256_maddubs_epi16(q[k], loadI(q8)), scales);
                }
            }
        }
        const float d = h2f(x[b].d);
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_K& y = rowOf<BlockQ8_K>(a, aStride, j)[b];
            const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(loadI(y.bsums), scales16), 5);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * y.d), _mm256_cvtepi32_ps(_mm256_sub_epi32(sums[j], offset)), acc[j]);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(acc[j]);
}

// Q8_0-activation formats on 512-bit registers, two weight blocks at a time
// (one in each half of a register) against activations in the PackedQ8Pair
// layout (unsigned quants q + 128, the same halves, float scales). vpdpbusd takes the
// unsigned activations and signed weights directly; the +128 offset is
// removed by starting each sum at -128 * (sum of the weights' four bytes per
// lane), computed once per weight pair for all tokens. Per token and pair:
// one vpdpbusd, one conversion, one scale product, one FMA.
template <int T, typename WeightPair>
void q8PairsMany(int64_t n, const void* a, size_t aStride, float* out, WeightPair weights)
{
    static_assert(T >= 1 && T <= 8, "tiles hold up to eight tokens");
    __m512 acc[T];
#pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = _mm512_setzero_ps();
    const __m512i offset = _mm512_set1_epi8(char(0x80));
    const __m512i zero = _mm512_setzero_si512();
    const int64_t pairs = packedQ8PairCount(n);
    const bool oddTail = (n / kQK8_0) % 2 != 0;
    auto step = [&](int64_t p, bool second) {
        __m512i w;
        __m512 dw;
        weights(p, second, w, dw);
        const __m512i start = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, offset, w));
#pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const PackedQ8Pair& y = static_cast<const PackedQ8Pair*>(static_cast<const void*>(static_cast<const uint8_t*>(a) + size_t(j) * aStride))[p];
            const __m512i sums = _mm512_dpbusd_epi32(start, _mm512_load_si512(y.u), w);
            acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), _mm512_mul_ps(dw, _mm512_load_ps(y.d)), acc[j]);
        }
    };
    const int64_t full = oddTail ? pairs - 1 : pairs;
    for (int64_t p = 0; p < full; ++p)
        step(p, true);
    if (oddTail)
        step(pairs - 1, false);
#pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = _mm512_reduce_add_ps(acc[j]);
}

// Two blocks' fp16 scales as floats: lanes 0-7 the first's, 8-15 the second's
// (0 when absent). Both halves go through one conversion.
inline __m512 pairScales(uint16_t first, uint16_t second)
{
    const __m128 both = _mm_cvtph_ps(_mm_insert_epi16(_mm_cvtsi32_si128(first), second, 1));
    const __m512i halves = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(both));
}

template <int T>
void q8_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    q8PairsMany<T>(n, a, aStride, out, [&](int64_t p, bool second, __m512i& q, __m512& d) {
        const BlockQ8_0& b0 = x[2 * p];
        prefetchAhead<2 * sizeof(BlockQ8_0)>(&b0);
        const __m256i q1 = second ? loadI(x[2 * p + 1].qs) : _mm256_setzero_si256();
        q = _mm512_inserti64x4(_mm512_castsi256_si512(loadI(b0.qs)), q1, 1);
        d = pairScales(b0.d, second ? x[2 * p + 1].d : 0);
    });
}

template <int T>
void q4_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const __m512i lowMask = _mm512_set1_epi8(0x0F);
    const __m512i eight = _mm512_set1_epi8(8);
    q8PairsMany<T>(n, a, aStride, out, [&](int64_t p, bool second, __m512i& q, __m512& d) {
        const BlockQ4_0& b0 = x[2 * p];
        prefetchAhead<2 * sizeof(BlockQ4_0)>(&b0);
        const __m128i p0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b0.qs));
        const __m128i p1 = second ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[2 * p + 1].qs)) : _mm_set1_epi8(char(0x88));
        const __m256i packed = _mm256_set_m128i(p1, p0);
        // [lo0 lo1 hi0 hi1] (128-bit lanes) -> [lo0 hi0 | lo1 hi1]: each block's 32 quants in order, in its half.
        const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(packed), _mm256_srli_epi16(packed, 4), 1);
        q = _mm512_sub_epi8(_mm512_and_si512(_mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(3, 1, 2, 0)), lowMask), eight);
        d = pairScales(b0.d, second ? x[2 * p + 1].d : 0);
    });
}

} // namespace

#define BF_DISPATCH(call)                              \
    switch (tokens) {                                  \
    case 1: call(1); break;                            \
    case 2: call(2); break;                            \
    case 3: call(3); break;                            \
    case 4: call(4); break;                            \
    case 5: call(5); break;                            \
    case 6: call(6); break;                            \
    case 7: call(7); break;                            \
    default: call(8); break;                           \
    }

void dotManyQ8_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) q8_0Many<T>(n, w, a, aStride, out)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ4_0(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) q4_0Many<T>(n, w, a, aStride, out)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ4_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) scaleMinMany<T>(n, static_cast<const BlockQ4_K*>(w), a, aStride, out, false)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) scaleMinMany<T>(n, static_cast<const BlockQ5_K*>(w), a, aStride, out, true)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) q6_KMany<T>(n, w, a, aStride, out)
    BF_DISPATCH(CALL)
#undef CALL
}

#undef BF_DISPATCH

} // namespace bioforge::llm::avx512
