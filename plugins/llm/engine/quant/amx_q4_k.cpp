// AMX tile products for Q4_K and Q6_K (see amx_q4_k.h). Compiled with AMX-TILE,
// AMX-INT8 and AVX-512; called only on CPUs that have them (vec_dot.cpp).

#include "quant/amx_q4_k.h"

#include "quant/amx_q8_0.h"
#include "quant/amx_tile_ops.h"
#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/vec_dot.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace bioforge::llm::amx {
namespace {

constexpr size_t kQuantBytes = 8 * 512, kScalesAt = kQuantBytes, kSumsAt = kQuantBytes + 64;
constexpr size_t kSuperBytes = kQuantBytes + 64 + 4 * 64;

// One row block's weights, unpacked: quants as bytes (16 rows of n), and per
// super-block the rows' scales and mins.
struct Unpacked {
    static constexpr int kGroups = 8; // of 32 weights per super-block
    std::vector<uint8_t> q;       // [row][n]
    std::vector<int32_t> scales;  // [super-block][group][row]
    std::vector<int32_t> minPairs; // [super-block][pair][row]: m[2p] | m[2p + 1] << 16
    std::vector<float> d, dmin;   // [super-block][row]

    explicit Unpacked(int64_t n)
        : q(size_t(n) * 16), scales(size_t(n / 256) * 8 * 16), minPairs(size_t(n / 256) * 4 * 16), d(size_t(n / 256) * 16),
          dmin(d.size())
    {
    }

    void fill(const uint8_t* rows, size_t rowBytes, int64_t n)
    {
        const __m256i low4 = _mm256_set1_epi8(0x0F);
        for (int i = 0; i < 16; ++i) {
            const auto* blocks = reinterpret_cast<const BlockQ4_K*>(rows + size_t(i) * rowBytes);
            for (int64_t s = 0; s < n / 256; ++s) {
                const BlockQ4_K& b = blocks[s];
                uint8_t* out = q.data() + size_t(i) * size_t(n) + size_t(s) * 256;
                for (int c = 0; c < 4; ++c) { // chunk c: group 2c in the low nibbles, 2c + 1 in the high
                    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * c));
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 64 * c), _mm256_and_si256(v, low4));
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 64 * c + 32), _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
                }
                uint8_t sm[16];
                kQuantScalesMins(b.scales, sm);
                for (int g = 0; g < 8; ++g)
                    scales[(size_t(s) * 8 + size_t(g)) * 16 + size_t(i)] = sm[g];
                for (int p = 0; p < 4; ++p)
                    minPairs[(size_t(s) * 4 + size_t(p)) * 16 + size_t(i)] = int32_t(sm[8 + 2 * p]) | int32_t(sm[8 + 2 * p + 1]) << 16;
                d[size_t(s) * 16 + size_t(i)] = _cvtsh_ss(b.d);
                dmin[size_t(s) * 16 + size_t(i)] = _cvtsh_ss(b.dmin);
            }
        }
    }
};

// sumi[i] += sums[i] · scale of row i (integers, as the reference sums them).
inline void scaleInto(const int32_t (&sums)[16][16], const int32_t* rowScales, __m512i (&sumi)[16])
{
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
        sumi[i] = _mm512_add_epi32(sumi[i], _mm512_mullo_epi32(_mm512_load_si512(sums[i]), _mm512_set1_epi32(rowScales[i])));
}

