// The AVX-512 attention of attention_kernels.h (this file is compiled with -mavx512f -mavx512bw
// -mavx512dq -mavx512vl; attention_kernels.cpp calls it only where the CPU has them).
//
// Per (sequence, head): the real keys are gathered once — k (rotated first where the problem has
// rotary tables) transposed to [D, N] (N real keys, padded to 16 with zeros) and v to [N, D']
// (D' = D rounded up to 16, zero-filled) — then the queries go eight rows at a time (a tail in
// blocks of 4, 3, 2, 1): their scores against all keys (8 rows × 32 keys in 16 accumulators over
// d), the softmax of each row in place, and Σⱼ eᵢⱼ v[j] (8 rows × 32 values, or 4 × 64, in 16
// accumulators over j), scaled by 1 / Σⱼ eᵢⱼ on the way out.
#include "model/attention_kernels.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

extern "C" __m512 _ZGVeN16v_expf(__m512); // libmvec: expf on 16 lanes (glibc's x86_64 vector math)

namespace bioforge::viral {

void rotateRow(const float* x, const float* c, const float* s, float* y, int64_t D); // attention_kernels.cpp

namespace {

constexpr int kRows = 8; // query rows per block (a tail of fewer runs in blocks of 4, 3, 2, 1)
// The loops over R rows and NV vectors are unrolled (#pragma GCC unroll) so that their
// accumulators live in registers: GCC -O2 left them on the stack (3× slower).

struct Workspace {
    std::vector<float> keys;      // [D, N16]: k transposed
    std::vector<float> values;    // [N, D16]
    std::vector<float> positions; // [N16]: each real key's index in the sequence (ALiBi)
    std::vector<float> scores;    // [kRows, N16]: scores, then exp(score − max)
    std::vector<int64_t> offsets; // [N]: each real key's row in k (or in rotated)
    std::vector<float> rotated;   // [N, D]: the real keys rotated (rotary tables given)
    std::vector<float> queries;   // [kRows, D]: a block's query rows rotated
};

Workspace& workspace()
{
    thread_local Workspace w;
    return w;
}

inline int64_t roundUp16(int64_t n) { return (n + 15) / 16 * 16; }
inline __mmask16 tailMask(int64_t left) { return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1); }

// r[m] ← column m of the 16 × 16 tile r (rows become columns): unpack pairs of rows, then pairs of
// pairs, then two rounds of 128-bit lane shuffles.
inline void transpose16(__m512 r[16])
{
    __m512 t[16];
#pragma GCC unroll 16
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    auto lo = [](__m512 a, __m512 b) { return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b))); };
    auto hi = [](__m512 a, __m512 b) { return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b))); };
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) { // r[4i + c], 128-bit lane L: rows 4i … 4i+3 of column 4L + c
        r[4 * i] = lo(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = hi(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = lo(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = hi(t[4 * i + 1], t[4 * i + 3]);
    }
#pragma GCC unroll 16
    for (int c = 0; c < 4; ++c) {
        t[c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88);      // lanes 0, 2 of each
        t[4 + c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xdd);  // lanes 1, 3
        t[8 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
        t[12 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xdd);
    }
#pragma GCC unroll 16
    for (int c = 0; c < 4; ++c) {
        r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xdd);
        r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xdd);
    }
}

// scores[r][j] = scale · q_r · k_j − slope · |i_r − position_j| for r < R, j < N16 (two vectors of
// keys at a time, then one).
template<int R>
void scoreRows(const float* const* q, int64_t D, const Workspace& w, int64_t N16, float scale, float slope, int64_t i0, float* scores)
{
    const __m512 vscale = _mm512_set1_ps(scale), vslope = _mm512_set1_ps(slope);
    const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    auto finish = [&](__m512 acc, int r, int64_t j) {
        __m512 s = _mm512_mul_ps(acc, vscale);
        if (slope != 0) {
            const __m512 distance = _mm512_and_ps(_mm512_sub_ps(_mm512_set1_ps(float(i0 + r)), _mm512_loadu_ps(w.positions.data() + j)), absMask);
            s = _mm512_sub_ps(s, _mm512_mul_ps(vslope, distance));
        }
        _mm512_storeu_ps(scores + r * N16 + j, s);
    };
    int64_t j = 0;
    for (; j + 32 <= N16; j += 32) {
        __m512 acc[R][2];
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        const float* kt = w.keys.data() + j;
        for (int64_t d = 0; d < D; ++d, kt += N16) {
            const __m512 k0 = _mm512_loadu_ps(kt), k1 = _mm512_loadu_ps(kt + 16);
            #pragma GCC unroll 16
            for (int r = 0; r < R; ++r) {
                const __m512 qd = _mm512_set1_ps(q[r][d]);
                acc[r][0] = _mm512_fmadd_ps(qd, k0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(qd, k1, acc[r][1]);
            }
        }
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            finish(acc[r][0], r, j);
            finish(acc[r][1], r, j + 16);
        }
    }
    if (j < N16) { // one vector of keys left
        __m512 acc[R];
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            acc[r] = _mm512_setzero_ps();
        const float* kt = w.keys.data() + j;
        for (int64_t d = 0; d < D; ++d, kt += N16) {
            const __m512 k0 = _mm512_loadu_ps(kt);
            #pragma GCC unroll 16
            for (int r = 0; r < R; ++r)
                acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(q[r][d]), k0, acc[r]);
        }
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            finish(acc[r], r, j);
    }
}

