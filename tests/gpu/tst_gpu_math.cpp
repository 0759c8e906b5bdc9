// The GPU kernels' per-element and per-block math (gpu/gpu_math.h), compiled
// for the host, against the CPU engine's scalar reference: bit for bit.
// Runs everywhere (no GPU needed); the device half of the same functions is
// checked by tst_gpu_kernels on a GPU. Qt-free: it builds on the GPU machine.
// Exit 0 when every check holds, 1 otherwise (each failure printed).

#include "gpu/gpu_block_dot.h"
#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "quant/vec_dot.h"
#include "gpu_test_data.h"
#include "host_checks.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace bioforge::llm;

namespace {

using gputest::bits;
using gputest::fromBits;

constexpr uint32_t kSeed = 20261201;

void checkHalfConversions(std::mt19937& rng)
{
    for (uint32_t h = 0; h < 65536; ++h) {
        const float want = halfToFloat(uint16_t(h)), got = hd::halfToFloat(uint16_t(h));
        CHECK(bits(want) == bits(got), "half 0x%04x: %08x vs %08x", h, bits(want), bits(got));
        CHECK(bits(bf16ToFloat(uint16_t(h))) == bits(hd::bf16ToFloat(uint16_t(h))), "bf16 0x%04x", h);
    }
    std::vector<uint32_t> patterns = {0u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7F800001u, 0x477FEFFFu, 0x477FF000u,
                                      0x38800000u, 0x387FFFFFu, 0x33000000u, 0x32FFFFFFu, 0x33000001u, 0x3F800000u};
    for (int i = 0; i < 4000000; ++i)
        patterns.push_back(uint32_t(rng()));
    for (uint32_t p : patterns) {
        const float f = fromBits(p);
        CHECK(floatToHalf(f) == hd::floatToHalf(f), "floatToHalf(%08x): %04x vs %04x", p, floatToHalf(f), hd::floatToHalf(f));
        CHECK(floatToBf16(f) == hd::floatToBf16(f), "floatToBf16(%08x)", p);
    }
}

void checkNearestInt(std::mt19937& rng)
{
    std::uniform_real_distribution<float> uniform(-4194303.0f, 4194303.0f);
    for (int i = 0; i < 1000000; ++i) {
        const float x = i % 3 == 0 ? float(int(uniform(rng))) + 0.5f : uniform(rng) / float(1 + i % 1000);
        CHECK(nearestInt(x) == hd::nearestInt(x), "nearestInt(%.9g)", double(x));
    }
}

// The host dp4a against its definition (signed bytes), on edge and random words.
void checkDp4a(std::mt19937& rng)
{
    std::vector<uint32_t> words = {0u, 0xFFFFFFFFu, 0x80808080u, 0x7F7F7F7Fu, 0x01020304u, 0x80017FFFu};
    for (int i = 0; i < 20000; ++i)
        words.push_back(uint32_t(rng()));
    for (uint32_t a : words)
        for (uint32_t b : {words[size_t(rng() % words.size())], 0x80808080u, 0x7F7F7F7Fu}) {
            int want = 7;
            for (int i = 0; i < 4; ++i)
                want += int(int8_t(a >> (8 * i))) * int(int8_t(b >> (8 * i)));
            CHECK(hd::dp4a(a, b, 7) == want, "dp4a(%08x, %08x)", a, b);
        }
}

void checkActivations(std::mt19937& rng)
{
    const int64_t n = 4 * kQK_K;
    for (const auto& row : gputest::activationRows(n, rng)) {
        std::vector<BlockQ8_0> want(static_cast<size_t>(n / kQK8_0)), got(static_cast<size_t>(n / kQK8_0));
        quantizeActivationsQ8_0(row.data(), want.data(), n);
        for (int64_t b = 0; b < n / kQK8_0; ++b)
            hd::quantizeBlockQ8_0(row.data() + b * kQK8_0, got[size_t(b)]);
        CHECK(std::memcmp(want.data(), got.data(), want.size() * sizeof(BlockQ8_0)) == 0, "Q8_0 activations of a row starting %g",
              double(row[0]));

        std::vector<BlockQ8_K> wantK(static_cast<size_t>(n / kQK_K)), gotK(static_cast<size_t>(n / kQK_K));
        std::memset(wantK.data(), 0xAB, wantK.size() * sizeof(BlockQ8_K));
        std::memset(gotK.data(), 0xCD, gotK.size() * sizeof(BlockQ8_K));
        quantizeActivationsQ8_K(row.data(), wantK.data(), n);
        for (int64_t b = 0; b < n / kQK_K; ++b)
            hd::quantizeBlockQ8_K(row.data() + b * kQK_K, gotK[size_t(b)]);
        CHECK(std::memcmp(wantK.data(), gotK.data(), wantK.size() * sizeof(BlockQ8_K)) == 0, "Q8_K activations of a row starting %g",
              double(row[0]));

        // The kernel's parallel arg-max: 32 lanes of 8 elements, merged as a butterfly.
        for (int64_t b = 0; b < n / kQK_K; ++b) {
            const float* x = row.data() + b * kQK_K;
            hd::ArgMaxAbs serial;
            for (int j = 0; j < kQK_K; ++j)
                hd::scanArgMaxAbs(serial, x[j], j);
            hd::ArgMaxAbs lanes[32];
            for (int lane = 0; lane < 32; ++lane)
                for (int j = 0; j < 8; ++j)
                    hd::scanArgMaxAbs(lanes[lane], x[8 * lane + j], 8 * lane + j);
            for (int mask = 16; mask > 0; mask >>= 1) {
                hd::ArgMaxAbs next[32];
                for (int lane = 0; lane < 32; ++lane) {
                    next[lane] = lanes[lane];
                    hd::mergeArgMaxAbs(next[lane], lanes[lane ^ mask]);
                }
                std::memcpy(lanes, next, sizeof lanes);
            }
            for (int lane = 0; lane < 32; ++lane)
                CHECK(bits(lanes[lane].max) == bits(serial.max) && lanes[lane].amax == serial.amax,
                      "arg-max of block %lld lane %d: %g vs %g", (long long)b, lane, double(lanes[lane].max), double(serial.max));
        }

        std::vector<uint16_t> wantH(static_cast<size_t>(n)), gotH(static_cast<size_t>(n));
        convertActivationsF16(row.data(), wantH.data(), n);
        for (int64_t i = 0; i < n; ++i)
            gotH[size_t(i)] = hd::floatToHalf(row[size_t(i)]);
        CHECK(wantH == gotH, "F16 activations");
        convertActivationsBF16(row.data(), wantH.data(), n);
        for (int64_t i = 0; i < n; ++i)
            gotH[size_t(i)] = hd::floatToBf16(row[size_t(i)]);
        CHECK(wantH == gotH, "BF16 activations");
    }
}

template <typename W, typename A, typename BlockFn>
float foldBlocks(const std::vector<uint8_t>& w, const std::vector<uint8_t>& a, int64_t blocks, BlockFn fn)
{
    const auto* wb = reinterpret_cast<const W*>(w.data());
    const auto* ab = reinterpret_cast<const A*>(a.data());
    float sum = 0;
    for (int64_t b = 0; b < blocks; ++b)
        sum = hd::addRn(sum, fn(wb[b], ab[b]));
    return sum;
}

void checkBlockDots(std::mt19937& rng)
{
    const int64_t n = 8 * kQK_K;
    const auto rows = gputest::activationRows(n, rng);
    for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::F16, GgmlType::BF16}) {
        for (int trial = 0; trial < 40; ++trial) {
            const auto w = gputest::weightRow(type, n, rng, trial % 2 == 1);
            const auto& x = rows[size_t(trial) % rows.size()];
            const WeightKernel kernel = kernelFor(type, KernelPath::Reference);
            std::vector<uint8_t> a(ggmlRowBytes(kernel.activationType, n));
            kernel.convert(x.data(), a.data(), n);
            const float want = kernel.dot(n, w.data(), a.data());
            float got = 0;
            switch (type) {
            case GgmlType::Q4_0:
                got = foldBlocks<BlockQ4_0, BlockQ8_0>(w, a, n / kQK4_0, [](const BlockQ4_0& wb, const BlockQ8_0& ab) {
                    int isum = 0;
                    for (int p : {2, 0, 3, 1})
                        isum += hd::dotPartQ4_0(hd::loadPartQ4_0(wb, p), ab, p);
                    return hd::blockValueQ8(wb.d, ab.d, isum);
                });
                break;
            case GgmlType::Q8_0:
                got = foldBlocks<BlockQ8_0, BlockQ8_0>(w, a, n / kQK8_0, [](const BlockQ8_0& wb, const BlockQ8_0& ab) {
                    int isum = 0;
                    for (int p : {3, 1, 0, 2})
                        isum += hd::dotPartQ8_0(hd::loadPartQ8_0(wb, p), ab, p);
                    return hd::blockValueQ8(wb.d, ab.d, isum);
                });
                break;
            case GgmlType::Q4_K:
            case GgmlType::Q5_K:
                // Word-wise parts (what the kernels run) added in a scrambled order: integer sums.
                if (type == GgmlType::Q4_K)
                    got = foldBlocks<BlockQ4_K, BlockQ8_K>(w, a, n / kQK_K, [](const BlockQ4_K& wb, const BlockQ8_K& ab) {
                        int scaled = 0, mins = 0;
                        for (int p : {5, 0, 7, 2, 1, 6, 3, 4})
                            hd::dotPartK(hd::loadPartQ4_K(wb, p), ab, p, scaled, mins);
                        return hd::blockValueK(wb.d, wb.dmin, ab.d, scaled, mins);
                    });
                else
                    got = foldBlocks<BlockQ5_K, BlockQ8_K>(w, a, n / kQK_K, [](const BlockQ5_K& wb, const BlockQ8_K& ab) {
                        int scaled = 0, mins = 0;
                        for (int p : {3, 6, 0, 1, 7, 2, 5, 4})
                            hd::dotPartK(hd::loadPartQ5_K(wb, p), ab, p, scaled, mins);
                        return hd::blockValueK(wb.d, wb.dmin, ab.d, scaled, mins);
                    });
                break;
            case GgmlType::Q6_K:
                got = foldBlocks<BlockQ6_K, BlockQ8_K>(w, a, n / kQK_K, [](const BlockQ6_K& wb, const BlockQ8_K& ab) {
                    int scaled = 0;
                    for (int p : {7, 6, 5, 4, 3, 2, 1, 0})
                        hd::partDotQ6_K(wb, ab, p, scaled);
                    return hd::blockValueQ6_K(wb.d, ab.d, scaled);
                });
                break;
            case GgmlType::F16:
            case GgmlType::BF16: {
                const auto* wv = reinterpret_cast<const uint16_t*>(w.data());
                const auto* av = reinterpret_cast<const uint16_t*>(a.data());
                double sum = 0;
                for (int64_t i = 0; i < n; ++i)
                    sum += double(type == GgmlType::F16 ? hd::productF16(wv[i], av[i]) : hd::productBF16(wv[i], av[i]));
                got = float(sum);
                break;
            }
            default: break;
            }
            const bool same = bits(want) == bits(got) || (std::isnan(want) && std::isnan(got));
            CHECK(same, "%s trial %d: reference %.9g, gpu_math %.9g", ggmlTypeName(type), trial, double(want), double(got));
        }
    }
}

} // namespace

int main()
{
    std::printf("tst_gpu_math: seed %u\n", kSeed);
    std::mt19937 rng(kSeed);
    checkHalfConversions(rng);
    checkNearestInt(rng);
    checkDp4a(rng);
    checkActivations(rng);
    checkBlockDots(rng);
    return gputest::finishChecks("tst_gpu_math");
}
