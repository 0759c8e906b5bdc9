// AVX-512 (BW, VL, VNNI) batched dot products. K-quants: the 256-bit
// algorithms of k_quant_many_x86.h with VNNI's fused multiply-accumulate
// (vpdpwssd) and 32 vector registers for more tokens in flight. Q8_0 and
// Q4_0: 512-bit registers over repacked activations (packed_q8_pairs.h).
// Only called when the CPU reports these features (vec_dot.cpp).

#include "quant/block_layouts.h"
#include "quant/k_quant_many_x86.h"
#include "quant/packed_q8_pairs.h"
#include "quant/prefetch.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace bioforge::llm::avx512 {
namespace {

// VNNI: the 16-bit multiply-accumulate of k_quant_many_x86.h in one instruction.
struct DpwssdMadd {
    static __m256i add(__m256i acc, __m256i words, __m256i scales) { return _mm256_dpwssd_epi32(acc, words, scales); }
};


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
#define CALL(T) scaleMinMany<T, DpwssdMadd>(n, static_cast<const BlockQ4_K*>(w), a, aStride, out, false)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) scaleMinMany<T, DpwssdMadd>(n, static_cast<const BlockQ5_K*>(w), a, aStride, out, true)
    BF_DISPATCH(CALL)
#undef CALL
}

void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
#define CALL(T) q6_KMany<T, DpwssdMadd>(n, w, a, aStride, out)
    BF_DISPATCH(CALL)
#undef CALL
}

#undef BF_DISPATCH

void dotRowsQ4_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    scaleMinRows<DpwssdMadd, BlockQ4_K, false>(n, w, rowBytes, rows, a, out);
}

void dotRowsQ5_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    scaleMinRows<DpwssdMadd, BlockQ5_K, true>(n, w, rowBytes, rows, a, out);
}

void dotRowsQ6_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    q6_KRows<DpwssdMadd>(n, w, rowBytes, rows, a, out);
}

} // namespace bioforge::llm::avx512
