// int8_gemm.h's kernel (this file is compiled with AVX-512 F/BW/VL and VNNI and -ffp-contract=off,
// so the scaling rounds as int8_kernels.h's int8Epilogue does; called only where VnniWeights::runs()).

#include <cstdint>

#include "model/int8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace bioforge::viral {

namespace {

constexpr int64_t kPanel = 32;
constexpr int kTileRows = 12;

// Sixteen sums of a tile row scaled back into dst (Int8Scaling: as int8Epilogue, step · (scales ·
// P) + (lo · rowSums + bias), in that order).
void storeScaled(const int32_t* sums, __mmask16 m, int64_t row, int64_t column, const Int8Scaling& scaling, float* dst)
{
    const __m512 p = _mm512_cvtepi32_ps(_mm512_load_si512(sums));
    const __m512 scaled = _mm512_mul_ps(_mm512_set1_ps(scaling.step[row]), _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scaling.scales + column), p));
    __m512 offset = _mm512_mul_ps(_mm512_set1_ps(scaling.lo[row]), _mm512_maskz_loadu_ps(m, scaling.rowSums + column));
    offset = _mm512_add_ps(offset, scaling.bias ? _mm512_maskz_loadu_ps(m, scaling.bias + column) : _mm512_setzero_ps());
    _mm512_mask_storeu_ps(dst, m, _mm512_add_ps(scaled, offset));
}

// rows (≤ 12) × the panel's 32 columns (from column n0) over all of `in`; stores the first
// `columns` of them at dst + r · ld elements of 4 bytes: int32 sums, or (scaling) floats — those
// from the sums put aside in L1 first, so that the loop over k keeps its 24 accumulators in
// registers (scaling them in place made GCC shuffle them between registers: 1.4× slower).
template<int Rows>
void tile(const uint8_t* q, int64_t ldQ, const int8_t* panel, int64_t in, int64_t row0, int64_t n0, int64_t columns,
          const Int8Scaling* scaling, char* dst, int64_t ld)
{
    __m512i acc[Rows][2];
#pragma GCC unroll 12
    for (int r = 0; r < Rows; ++r)
        acc[r][0] = acc[r][1] = _mm512_setzero_si512();
    for (int64_t k = 0; k < in; k += 4) {
        const __m512i w0 = _mm512_load_si512(panel + k * kPanel), w1 = _mm512_load_si512(panel + k * kPanel + 64);
#pragma GCC unroll 12
        for (int r = 0; r < Rows; ++r) {
            int32_t four;
            __builtin_memcpy(&four, q + r * ldQ + k, 4);
            const __m512i a = _mm512_set1_epi32(four);
            acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], a, w0);
            acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], a, w1);
        }
    }
    const __mmask16 m0 = columns >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << columns) - 1u);
    const __mmask16 m1 = columns >= kPanel ? __mmask16(0xFFFF) : columns <= 16 ? __mmask16(0) : __mmask16((1u << (columns - 16)) - 1u);
    if (!scaling) {
#pragma GCC unroll 12 // (every loop over acc unrolled, or acc lives on the stack)
        for (int r = 0; r < Rows; ++r) {
            _mm512_mask_storeu_epi32(dst + 4 * (r * ld), m0, acc[r][0]);
            _mm512_mask_storeu_epi32(dst + 4 * (r * ld + 16), m1, acc[r][1]);
        }
        return;
    }
    alignas(64) int32_t sums[Rows][kPanel];
#pragma GCC unroll 12
    for (int r = 0; r < Rows; ++r) {
        _mm512_store_si512(sums[r], acc[r][0]);
        _mm512_store_si512(sums[r] + 16, acc[r][1]);
    }
    for (int r = 0; r < Rows; ++r) {
        float* y = reinterpret_cast<float*>(dst) + r * ld;
        storeScaled(sums[r], m0, row0 + r, n0, *scaling, y);
        storeScaled(sums[r] + 16, m1, row0 + r, n0 + 16, *scaling, y + 16);
    }
}

void tailTile(int rows, const uint8_t* q, int64_t ldQ, const int8_t* panel, int64_t in, int64_t row0, int64_t n0, int64_t columns,
              const Int8Scaling* scaling, char* dst, int64_t ld)
{
    switch (rows) {
    case 1: return tile<1>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 2: return tile<2>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 3: return tile<3>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 4: return tile<4>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 5: return tile<5>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 6: return tile<6>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 7: return tile<7>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 8: return tile<8>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 9: return tile<9>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 10: return tile<10>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    case 11: return tile<11>(q, ldQ, panel, in, row0, n0, columns, scaling, dst, ld);
    default: return;
    }
}

} // namespace

void int8PanelProductAvx512Vnni(const uint8_t* q, int64_t ldQ, int64_t rows, const int8_t* panels, int64_t out, int64_t in,
                                const Int8Scaling* scaling, void* out4, int64_t ld)
{
    char* dst = static_cast<char*>(out4); // int32 sums or floats, 4 bytes each
    const int64_t panelBytes = in * kPanel;
    for (int64_t n0 = 0; n0 < out; n0 += kPanel) { // a panel stays in L1 across the rows' tiles
        const int8_t* panel = panels + (n0 / kPanel) * panelBytes;
        const int64_t columns = out - n0 < kPanel ? out - n0 : kPanel;
        int64_t r = 0;
        for (; r + kTileRows <= rows; r += kTileRows)
            tile<kTileRows>(q + r * ldQ, ldQ, panel, in, r, n0, columns, scaling, dst + 4 * (r * ld + n0), ld);
        if (r < rows)
            tailTile(int(rows - r), q + r * ldQ, ldQ, panel, in, r, n0, columns, scaling, dst + 4 * (r * ld + n0), ld);
    }
}

} // namespace bioforge::viral
#endif
