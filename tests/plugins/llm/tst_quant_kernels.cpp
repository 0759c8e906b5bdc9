// Quantised formats: dequantisation of hand-computed blocks, quantise →
// dequantise error bounds, activation quantisation as llama.cpp does it on
// x86, half-float conversion against the hardware, and every fast dot-product
// path equal to the scalar reference on the same random data.

#include "compute/matmul.h"
#include "compute/thread_pool.h"
#include "compute/weight_tensor.h"
#include "gguf/gguf_types.h"
#include "quant/block_layouts.h"
#include "quant/dequantize.h"
#include "quant/half.h"
#include "quant/packed_q8_pairs.h"
#include "quant/quantize.h"
#include "quant/vec_dot.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

using namespace bioforge::llm;

namespace {

std::vector<float> randomRow(int64_t n, uint32_t seed, float scale = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v)
        x = dist(rng);
    return v;
}

std::vector<uint8_t> quantized(GgmlType type, const std::vector<float>& x)
{
    std::vector<uint8_t> out(ggmlRowBytes(type, int64_t(x.size())));
    quantizeRow(type, x.data(), out.data(), int64_t(x.size()));
    return out;
}

std::vector<float> dequantized(GgmlType type, const std::vector<uint8_t>& q, int64_t n)
{
    std::vector<float> out(static_cast<size_t>(n));
    dequantizeRow(type, q.data(), out.data(), n);
    return out;
}

} // namespace

class TstQuantKernels : public QObject {
    Q_OBJECT
private slots:
    void halfConversionMatchesTheHardware()
    {
        // Every half round-trips; float -> half rounds to nearest even like F16C.
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = halfToFloat(uint16_t(h));
            if (std::isnan(f))
                continue;
            QCOMPARE(floatToHalf(f), uint16_t(h));
        }
#if defined(__x86_64__)
        // CPUID leaf 1, ECX bit 29: clang 14 has no "f16c" in __builtin_cpu_supports.
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_F16C))
            QSKIP("no F16C on this CPU to compare with");
        std::mt19937 rng(3);
        std::uniform_int_distribution<uint32_t> bits;
        for (int i = 0; i < 200000; ++i) {
            uint32_t u = bits(rng);
            float f;
            std::memcpy(&f, &u, 4);
            if (std::isnan(f))
                continue;
            const uint16_t hw = uint16_t(_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT), 0));
            QCOMPARE(floatToHalf(f), hw);
        }