// row[j] = exp(row[j] − max) for j < N; returns Σ. A NaN score or +inf makes the sum NaN.
float softmaxNumerators(float* row, int64_t N)
{
    __m512 m = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < N; j += 16)
        m = _mm512_mask_max_ps(m, tailMask(N - j), _mm512_loadu_ps(row + j), m); // NaN lanes keep m
    const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(m));
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < N; j += 16) {
        const __mmask16 k = tailMask(N - j);
        const __m512 e = _ZGVeN16v_expf(_mm512_sub_ps(_mm512_loadu_ps(row + j), max));
        _mm512_mask_storeu_ps(row + j, k, e);
        sum = _mm512_mask_add_ps(sum, k, sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

// y_r[g·64 …] = Σ_{j<N} e_r[j] · values[j][g·64 …] · inverse_r for the NV vectors of group g.
template<int R, int NV>
void weightedValues(const float* scores, int64_t N16, int64_t N, const Workspace& w, int64_t D16, int64_t column, const float* inverse,
                    float* const* y, int64_t D)
{
    __m512 acc[R][NV];
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
        #pragma GCC unroll 16
        for (int c = 0; c < NV; ++c)
            acc[r][c] = _mm512_setzero_ps();
    const float* v = w.values.data() + column;
    for (int64_t j = 0; j < N; ++j, v += D16) {
        __m512 vj[NV];
        #pragma GCC unroll 16
        for (int c = 0; c < NV; ++c)
            vj[c] = _mm512_loadu_ps(v + 16 * c);
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const __m512 e = _mm512_set1_ps(scores[r * N16 + j]);
            #pragma GCC unroll 16
            for (int c = 0; c < NV; ++c)
                acc[r][c] = _mm512_fmadd_ps(e, vj[c], acc[r][c]);
        }
    }
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
        #pragma GCC unroll 16
        for (int c = 0; c < NV; ++c) {
            const int64_t at = column + 16 * c;
            _mm512_mask_storeu_ps(y[r] + at, tailMask(D - at), _mm512_mul_ps(acc[r][c], _mm512_set1_ps(inverse[r])));
        }
}

// The value columns in passes of G vectors: 8 rows × 2 vectors or 4 rows × 4 (16 accumulators).
template<int R>
void weightedValuesGroups(const float* scores, int64_t N16, int64_t N, const Workspace& w, int64_t D16, const float* inverse, float* const* y,
                          int64_t D)
{
    constexpr int G = R > 4 ? 2 : 4;
    for (int64_t column = 0; column < D16; column += 16 * G) {
        switch (std::min<int64_t>(G, (D16 - column) / 16)) {
        case 1: weightedValues<R, 1>(scores, N16, N, w, D16, column, inverse, y, D); break;
        case 2: weightedValues<R, 2>(scores, N16, N, w, D16, column, inverse, y, D); break;
        case 3: weightedValues<R, (G >= 3 ? 3 : 1)>(scores, N16, N, w, D16, column, inverse, y, D); break;
        default: weightedValues<R, G>(scores, N16, N, w, D16, column, inverse, y, D); break;
        }
    }
}

template<int R>
void attendRows(const AttentionProblem& p, const float* q, int64_t i0, float* out, Workspace& w, int64_t N, float slope)
{
    const int64_t D = p.headSize, N16 = roundUp16(N), D16 = roundUp16(D);
    const float* rows[R];
    float* y[R];
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        rows[r] = q + (i0 + r) * p.in.token;
        y[r] = out + (i0 + r) * p.outLayout.token;
        if (p.cos) {
            float* rotated = w.queries.data() + r * D;
            rotateRow(rows[r], p.cos + (i0 + r) * D, p.sin + (i0 + r) * D, rotated, D);
            rows[r] = rotated;
        }
    }
    scoreRows<R>(rows, D, w, N16, p.scale, slope, i0, w.scores.data());
    float inverse[R];
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
        inverse[r] = 1.0f / softmaxNumerators(w.scores.data() + r * N16, N);
    weightedValuesGroups<R>(w.scores.data(), N16, N, w, D16, inverse, y, D);
}

} // namespace

