// int8_gemm.h's kernel (this file is compiled with AVX-512 F/BW/VL and VNNI; called only where
// VnniWeights::runs()).

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>

namespace bioforge::viral {

namespace {

constexpr int64_t kPanel = 32;
constexpr int kTileRows = 12;

// rows (≤ 12) × the panel's 32 columns over all of `in`; stores the first `columns` of them.
template<int Rows>
void tile(const uint8_t* q, int64_t ldQ, const int8_t* panel, int64_t in, int32_t* sums, int64_t ldSums, int64_t columns)
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
    if (columns == kPanel) {
#pragma GCC unroll 12
        for (int r = 0; r < Rows; ++r) {
            _mm512_storeu_si512(sums + r * ldSums, acc[r][0]);
            _mm512_storeu_si512(sums + r * ldSums + 16, acc[r][1]);
        }
        return;
    }
    const __mmask16 m0 = columns >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << columns) - 1u);
    const __mmask16 m1 = columns <= 16 ? __mmask16(0) : __mmask16((1u << (columns - 16)) - 1u);
#pragma GCC unroll 12 // (every loop over acc unrolled, or acc lives on the stack)
    for (int r = 0; r < Rows; ++r) {
        _mm512_mask_storeu_epi32(sums + r * ldSums, m0, acc[r][0]);
        _mm512_mask_storeu_epi32(sums + r * ldSums + 16, m1, acc[r][1]);
    }
}

void tailTile(int rows, const uint8_t* q, int64_t ldQ, const int8_t* panel, int64_t in, int32_t* sums, int64_t ldSums, int64_t columns)
{
    switch (rows) {
    case 1: return tile<1>(q, ldQ, panel, in, sums, ldSums, columns);
    case 2: return tile<2>(q, ldQ, panel, in, sums, ldSums, columns);
    case 3: return tile<3>(q, ldQ, panel, in, sums, ldSums, columns);
    case 4: return tile<4>(q, ldQ, panel, in, sums, ldSums, columns);
    case 5: return tile<5>(q, ldQ, panel, in, sums, ldSums, columns);
    case 6: return tile<6>(q, ldQ, panel, in, sums, ldSums, columns);
    case 7: return tile<7>(q, ldQ, panel, in, sums, ldSums, columns);
    case 8: return tile<8>(q, ldQ, panel, in, sums, ldSums, columns);
    case 9: return tile<9>(q, ldQ, panel, in, sums, ldSums, columns);
    case 10: return tile<10>(q, ldQ, panel, in, sums, ldSums, columns);
    case 11: return tile<11>(q, ldQ, panel, in, sums, ldSums, columns);
    default: return;
    }
}

} // namespace

void int8PanelProductAvx512Vnni(const uint8_t* q, int64_t ldQ, int64_t rows, const int8_t* panels, int64_t out, int64_t in, int32_t* sums,
                                int64_t ldSums)
{
    const int64_t panelBytes = in * kPanel;
    for (int64_t n0 = 0; n0 < out; n0 += kPanel) { // a panel stays in L1 across the rows' tiles
        const int8_t* panel = panels + (n0 / kPanel) * panelBytes;
        const int64_t columns = out - n0 < kPanel ? out - n0 : kPanel;
        int64_t r = 0;
        for (; r + kTileRows <= rows; r += kTileRows)
            tile<kTileRows>(q + r * ldQ, ldQ, panel, in, sums + r * ldSums + n0, ldSums, columns);
        if (r < rows)
            tailTile(int(rows - r), q + r * ldQ, ldQ, panel, in, sums + r * ldSums + n0, ldSums, columns);
    }
}

} // namespace bioforge::viral
#endif