#endif
    }

    void bf16RoundsToNearestEven()
    {
        QCOMPARE(floatToBf16(1.0f), uint16_t(0x3F80));
        QCOMPARE(bf16ToFloat(0x3FC0), 1.5f);
        uint32_t u = 0x3F808000; // exactly half-way between 0x3F80 and 0x3F81: to even
        float f;
        std::memcpy(&f, &u, 4);
        QCOMPARE(floatToBf16(f), uint16_t(0x3F80));
        u = 0x3F818000;
        std::memcpy(&f, &u, 4);
        QCOMPARE(floatToBf16(f), uint16_t(0x3F82));
    }

    void handComputedQ8_0AndQ4_0Blocks()
    {
        BlockQ8_0 q8{};
        q8.d = floatToHalf(0.5f);
        for (int j = 0; j < 32; ++j)
            q8.qs[j] = int8_t(j - 16);
        float out[32];
        dequantizeRowQ8_0(&q8, out, 32);
        QCOMPARE(out[0], -8.0f);
        QCOMPARE(out[31], 7.5f);

        BlockQ4_0 q4{};
        q4.d = floatToHalf(2.0f);
        q4.qs[0] = 0x0F;  // element 0: 15 - 8 = 7, element 16: 0 - 8 = -8
        q4.qs[15] = 0x83; // element 15: 3 - 8 = -5, element 31: 8 - 8 = 0
        dequantizeRowQ4_0(&q4, out, 32);
        QCOMPARE(out[0], 14.0f);
        QCOMPARE(out[16], -16.0f);
        QCOMPARE(out[15], -10.0f);
        QCOMPARE(out[31], 0.0f);
        QCOMPARE(out[1], -16.0f); // qs[1] = 0: -8 * 2
    }

    void handComputedQ4_KBlock()
    {
        BlockQ4_K b{};
        b.d = floatToHalf(0.25f);
        b.dmin = floatToHalf(0.5f);
        // Group 0: scale 4, min 2; group 5: scale 3 + 16 = 19 (high bits in scales[1]), min 1 + 32 = 33 (high bits in scales[5]).
        b.scales[0] = 4;
        b.scales[4] = 2;
        b.scales[9] = uint8_t(3 | (1 << 4)); // group 5: low 4 bits of scale 3, of min 1
        b.scales[1] = uint8_t(1 << 6);       // group 5: scale bits 4-5 = 01 -> +16
        b.scales[5] = uint8_t(2 << 6);       // group 5: min bits 4-5 = 10 -> +32
        b.qs[0] = 0x3A;                      // group 0 element 0: 10; group 1 element 0: 3
        b.qs[64 + 7] = 0x50;                 // chunk 2: group 4 element 7: 0; group 5 element 7: 5
        float out[256];
        dequantizeRowQ4_K(&b, out, 256);
        QCOMPARE(out[0], 0.25f * 4 * 10 - 0.5f * 2);
        QCOMPARE(out[5 * 32 + 7], 0.25f * 19 * 5 - 0.5f * 33);
        uint8_t sc, m;
        kQuantScaleMin(5, b.scales, &sc, &m);
        QCOMPARE(int(sc), 19);
        QCOMPARE(int(m), 33);
    }

    void handComputedQ6_KBlock()
    {
        BlockQ6_K b{};
        b.d = floatToHalf(0.5f);
        b.scales[0] = 3;
        b.scales[2] = -2;
        b.ql[0] = 0x05;   // element 0 low 4 bits 5 (element 64: 0)
        b.qh[0] = 0x02;   // element 0 high bits 2 -> q = 5 + 32 = 37 -> 5
        b.ql[32] = 0x01;  // element 32 low bits 1
        b.qh[0] |= 0x04;  // element 32 high bits 1 -> q = 1 + 16 = 17 -> -15
        float out[256];
        dequantizeRowQ6_K(&b, out, 256);
        QCOMPARE(out[0], 0.5f * 3 * 5);
        QCOMPARE(out[32], 0.5f * -2 * -15);
        QCOMPARE(out[1], 0.5f * 3 * -32);
    }

    void allScalesAndMinsAtOnceEqualThePerGroupUnpacking()
    {
        // kQuantScalesMins (word operations, used by the vector kernels) against
        // kQuantScaleMin (the format's per-group definition) on random fields,
        // including every value of the bits that move (6-7 of bytes 0-7).
        std::mt19937 rng(5);
        for (int trial = 0; trial < 20000; ++trial) {
            uint8_t field[kKScaleBytes];
            for (uint8_t& b : field)
                b = uint8_t(rng());
            uint8_t all[16];
            kQuantScalesMins(field, all);
            for (int g = 0; g < 8; ++g) {
                uint8_t sc = 0, m = 0;
                kQuantScaleMin(g, field, &sc, &m);
                QCOMPARE(int(all[g]), int(sc));
                QCOMPARE(int(all[8 + g]), int(m));
            }
        }
    }

    void quantiseThenDequantiseStaysClose_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("relativeRms");
        QTest::newRow("F16") << int(GgmlType::F16) << 0.001;
        QTest::newRow("BF16") << int(GgmlType::BF16) << 0.005;
        QTest::newRow("Q8_0") << int(GgmlType::Q8_0) << 0.01;
        QTest::newRow("Q6_K") << int(GgmlType::Q6_K) << 0.03;
        QTest::newRow("Q5_K") << int(GgmlType::Q5_K) << 0.06;
        QTest::newRow("Q4_K") << int(GgmlType::Q4_K) << 0.12;
        QTest::newRow("Q4_0") << int(GgmlType::Q4_0) << 0.12;
    }

    void quantiseThenDequantiseStaysClose()
    {
        QFETCH(int, type);
        QFETCH(double, relativeRms);
        const int64_t n = 1024;
        const auto x = randomRow(n, 11);
        const auto back = dequantized(GgmlType(type), quantized(GgmlType(type), x), n);
        double err = 0, norm = 0;
        for (int64_t i = 0; i < n; ++i) {
            err += double(x[i] - back[i]) * (x[i] - back[i]);
            norm += double(x[i]) * x[i];
        }
        const double rel = std::sqrt(err / norm);
        QVERIFY2(rel < relativeRms, qPrintable(QStringLiteral("relative RMS error %1").arg(rel)));
    }

    void q8_0ActivationsRoundLikeLlamaCppOnX86()
    {
        std::vector<float> x(32, 0.0f);
        x[0] = 127.0f;  // amax: multiplier exactly 1
        x[1] = 2.5f;    // tie: to even -> 2
        x[2] = 3.5f;    // tie: to even -> 4
        x[3] = -2.5f;
        BlockQ8_0 q{};
        quantizeActivationsQ8_0(x.data(), &q, 32);
        QCOMPARE(int(q.qs[1]), 2);
        QCOMPARE(int(q.qs[2]), 4);
        QCOMPARE(int(q.qs[3]), -2);
        QCOMPARE(halfToFloat(q.d), 1.0f);
    }

    // The AVX-512 Q8_K quantisation writes the scalar one's bytes: random rows, an all-zero block,
    // the largest magnitude twice in one block with opposite signs (the first one's sign sets the
    // scale), exact halves after scaling (ties to even), and rows with NaN and infinities.
    void avx512Q8_KActivationsEqualTheScalarOnes()
    {
        if (!kernelPathAvailable(KernelPath::Avx512))
            QSKIP("this CPU lacks avx512");
        std::vector<std::vector<float>> rows = {randomRow(1024, 21, 2.0f), randomRow(2816, 22, 0.01f), std::vector<float>(512, 0.0f)};
        for (const float sign : {1.0f, -1.0f}) {
            std::vector<float> ties(256, 0.0f);
            ties[5] = -127.0f * sign; // the largest magnitude, first: scale -127 / max = sign
            ties[200] = 127.0f * sign;
            for (int j = 0; j < 8; ++j)
                ties[size_t(10 + j)] = float(j) + 0.5f; // 0.5, 1.5, … 7.5 after scaling: ties to even
            rows.push_back(ties);
        }
        auto mixed = randomRow(512, 24);
        std::fill(mixed.begin() + 256, mixed.end(), 0.0f); // the second block all zero
        rows.push_back(mixed);
        auto nan = randomRow(512, 25);
        nan[3] = std::nanf("");
        nan[250] = std::nanf(""); // in the last vector of the block, where a NaN maximum would stay
        nan[300] = std::nanf("");
        rows.push_back(nan);
        auto inf = randomRow(512, 26);
        inf[7] = -INFINITY; // the block's scale becomes 0: every quant 0, the inf one NaN → 0
        rows.push_back(inf);
        for (const auto& x : rows) {
            const int64_t n = int64_t(x.size());
            std::vector<BlockQ8_K> scalar(size_t(n / 256)), fast(scalar.size());
            quantizeActivationsQ8_K(x.data(), scalar.data(), n);
            std::memset(fast.data(), 0x5a, fast.size() * sizeof(BlockQ8_K));
            avx512::quantizeActivationsQ8_K(x.data(), fast.data(), n);
            QVERIFY2(std::memcmp(scalar.data(), fast.data(), scalar.size() * sizeof(BlockQ8_K)) == 0,
                     qPrintable(QStringLiteral("n %1, first %2").arg(n).arg(x[0])));
        }
    }

    void q8_KActivationsKeepBlockSums()
    {
        const auto x = randomRow(512, 5);
        std::vector<BlockQ8_K> q(2);
        quantizeActivationsQ8_K(x.data(), q.data(), 512);
        for (const BlockQ8_K& b : q) {
            for (int g = 0; g < 16; ++g) {
                int s = 0;
                for (int l = 0; l < 16; ++l)
                    s += b.qs[16 * g + l];
                QCOMPARE(int(b.bsums[g]), s);
            }
            int lo = 0, hi = 0;
            for (int j = 0; j < 256; ++j) {
                lo = std::min(lo, int(b.qs[j]));
                hi = std::max(hi, int(b.qs[j]));
            }
            QVERIFY(lo >= -127 && hi <= 127);
            QVERIFY(lo == -127 || hi == 127); // the largest magnitude takes the full range
        }
    }

    void referenceDotEqualsDequantisedProduct_data()
    {
        QTest::addColumn<int>("type");
        for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K,
                           GgmlType::Q5_K, GgmlType::Q6_K})
            QTest::newRow(ggmlTypeName(t)) << int(t);
    }

    void referenceDotEqualsDequantisedProduct()
    {
        QFETCH(int, type);
        const int64_t n = 2048;
        const auto w = randomRow(n, 21);
        const auto a = randomRow(n, 22, 3.0f);
        const WeightKernel k = kernelFor(GgmlType(type), KernelPath::Reference);
        const auto wq = quantized(GgmlType(type), w);
        std::vector<uint8_t> aq(ggmlRowBytes(k.activationType, n));
        if (k.convert)
            k.convert(a.data(), aq.data(), n);
        else
            std::memcpy(aq.data(), a.data(), aq.size());
        const auto wd = dequantized(GgmlType(type), wq, n);
        const auto ad = dequantized(k.activationType, aq, n);
        double expected = 0;
        for (int64_t i = 0; i < n; ++i)
            expected += double(wd[i]) * ad[i];
        const float got = k.dot(n, wq.data(), aq.data());
        QVERIFY2(std::abs(got - expected) <= 1e-4 * (1 + std::abs(expected)),
                 qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(expected)));
    }

    void fastPathsEqualTheReference_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("path");
        for (KernelPath p : {KernelPath::Avx2, KernelPath::Avx512})
            for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(kernelPathName(p)), QLatin1String(ggmlTypeName(t)))))
                    << int(t) << int(p);
    }

    void fastPathsEqualTheReference()
    {
        QFETCH(int, type);
        QFETCH(int, path);
        if (!kernelPathAvailable(KernelPath(path)))
            QSKIP(qPrintable(QStringLiteral("this CPU lacks %1").arg(QLatin1String(kernelPathName(KernelPath(path))))));
        const WeightKernel fast = kernelFor(GgmlType(type), KernelPath(path));
        const WeightKernel slow = kernelFor(GgmlType(type), KernelPath::Reference);
        QCOMPARE(fast.activationType, slow.activationType);
        for (int64_t n : {256, 512, 2816, 4096}) {
            for (uint32_t seed = 0; seed < 8; ++seed) {
                const auto w = randomRow(n, 100 + seed, seed % 2 ? 0.02f : 1.0f);
                const auto a = randomRow(n, 200 + seed, 2.0f);
                const auto wq = quantized(GgmlType(type), w);
                std::vector<uint8_t> af(ggmlRowBytes(fast.activationType, n)), as(af.size());
                if (fast.convert) {
                    fast.convert(a.data(), af.data(), n);
                    slow.convert(a.data(), as.data(), n);
                    QVERIFY2(af == as, "fast and reference activation conversion differ");
                } else {
                    std::memcpy(af.data(), a.data(), af.size());
                    as = af;
                }
                const float expected = slow.dot(n, wq.data(), as.data());
                const float got = fast.dot(n, wq.data(), af.data());
                QVERIFY2(std::abs(got - expected) <= 2e-5f * (1 + std::abs(expected)) + 1e-6f * float(n),
                         qPrintable(QStringLiteral("n %1 seed %2: %3 vs %4").arg(n).arg(seed).arg(got).arg(expected)));
            }
        }
    }

    void batchedKernelsEqualOneTokenAtATime_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("path");
        for (KernelPath p : {KernelPath::Avx2, KernelPath::Avx512})
            for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(kernelPathName(p)), QLatin1String(ggmlTypeName(t)))))
                    << int(t) << int(p);
    }

    void batchedKernelsEqualOneTokenAtATime()
    {
        QFETCH(int, type);
        QFETCH(int, path);
        if (!kernelPathAvailable(KernelPath(path)))
            QSKIP(qPrintable(QStringLiteral("this CPU lacks %1").arg(QLatin1String(kernelPathName(KernelPath(path))))));
        const WeightKernel k = kernelFor(GgmlType(type), KernelPath(path));
        const WeightKernel ref = kernelFor(GgmlType(type), KernelPath::Reference);
        QVERIFY(k.dotMany);
        // 1024 and, for the 32-element formats, an odd block count (the packed layouts' tail).
        const bool smallBlocks = GgmlType(type) == GgmlType::Q4_0 || GgmlType(type) == GgmlType::Q8_0;
        for (const int64_t n : smallBlocks ? std::vector<int64_t>{1024, 1056, 32} : std::vector<int64_t>{1024}) {
            const auto wq = quantized(GgmlType(type), randomRow(n, 7));
            const size_t refBytes = ggmlRowBytes(k.activationType, n);
            const size_t rowBytes = k.batchConvert ? k.batchRowBytes(n) : refBytes;
            for (int tokens = 1; tokens <= k.tileTokens; ++tokens) {
                std::vector<uint8_t> acts(rowBytes * size_t(tokens) + 64), refActs(refBytes * size_t(tokens));
                uint8_t* aligned = acts.data() + (64 - reinterpret_cast<uintptr_t>(acts.data()) % 64) % 64;
                for (int j = 0; j < tokens; ++j) {
                    const auto a = randomRow(n, 300 + uint32_t(j), 1.5f);
                    (k.batchConvert ? k.batchConvert : k.convert)(a.data(), aligned + size_t(j) * rowBytes, n);
                    ref.convert(a.data(), refActs.data() + size_t(j) * refBytes, n);
                }
                float out[kMaxTileTokens];
                k.dotMany(n, wq.data(), aligned, rowBytes, tokens, out);
                for (int j = 0; j < tokens; ++j) {
                    const float expected = ref.dot(n, wq.data(), refActs.data() + size_t(j) * refBytes);
                    QVERIFY2(std::abs(out[j] - expected) <= 2e-5f * (1 + std::abs(expected)) + 1e-3f,
                             qPrintable(QStringLiteral("n %1, %2 tokens, token %3: %4 vs %5").arg(n).arg(tokens).arg(j).arg(out[j]).arg(expected)));
                }
            }
        }
    }

    void packedQ8PairsHoldExactlyTheQ8_0Activations()
    {
        for (const int64_t n : {32, 64, 96, 1056}) {
            auto a = randomRow(n, 11, 3.0f);
            if (n == 96)
                std::fill(a.begin() + 32, a.begin() + 64, 0.0f); // an all-zero block: scale 0, quants 0
            std::vector<uint8_t> blocks(ggmlRowBytes(GgmlType::Q8_0, n)), unpacked(blocks.size());
            quantizeActivationsQ8_0(a.data(), blocks.data(), n);
            std::vector<uint8_t> packed(packedQ8PairRowBytes(n));
            quantizeActivationsPackedQ8Pairs(a.data(), packed.data(), n);
            unpackQ8Pairs(packed.data(), unpacked.data(), n);
            QVERIFY2(blocks == unpacked, qPrintable(QStringLiteral("n %1").arg(n)));
            if (kernelPathAvailable(KernelPath::Avx512)) { // the vector form writes the same bytes
                std::vector<uint8_t> fast(packed.size() + 64);
                uint8_t* aligned = fast.data() + (64 - reinterpret_cast<uintptr_t>(fast.data()) % 64) % 64;
                avx512::quantizePackedQ8Pairs(a.data(), aligned, n);
                QVERIFY2(std::memcmp(aligned, packed.data(), packed.size()) == 0, qPrintable(QStringLiteral("avx512, n %1").arg(n)));
            }
            if ((n / 32) % 2 != 0) { // the missing second block of the last pair is zero
                const auto& last = reinterpret_cast<const PackedQ8Pair*>(packed.data())[packedQ8PairCount(n) - 1];
                for (int k = 0; k < 8; ++k)
                    QCOMPARE(last.d[8 + k], 0.0f);
                for (int i = 0; i < 32; ++i)
                    QCOMPARE(int(last.u[32 + i]), 128);
            }
        }
    }

    // The AMX route (tile products for Q8_0 and Q4_K with 16 tokens or more) against the scalar
    // reference on the same weights and tokens: token counts below, at and between tile groups (15,
    // 16, 17, 40), an odd block count for Q8_0, several super-blocks for Q4_K, an all-zero token,
    // and a row count that is no multiple of 16 (which takes the AVX-512 kernels).
    void amxTileProductsEqualTheReference_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("Q8_0") << int(GgmlType::Q8_0);
        QTest::newRow("Q4_K") << int(GgmlType::Q4_K);
        QTest::newRow("Q6_K") << int(GgmlType::Q6_K);
    }

    void amxTileProductsEqualTheReference()
    {
        QFETCH(int, type);
        if (!kernelPathAvailable(KernelPath::Amx))
            QSKIP("this CPU or OS offers no AMX tiles (AMX-TILE, AMX-INT8 and the kernel's permission)");
        const GgmlType t = GgmlType(type);
        ThreadPool pool(2);
        MatMul tiles(pool, KernelPath::Amx), reference(pool, KernelPath::Reference);
        QVERIFY(kernelFor(t, KernelPath::Amx).amxTiles);
        // Q8_0: 1 and 2 blocks too (pipelines shorter than their depth).
        const std::vector<int64_t> widths = t == GgmlType::Q8_0 ? std::vector<int64_t>{32, 64, 1024, 1056} : std::vector<int64_t>{256, 1024, 2816};
        for (const int64_t rows : {int64_t(48), int64_t(40)})
            for (const int64_t cols : widths) {
                std::vector<uint8_t> weights;
                for (int64_t r = 0; r < rows; ++r) {
                    const auto q = quantized(t, randomRow(cols, 1000 + uint32_t(r), 0.2f));
                    weights.insert(weights.end(), q.begin(), q.end());
                }
                const WeightTensor w{t, cols, rows, ggmlRowBytes(t, cols), weights.data()};
                for (const int64_t tokens : {int64_t(15), int64_t(16), int64_t(17), int64_t(40)}) {
                    std::vector<float> x;
                    for (int64_t j = 0; j < tokens; ++j) {
                        const auto row = randomRow(cols, 2000 + uint32_t(j), j == 3 ? 0.0f : 1.5f); // token 3: all zero
                        x.insert(x.end(), row.begin(), row.end());
                    }
                    std::vector<float> got(size_t(tokens * rows), -1.0f), expected(got.size());
                    tiles.run(w, x.data(), tokens, got.data());
                    reference.run(w, x.data(), tokens, expected.data());
                    for (size_t i = 0; i < got.size(); ++i)
                        QVERIFY2(std::abs(got[i] - expected[i]) <= 2e-5f * (1 + std::abs(expected[i])) + 1e-3f,
                                 qPrintable(QStringLiteral("%1 rows × %2, %3 tokens: token %4 row %5: %6 vs %7")
                                                .arg(rows).arg(cols).arg(tokens).arg(i / size_t(rows)).arg(i % size_t(rows)).arg(got[i]).arg(expected[i])));
                }
            }
    }
};

QTEST_GUILESS_MAIN(TstQuantKernels)
#include "tst_quant_kernels.moc"
