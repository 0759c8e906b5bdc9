// AVX-512 (BW, VL, VNNI) batched dot products on 256-bit registers: the
// AVX2 algorithms with VNNI's fused multiply-accumulate (vpdpwssd,
// vpdpbusd), 32 vector registers for more tokens in flight, and the
// per-group minimum / offset terms done with vector multiply-adds.
// Only called when the CPU reports these features (vec_dot.cpp).

#include "quant/block_layouts.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

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

// The 8 6-bit mins of a Q4_K/Q5_K block, each repeated for its two 16-element bsums.
inline __m256i minsPerBsum(const uint8_t* m)
{
    return _mm256_set_epi16(m[7], m[7], m[6], m[6], m[5], m[5], m[4], m[4], m[3], m[3], m[2], m[2], m[1], m[1], m[0], m[0]);
}

template <int T, typename Block>
void scaleMinMany(int64_t n, const Block* x, const void* a, size_t aStride, float* out, bool fifthBit)
{
    __m256 acc[T], minAcc[T];
    #pragma GCC unroll 8
    for (int j = 0; j < T; ++j)
        acc[j] = minAcc[j] = _mm256_setzero_ps();
    const __m256i lowMask = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        uint8_t sc[8], m[8];
        for (int g = 0; g < 8; ++g)
            kQuantScaleMin(g, x[b].scales, &sc[g], &m[g]);
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
            const __m256i scLo = _mm256_set1_epi16(sc[2 * c]), scHi = _mm256_set1_epi16(sc[2 * c + 1]);
            #pragma GCC unroll 8
            for (int j = 0; j < T; ++j) {
                const int8_t* q8 = rowOf<BlockQ8_K>(a, aStride, j)[b].qs + 64 * c;
                sums[j] = _mm256_dpwssd_epi32(sums[j], _mm256_maddubs_epi16(lo, loadI(q8)), scLo);
                sums[j] = _mm256_dpwssd_epi32(sums[j], _mm256_maddubs_epi16(hi, loadI(q8 + 32)), scHi);
            }
        }
        const __m256i mins = minsPerBsum(m);
        const float d = h2f(x[b].d), dmin = h2f(x[b].dmin);
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j) {
            const BlockQ8_K& y = rowOf<BlockQ8_K>(a, aStride, j)[b];
            const __m256i minSums = _mm256_madd_epi16(loadI(y.bsums), mins);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(d * y.d), _mm256_cvtepi32_ps(sums[j]), acc[j]);
            minAcc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dmin * y.d), _mm256_cvtepi32_ps(minSums), minAcc[j]);
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
        // q is stored as q + 32 (unsigned); Σ scale·(q+32)·y − 32·Σ scale·bsum removes the offset.
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales)));
        __m256i sums[T];
        #pragma GCC unroll 8
        for (int j = 0; j < T; ++j)
            sums[j] = _mm256_setzero_si256();
        #pragma GCC unroll 2
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const int8_t* sc = x[b].scales + 8 * half;
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
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
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

// Sums of each of eight int32x8 vectors, as one int32x8 (lane j = Σ lanes of v[j]).
inline __m256i reduce8(const __m256i v[8])
{
    const __m256i t0 = _mm256_hadd_epi32(v[0], v[1]), t1 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i t2 = _mm256_hadd_epi32(v[4], v[5]), t3 = _mm256_hadd_epi32(v[6], v[7]);
    const __m256i u0 = _mm256_hadd_epi32(t0, t1), u1 = _mm256_hadd_epi32(t2, t3);
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

// Q8_0-activation formats: vpdpbusd on |w| and sign-adjusted activations. The
// eight tokens' block sums are reduced into one vector and scaled by one
// vector of d_w·d_token, so each block costs one FMA for all tokens.
template <int T, typename WBlock, typename Unpack>
void q8Blocks(int64_t n, const WBlock* x, const void* a, size_t aStride, float* out, Unpack weights)
{
    static_assert(T >= 1 && T <= 8, "tiles hold up to eight tokens");
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / kQK8_0; ++b) {
        const __m256i qx = weights(b);
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        __m128i halves = _mm_setzero_si128();
        __m256i p[8];
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            if (j < T) {
                const BlockQ8_0& y = rowOf<BlockQ8_0>(a, aStride, j)[b];
                halves = _mm_insert_epi16(halves, y.d, j);
                p[j] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), ax, _mm256_sign_epi8(loadI(y.qs), qx));
            } else {
                p[j] = _mm256_setzero_si256();
            }
        }
        const __m256 scales = _mm256_mul_ps(_mm256_cvtph_ps(halves), _mm256_set1_ps(h2f(x[b].d)));
        acc = _mm256_fmadd_ps(scales, _mm256_cvtepi32_ps(reduce8(p)), acc);
    }
    alignas(32) float sums[8];
    _mm256_store_ps(sums, acc);
    for (int j = 0; j < T; ++j)
        out[j] = sums[j];
}

template <int T>
void q8_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ8_0*>(w);
    q8Blocks<T>(n, x, a, aStride, out, [&](int64_t b) { return loadI(x[b].qs); });
}

template <int T>
void q4_0Many(int64_t n, const void* w, const void* a, size_t aStride, float* out)
{
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    q8Blocks<T>(n, x, a, aStride, out, [&](int64_t b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        return _mm256_sub_epi8(_mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(packed, 4), lowMask), _mm_and_si128(packed, lowMask)), eight);
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
