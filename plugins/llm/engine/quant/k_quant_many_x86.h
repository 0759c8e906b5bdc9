#pragma once

// Batched K-quant dot products on 256-bit registers, shared by the AVX2 and
// the AVX-512 kernels: one Q4_K / Q5_K / Q6_K weight row against T activation
// rows (Q8_K), each weight block decoded once for all T tokens. The two
// instruction sets differ only in the 16-bit multiply-accumulate `Madd`:
// vpmaddwd + vpaddd on AVX2, VNNI's fused vpdpwssd on AVX-512. Scales and
// mins are unpacked with word operations (kQuantScalesMins) and the min /
// offset terms are vector multiply-adds with the activations' bsums (the
// layouts of ggml's block_q4_K, block_q5_K, block_q6_K and block_q8_K).
//
// Everything here has internal linkage: each kernel file, compiled with its
// own instruction-set flags, gets its own copy (no instantiation compiled for
// AVX-512 can be picked by the linker for the AVX2 path). Include it only from
// files compiled with at least -mavx2 -mfma -mf16c.

#include "quant/block_layouts.h"
#include "quant/prefetch.h"

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace bioforge::llm {
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

// Q4_K and Q5_K (fifthBit: the qh bits of Q5_K): token j's product d·dy·Σ_g sc_g·(q·y)_g − dmin·dy·Σ_g m_g·bsum_g,
// as 8 partial sums in result[j].
template <int T, typename Madd, typename Block>
inline __attribute__((always_inline)) void scaleMinSums(int64_t n, const Block* x, const void* a, size_t aStride, bool fifthBit, __m256 (&result)[T])
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
                sums[j] = Madd::add(sums[j], _mm256_maddubs_epi16(lo, loadI(q8)), scLo);
                sums[j] = Madd::add(sums[j], _mm256_maddubs_epi16(hi, loadI(q8 + 32)), scHi);
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
        result[j] = _mm256_sub_ps(acc[j], minAcc[j]);
}

template <int T, typename Madd, typename Block>
void scaleMinMany(int64_t n, const Block* x, const void* a, size_t aStride, float* out, bool fifthBit)
{
    __m256 sums[T];
    scaleMinSums<T, Madd>(n, x, a, aStride, fifthBit, sums);
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(sums[j]);
}

// Q6_K: q is stored as q + 32 (unsigned); Σ scale·(q+32)·y − 32·Σ scale·bsum removes the offset.
template <int T, typename Madd>
inline __attribute__((always_inline)) void q6_KSums(int64_t n, const void* w, const void* a, size_t aStride, __m256 (&result)[T])
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
                    sums[j] = Madd::add(sums[j], _mm256_maddubs_epi16(q[k], loadI(q8)), scales);
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
        result[j] = acc[j];
}

template <int T, typename Madd>
void q6_KMany(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    __m256 sums[T];
    q6_KSums<T, Madd>(n, w, a, aStride, sums);
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        out[j] = hsum(sums[j]);
}

// The totals of four 8-lane sums, in order.
inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d)
{
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// Generation: `rows` weight rows (rowBytes apart) against one token, out[r] for row r. One call
// for a block of rows instead of one per row: a row of 1024 weights is only 4 super-blocks, and the
// call, the setup and the horizontal sum of each row had cost as much as a quarter of its time.
// `sums(row)` gives one row's 8 partial sums.
template <typename Sums>
inline void rowsOfOneToken(int64_t rows, const void* w, size_t rowBytes, float* out, Sums sums)
{
    const auto* base = static_cast<const uint8_t*>(w);
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const uint8_t* p = base + size_t(r) * rowBytes;
        const __m256 s0 = sums(p), s1 = sums(p + rowBytes), s2 = sums(p + 2 * rowBytes), s3 = sums(p + 3 * rowBytes);
        _mm_storeu_ps(out + r, hsum4(s0, s1, s2, s3));
    }
    for (; r < rows; ++r)
        out[r] = hsum(sums(base + size_t(r) * rowBytes));
}

// The K-quants' generation kernels (DotRowsFn) for one instruction set's Madd: Q4_K (Block
// BlockQ4_K, no fifth bit) and Q5_K (BlockQ5_K, fifthBit) …
template <typename Madd, typename Block, bool FifthBit>
void scaleMinRows(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    rowsOfOneToken(rows, w, rowBytes, out, [&](const uint8_t* row) {
        __m256 sums[1];
        scaleMinSums<1, Madd>(n, reinterpret_cast<const Block*>(row), a, 0, FifthBit, sums);
        return sums[0];
    });
}

// … and Q6_K.
template <typename Madd>
void q6_KRows(int64_t n, const void* w, size_t rowBytes, int64_t rows, const void* a, float* out)
{
    rowsOfOneToken(rows, w, rowBytes, out, [&](const uint8_t* row) {
        __m256 sums[1];
        q6_KSums<1, Madd>(n, row, a, 0, sums);
        return sums[0];
    });
}

} // namespace
} // namespace bioforge::llm
