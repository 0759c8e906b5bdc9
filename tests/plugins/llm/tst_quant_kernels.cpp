// Quantised formats: dequantisation of hand-computed blocks, quantise →
// dequantise error bounds, activation quantisation as llama.cpp does it on
// x86, half-float conversion against the hardware, and the scalar reference
// dot products (the fast paths against these: tst_vector_kernels).

#include "gguf/gguf_types.h"
#include "quant/block_layouts.h"
#include "quant/dequantize.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "quant/vec_dot.h"
#include "quant_test_rows.h"

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
using namespace bioforge::llm::testing;

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

};

QTEST_GUILESS_MAIN(TstQuantKernels)
#include "tst_quant_kernels.moc"