// acc[i] += d·dA·Σsc·(q·a) − dmin·dA·Σm·bsum for one super-block, in the reference's order of operations.
inline void finishSuperBlock(const uint8_t* chunk, const Unpacked& w, int64_t s, __m512i (&sumi)[16], float (&acc)[16][16])
{
    const __m512 dA = _mm512_load_ps(reinterpret_cast<const float*>(chunk + kScalesAt));
    const auto* pairs = reinterpret_cast<const __m512i*>(chunk + kSumsAt);
    const __m512i b0 = _mm512_load_si512(pairs), b1 = _mm512_load_si512(pairs + 1), b2 = _mm512_load_si512(pairs + 2),
                  b3 = _mm512_load_si512(pairs + 3);
    const int32_t* mins = &w.minPairs[size_t(s) * 4 * 16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
        __m512i m = _mm512_dpwssd_epi32(_mm512_setzero_si512(), b0, _mm512_set1_epi32(mins[i]));
        m = _mm512_dpwssd_epi32(m, b1, _mm512_set1_epi32(mins[16 + i]));
        m = _mm512_dpwssd_epi32(m, b2, _mm512_set1_epi32(mins[32 + i]));
        m = _mm512_dpwssd_epi32(m, b3, _mm512_set1_epi32(mins[48 + i]));
        const __m512 scaled = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(w.d[size_t(s) * 16 + size_t(i)]), dA), _mm512_cvtepi32_ps(sumi[i]));
        const __m512 minus = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(w.dmin[size_t(s) * 16 + size_t(i)]), dA), _mm512_cvtepi32_ps(m));
        _mm512_store_ps(acc[i], _mm512_add_ps(_mm512_load_ps(acc[i]), _mm512_sub_ps(scaled, minus)));
        sumi[i] = _mm512_setzero_si512();
    }
}

inline void storeAccumulators(const float (&acc)[16][16], float* y, int64_t yStride, int64_t tokens)
{
    __m512 out[16];
    for (int i = 0; i < 16; ++i)
        out[i] = _mm512_load_ps(acc[i]);
    storeTransposed(out, y, yStride, tokens);
}

} // namespace

void packQ8KGroup(const float* x, int64_t n, int count, void* dst)
{
    auto* out = static_cast<uint8_t*>(dst);
    std::memset(out, 0, q8KGroupBytes(n));
    std::vector<BlockQ8_K> blocks(size_t(n / 256));
    for (int t = 0; t < count; ++t) {
        avx512::quantizeActivationsQ8_K(x + t * n, blocks.data(), n);
        for (int64_t s = 0; s < n / 256; ++s) {
            const BlockQ8_K& b = blocks[size_t(s)];
            uint8_t* chunk = out + size_t(s) * kSuperBytes;
            for (int g = 0; g < 8; ++g)
                for (int r = 0; r < 8; ++r)
                    std::memcpy(chunk + g * 512 + r * 64 + t * 4, b.qs + 32 * g + 4 * r, 4);
            reinterpret_cast<float*>(chunk + kScalesAt)[t] = b.d;
            for (int p = 0; p < 4; ++p) {
                const int32_t even = b.bsums[4 * p] + b.bsums[4 * p + 1], odd = b.bsums[4 * p + 2] + b.bsums[4 * p + 3];
                reinterpret_cast<int32_t*>(chunk + kSumsAt + 64 * size_t(p))[t] = int32_t(uint32_t(uint16_t(int16_t(even))) | uint32_t(odd) << 16);
            }
        }
    }
}

namespace {

// One row block of Q6_K, unpacked: quants as signed bytes q − 32 (16 rows of n), and per
// super-block the rows' 16 group scales and d.
struct UnpackedQ6 {
    static constexpr int kGroups = 16; // of 16 weights per super-block
    std::vector<int8_t> q;       // [row][n]
    std::vector<int32_t> scales; // [super-block][group][row]
    std::vector<float> d;        // [super-block][row]

    explicit UnpackedQ6(int64_t n) : q(size_t(n) * 16), scales(size_t(n / 256) * 16 * 16), d(size_t(n / 256) * 16) {}

    void fill(const uint8_t* rows, size_t rowBytes, int64_t n)
    {
        const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3), bias = _mm256_set1_epi8(32);
        for (int i = 0; i < 16; ++i) {
            const auto* blocks = reinterpret_cast<const BlockQ6_K*>(rows + size_t(i) * rowBytes);
            for (int64_t s = 0; s < n / 256; ++s) {
                const BlockQ6_K& b = blocks[s];
                int8_t* out = q.data() + size_t(i) * size_t(n) + size_t(s) * 256;
                for (int half = 0; half < 2; ++half) { // ggml's order: 4 runs of 32 per half
                    const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * half));
                    const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * half + 32));
                    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * half));
                    const __m256i runs[4] = {
                        _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(h, three), 4)),
                        _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), three), 4)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                        _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), three), 4)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                        _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), three), 4)),
                    };
                    for (int r = 0; r < 4; ++r)
                        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 128 * half + 32 * r), _mm256_sub_epi8(runs[r], bias));
                }
                for (int g = 0; g < 16; ++g)
                    scales[(size_t(s) * 16 + size_t(g)) * 16 + size_t(i)] = b.scales[g];
                d[size_t(s) * 16 + size_t(i)] = _cvtsh_ss(b.d);
            }
        }
    }
};

} // namespace

