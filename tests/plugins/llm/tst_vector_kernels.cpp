// Every fast path of the quantised products against the scalar reference on the same random
// data: the AVX2 and AVX-512 dot products one token and several tokens a call, the row-block
// kernels of generation, whole products through MatMul, and the AMX tile products. (The
// activation quantisers' bytes: tst_activation_quantisers.)

#include "compute/matmul.h"
#include "compute/thread_pool.h"
#include "compute/weight_tensor.h"
#include "quant/block_layouts.h"
#include "quant/vec_dot.h"
#include "quant_test_rows.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <vector>

using namespace bioforge::llm;
using namespace bioforge::llm::testing;

class TstVectorKernels : public QObject {
    Q_OBJECT
private slots:
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
            const size_t rowBytes = k.tileConvert ? k.tileBytes(n) : k.batchConvert ? k.batchRowBytes(n) : refBytes;
            for (int tokens = 1; tokens <= k.tileTokens; ++tokens) {
                std::vector<uint8_t> acts(rowBytes * size_t(tokens) + 64), refActs(refBytes * size_t(tokens));
                uint8_t* aligned = acts.data() + (64 - reinterpret_cast<uintptr_t>(acts.data()) % 64) % 64;
                std::vector<float> rows; // the tokens' rows, consecutive
                for (int j = 0; j < tokens; ++j) {
                    const auto a = randomRow(n, 300 + uint32_t(j), 1.5f);
                    rows.insert(rows.end(), a.begin(), a.end());
                    if (!k.tileConvert)
                        (k.batchConvert ? k.batchConvert : k.convert)(a.data(), aligned + size_t(j) * rowBytes, n);
                    ref.convert(a.data(), refActs.data() + size_t(j) * refBytes, n);
                }
                if (k.tileConvert) // one tile holds every token
                    k.tileConvert(rows.data(), n, tokens, aligned);
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

    // The row-block kernels of generation (dotRows) against one row at a time on the reference:
    // 1 to 9 rows a call (whole groups of four and the rest), one and several super-blocks.
    void rowKernelsEqualOneRowAtATime_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("path");
        for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
            QTest::newRow(qPrintable(QStringLiteral("avx2 %1").arg(QLatin1String(ggmlTypeName(t))))) << int(t) << int(KernelPath::Avx2);
        for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
            QTest::newRow(qPrintable(QStringLiteral("avx512 %1").arg(QLatin1String(ggmlTypeName(t))))) << int(t) << int(KernelPath::Avx512);
    }

    void rowKernelsEqualOneRowAtATime()
    {
        QFETCH(int, type);
        QFETCH(int, path);
        if (!kernelPathAvailable(KernelPath(path)))
            QSKIP(qPrintable(QStringLiteral("this CPU lacks %1").arg(QLatin1String(kernelPathName(KernelPath(path))))));
        const GgmlType t = GgmlType(type);
        const WeightKernel k = kernelFor(t, KernelPath(path));
        const WeightKernel ref = kernelFor(t, KernelPath::Reference);
        QVERIFY(k.dotRows);
        for (const int64_t n : {256, 2816, 1056}) {
            if (n % ggmlTypeTraits(uint32_t(t))->blockElements != 0)
                continue;
            const size_t rowBytes = ggmlRowBytes(t, n);
            std::vector<uint8_t> weights;
            for (int r = 0; r < 9; ++r) {
                const auto q = quantized(t, randomRow(n, 500 + uint32_t(r), 0.3f));
                weights.insert(weights.end(), q.begin(), q.end());
            }
            const auto x = randomRow(n, 600, 1.5f);
            std::vector<uint8_t> acts(ggmlRowBytes(k.activationType, n)), refActs(ggmlRowBytes(ref.activationType, n));
            k.convert(x.data(), acts.data(), n);
            ref.convert(x.data(), refActs.data(), n);
            for (int64_t rows = 1; rows <= 9; ++rows) {
                std::vector<float> out(size_t(rows) + 1, -7.0f);
                k.dotRows(n, weights.data(), rowBytes, rows, acts.data(), out.data());
                QCOMPARE(out[size_t(rows)], -7.0f); // nothing written past the rows
                for (int64_t r = 0; r < rows; ++r) {
                    const float expected = ref.dot(n, weights.data() + size_t(r) * rowBytes, refActs.data());
                    QVERIFY2(std::abs(out[size_t(r)] - expected) <= 2e-5f * (1 + std::abs(expected)) + 1e-3f,
                             qPrintable(QStringLiteral("n %1, %2 rows, row %3: %4 vs %5").arg(n).arg(rows).arg(r).arg(out[size_t(r)]).arg(expected)));
                }
            }
        }
    }

    // Whole products on the batched kernels (MatMul: activations converted once, tiles of tokens,
    // blocks of rows split over two threads) against the scalar reference: one token (the row-block
    // kernels of generation), token counts that fill no tile, one, and leave a partial last tile
    // (2, 7, 8, 9, 13, 40), 43 rows (no multiple of 16 or 4).
    void batchedProductsEqualTheReference_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("path");
        for (KernelPath p : {KernelPath::Avx2, KernelPath::Avx512})
            for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(kernelPathName(p)), QLatin1String(ggmlTypeName(t)))))
                    << int(t) << int(p);
    }

    void batchedProductsEqualTheReference()
    {
        QFETCH(int, type);
        QFETCH(int, path);
        if (!kernelPathAvailable(KernelPath(path)))
            QSKIP(qPrintable(QStringLiteral("this CPU lacks %1").arg(QLatin1String(kernelPathName(KernelPath(path))))));
        const GgmlType t = GgmlType(type);
        ThreadPool pool(2);
        MatMul fast(pool, KernelPath(path)), reference(pool, KernelPath::Reference);
        const int64_t rows = 43;
        const bool kQuant = t == GgmlType::Q4_K || t == GgmlType::Q5_K || t == GgmlType::Q6_K;
        const std::vector<int64_t> widths = kQuant ? std::vector<int64_t>{256, 1024} : std::vector<int64_t>{32, 1056};
        for (const int64_t cols : widths) {
            std::vector<uint8_t> weights;
            for (int64_t r = 0; r < rows; ++r) {
                const auto q = quantized(t, randomRow(cols, 3000 + uint32_t(r), 0.2f));
                weights.insert(weights.end(), q.begin(), q.end());
            }
            const WeightTensor w{t, cols, rows, ggmlRowBytes(t, cols), weights.data()};
            for (const int64_t tokens : {1, 2, 7, 8, 9, 13, 40}) {
                std::vector<float> x;
                for (int64_t j = 0; j < tokens; ++j) {
                    const auto row = randomRow(cols, 4000 + uint32_t(j), j == 5 ? 0.0f : 1.5f); // token 5: all zero
                    x.insert(x.end(), row.begin(), row.end());
                }
                std::vector<float> got(size_t(tokens * rows), -1.0f), expected(got.size());
                fast.run(w, x.data(), tokens, got.data());
                reference.run(w, x.data(), tokens, expected.data());
                for (size_t i = 0; i < got.size(); ++i)
                    QVERIFY2(std::abs(got[i] - expected[i]) <= 2e-5f * (1 + std::abs(expected[i])) + 1e-3f,
                             qPrintable(QStringLiteral("%1 × %2, %3 tokens: token %4 row %5: %6 vs %7")
                                            .arg(rows).arg(cols).arg(tokens).arg(i / size_t(rows)).arg(i % size_t(rows)).arg(got[i]).arg(expected[i])));
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

QTEST_GUILESS_MAIN(TstVectorKernels)
#include "tst_vector_kernels.moc"