void attendHeadAvx512(const AttentionProblem& p, int64_t b, int64_t h)
{
    const int64_t T = p.tokens, D = p.headSize, D16 = roundUp16(D);
    const float* q = p.q + b * p.in.batch + h * p.in.head;
    const float* k = p.k + b * p.in.batch + h * p.in.head;
    const float* v = p.v + b * p.in.batch + h * p.in.head;
    float* out = p.out + b * p.outLayout.batch + h * p.outLayout.head;
    const uint8_t* padding = p.keyPadding ? p.keyPadding + b * T : nullptr;
    Workspace& w = workspace();

    int64_t N = 0; // real keys
    for (int64_t j = 0; j < T; ++j)
        N += !(padding && padding[j]);
    if (N == 0) { // softmax over no key
        for (int64_t i = 0; i < T; ++i)
            std::fill_n(out + i * p.outLayout.token, D, std::numeric_limits<float>::quiet_NaN());
        return;
    }
    const int64_t N16 = roundUp16(N);
    w.keys.resize(size_t(D * N16));
    w.values.resize(size_t(N * D16));
    w.positions.assign(size_t(N16), 0.0f);
    w.scores.resize(size_t(kRows * N16));
    w.offsets.resize(size_t(N));
    const float* keyRows = k; // real key n at keyRows + offsets[n]
    if (p.cos) {
        w.rotated.resize(size_t(N * D));
        w.queries.resize(size_t(kRows * D));
        keyRows = w.rotated.data();
    }
    for (int64_t j = 0, n = 0; j < T; ++j) {
        if (padding && padding[j])
            continue;
        w.offsets[size_t(n)] = p.cos ? n * D : j * p.in.token;
        if (p.cos)
            rotateRow(k + j * p.in.token, p.cos + j * D, p.sin + j * D, w.rotated.data() + n * D, D);
        w.positions[size_t(n)] = float(j);
        float* row = w.values.data() + n * D16;
        std::copy_n(v + j * p.in.token, D, row);
        std::fill(row + D, row + D16, 0.0f);
        ++n;
    }
    // k transposed in 16 × 16 tiles (vgatherdps ran 3× slower: microcode-slowed gathers); the
    // columns past N are zeros.
    for (int64_t n = 0; n < N16; n += 16)
        for (int64_t d0 = 0; d0 < D; d0 += 16) {
            const __mmask16 columns = tailMask(D - d0);
            __m512 tile[16];
#pragma GCC unroll 16
            for (int e = 0; e < 16; ++e)
                tile[e] = n + e < N ? _mm512_maskz_loadu_ps(columns, keyRows + w.offsets[size_t(n + e)] + d0) : _mm512_setzero_ps();
            transpose16(tile);
            for (int64_t m = 0; m < 16 && d0 + m < D; ++m)
                _mm512_storeu_ps(w.keys.data() + (d0 + m) * N16 + n, tile[m]);
        }
    const float slope = p.slopes ? p.slopes[h] : 0.0f;
    int64_t i = 0;
    for (; i + kRows <= T; i += kRows)
        attendRows<kRows>(p, q, i, out, w, N, slope);
    if (T - i >= 4) {
        attendRows<4>(p, q, i, out, w, N, slope);
        i += 4;
    }
    switch (T - i) {
    case 3: attendRows<3>(p, q, i, out, w, N, slope); break;
    case 2: attendRows<2>(p, q, i, out, w, N, slope); break;
    case 1: attendRows<1>(p, q, i, out, w, N, slope); break;
    default: break;
    }
}

} // namespace bioforge::viral