namespace {

// The products with Q8_K activations: per 16-row block the weights are unpacked once (W::fill), per
// group of 16 tokens the tile steps run, W::kGroups per super-block, each kBytes of K (the tile
// configuration's); finish(s, chunk, sumi, acc) scales super-block s's integer sums into acc.
template <class W, int kBytes, class Finish>
void productWithQ8K(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                    int64_t yStride, const TileConfig& config, Finish finish)
{
    const int64_t steps = n / 256 * W::kGroups, groupCount = (nTokens + kTileTokens - 1) / kTileTokens;
    if (steps == 0 || groupCount == 0)
        return;
    const size_t groupBytes = q8KGroupBytes(n);
    _tile_loadconfig(&config);
    W w(n);
    alignas(64) float acc[16][16];
    for (int64_t rb = 0; rb < rowBlocks; ++rb) {
        w.fill(rows + size_t(rb) * 16 * rowBytes, rowBytes, n);
        for (int64_t g = 0; g < groupCount; ++g) {
            const uint8_t* a = groups + size_t(g) * groupBytes;
            std::memset(acc, 0, sizeof acc);
            __m512i sumi[16];
            for (__m512i& v : sumi)
                v = _mm512_setzero_si512();
            // Step u is weight group u % kGroups of super-block u / kGroups; the activations' packed
            // group of 32 (512 bytes) holds two groups of 16 (4 rows of 64 bytes each).
            runSteps(
                steps, size_t(n),
                [&](int64_t u) {
                    return std::pair(reinterpret_cast<const uint8_t*>(w.q.data()) + size_t(u) * kBytes,
                                     a + size_t(u / W::kGroups) * kSuperBytes + size_t(u % W::kGroups) * kBytes * 16);
                },
                [&](int64_t u, const int32_t(&sums)[16][16]) {
                    scaleInto(sums, &w.scales[size_t(u) * 16], sumi);
                    if (u % W::kGroups == W::kGroups - 1)
                        finish(u / W::kGroups, a + size_t(u / W::kGroups) * kSuperBytes, w, sumi, acc);
                });
            storeAccumulators(acc, y + g * kTileTokens * yStride + rb * 16, yStride, std::min<int64_t>(kTileTokens, nTokens - g * kTileTokens));
        }
    }
    _tile_release();
}

} // namespace

void productQ4_K(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride)
{
    static const TileConfig config = tileConfig(32);
    productWithQ8K<Unpacked, 32>(n, rows, rowBytes, rowBlocks, groups, nTokens, y, yStride, config,
                                 [](int64_t s, const uint8_t* chunk, const Unpacked& w, __m512i(&sumi)[16], float(&acc)[16][16]) {
                                     finishSuperBlock(chunk, w, s, sumi, acc);
                                 });
}

void productQ6_K(int64_t n, const uint8_t* rows, size_t rowBytes, int64_t rowBlocks, const uint8_t* groups, int64_t nTokens, float* y,
                 int64_t yStride)
{
    static const TileConfig config = tileConfig(16);
    productWithQ8K<UnpackedQ6, 16>(
        n, rows, rowBytes, rowBlocks, groups, nTokens, y, yStride, config,
        [](int64_t s, const uint8_t* chunk, const UnpackedQ6& w, __m512i(&sumi)[16], float(&acc)[16][16]) {
            // acc += d·dA·Σ sc·(q·a), in the reference's order.
            const __m512 dA = _mm512_load_ps(reinterpret_cast<const float*>(chunk + kScalesAt));
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i) {
                const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(w.d[size_t(s) * 16 + size_t(i)]), dA), _mm512_cvtepi32_ps(sumi[i]));
                _mm512_store_ps(acc[i], _mm512_add_ps(_mm512_load_ps(acc[i]), v));
                sumi[i] = _mm512_setzero_si512();
            }
        });
}

} // namespace bioforge::llm::amx
