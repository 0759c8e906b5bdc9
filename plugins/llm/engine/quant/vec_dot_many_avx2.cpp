// AVX2 batched dot products: one weight row against up to eight (Q8_0,
// Q4_0; a BlockQ8_0Tile of activations) or four (K-quants) activation rows. Each weight block is decoded (scales, nibbles, high bits) once and
// reused for every token — the prompt-processing fast path, and with one
// token the generation path of the K-quants (k_quant_many_x86.h: scales and
// mins unpacked with word operations, the min terms as vector multiply-adds).
// Results equal the reference within float rounding (tst_quant_kernels).

#include "quant/block_layouts.h"
#include "quant/k_quant_many_x86.h"
#include "quant/prefetch.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

namespace bioforge::llm::avx2 {
namespace {

// AVX2 has no fused 16-bit multiply-accumulate: vpmaddwd, then vpaddd.
struct MaddAdd {
    static __m256i add(__m256i acc, __m256i words, __m256i scales) { return _mm256_add_epi32(acc, _mm256_madd_epi16(words, scales)); }
};

// Q8_0-activation formats (Q8_0 and Q4_0 weights): `weights(b)` gives the 32
// signed weight bytes of block b; the activations are one BlockQ8_0Tile tile.
// Per block one vector multiply gives every token's scale product (weight scale
// times token scale); each token then takes its product by a broadcast from
// the stack instead of a scale load and a multiply of its own.
template <int T, typename WBlock, typename Unpack>
void dotManyQ8Blocks(int64_t n, const WBlock* x, const void* a, float* out, Unpack weights)
{
    const auto* tile = static_cast<const BlockQ8_0Tile*>(a);
    __m256 acc[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    alignas(32) float scales[kQ8TileTokens];
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        prefetchAhead<sizeof(WBlock)>(&x[b]);
        const __m256i qx = weights(b);
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        _mm256_store_ps(scales, _mm256_mul_ps(_mm256_set1_ps(h2f(x[b].d)), _mm256_load_ps(tile[b].d)));
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const __m256i sy = _mm256_sign_epi8(_mm256_load_si256(reinterpret_cast<const __m256i*>(tile[b].qs[j])), qx);
            const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), ones));
            acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(&scales[j]), p, acc[j]);
        }
    }
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(acc[j]);
}

// One token (BlockQ8_0 activations y) against one Q8_0 / Q4_0 weight row: 8 partial sums.
template <typename WBlock, typename Unpack>
inline __attribute__((always_inline)) __m256 q8RowSums(int64_t n, const WBlock* x, const BlockQ8_0* y, Unpack weights)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        prefetchAhead<sizeof(WBlock)>(&x[b]);
        const __m256i qx = weights(b);
        const __m256i sy = _mm256_sign_epi8(loadI(y[b].qs), qx);
        const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(qx, qx), sy), ones));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[b].d) * h2f(y[b].d)), p, acc);
    }
    return acc;
}

inline __m256i q8_0Weights(const BlockQ8_0* x, int64_t b) { return loadI(x[b].qs); }

inline __m256i q4_0Weights(const BlockQ4_0* x, int64_t b)
{
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    const __m128i lo = _mm_and_si128(packed, lowMask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), lowMask);
    return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(8));
}

template <int T>
void q8_0Many(int64_t n, const void* w, const void* a, float* out)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    dotManyQ8Blocks<T>(n, x, a, out, [&](int64_t b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs)); });
}

template <int T>
void q4_0Many(int64_t n, const void* w, const void* a, float* out)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    dotManyQ8Blocks<T>(n, x, a, out, [&](int64_t b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m128i lo = _mm_and_si128(packed, lowMask);
        const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), lowMask);
        return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), eight);
    });
}

} // namespace

#define BF_DISPATCH(fn, ...)                          \
    switch (tokens) {                                 \
    case 1: fn<1>(__VA_ARGS__); break;                \
    case 2: fn<2>(__VA_ARGS__); break;                \
    case 3: fn<3>(__VA_ARGS__); break;                \
    case 4: fn<4>(__VA_ARGS__); break;                \
    case 5: fn<5>(__VA_ARGS__); break;                \
    case 6: fn<6>(__VA_ARGS__); break;                \
    case 7: fn<7>(__VA_ARGS__); break;                \
    default: fn<8>(__VA_ARGS__); break;               \
    }

// Q8_0 and Q4_0: `a` is a BlockQ8_0Tile tile (aStride is not used).
void dotManyQ8_0(int64_t n, const void* w, const void* a, size_t, int tokens, float* out)
{
    BF_DISPATCH(q8_0Many, n, w, a, out)
}

void dotManyQ4_0(int64_t n, const void* w, const void* a, size_t, int tokens, float* out)
{
    BF_DISPATCH(q4_0Many, n, w, a, out)
}

void dotManyQ4_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    const auto* x = static_cast<const BlockQ4_K*>(w);
    switch (tokens) {
    case 1: scaleMinMany<1, MaddAdd>(n, x, a, aStride, out, false); break;
    case 2: scaleMinMany<2, MaddAdd>(n, x, a, aStride, out, false); break;
    case 3: scaleMinMany<3, MaddAdd>(n, x, a, aStride, out, false); break;
    default: scaleMinMany<4, MaddAdd>(n, x, a, aStride, out, false); break;
    }
}

void dotManyQ5_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    const auto* x = static_cast<const BlockQ5_K*>(w);
    switch (tokens) {
    case 1: scaleMinMany<1, MaddAdd>(n, x, a, aStride, out, true); break;
    case 2: scaleMinMany<2, MaddAdd>(n, x, a, aStride, out, true); break;
    case 3: scaleMinMany<3, MaddAdd>(n, x, a, aStride, out, true); break;
    default: scaleMinMany<4, MaddAdd>(n, x, a, aStride, out, true); break;
    }
}

void dotManyQ6_K(int64_t n, const void* w, const void* a, size_t aStride, int tokens, float* out)
{
    switch (tokens) {
    case 1: q6_KMany<1, MaddAdd>(n, w, a, aStride, out); break;
    case 2: q6_KMany<2, MaddAdd>(n, w, a, aStride, out); break;
    case 3: q6_KMany<3, MaddAdd>(n, w, a, aStride, out); break;
    default: q6_KMany<4, MaddAdd>(n, w, a, aStride, out); break;
    }
}

#undef BF_DISPATCH

void dotRowsQ8_0(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    const auto* y = static_cast<const BlockQ8_0*>(a);
    rowsOfOneToken(rows, w, rowBytes, out, [&](const uint8_t* row) {
        const auto* x = reinterpret_cast<const BlockQ8_0*>(row);
        return q8RowSums(n, x, y, [&](int64_t b) { return q8_0Weights(x, b); });
    });
}

void dotRowsQ4_0(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    const auto* y = static_cast<const BlockQ8_0*>(a);
    rowsOfOneToken(rows, w, rowBytes, out, [&](const uint8_t* row) {
        const auto* x = reinterpret_cast<const BlockQ4_0*>(row);
        return q8RowSums(n, x, y, [&](int64_t b) { return q4_0Weights(x, b); });
    });
}

void dotRowsQ4_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    scaleMinRows<MaddAdd, BlockQ4_K, false>(n, w, rowBytes, rows, a, out);
}

void dotRowsQ5_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    scaleMinRows<MaddAdd, BlockQ5_K, true>(n, w, rowBytes, rows, a, out);
}

void dotRowsQ6_K(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    q6_KRows<MaddAdd>(n, w, rowBytes, rows, a, out);
}

} // namespace bioforge::llm::avx2
