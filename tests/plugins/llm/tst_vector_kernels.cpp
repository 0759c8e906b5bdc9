// Every fast path of the quantised products against the scalar reference on the same random
// data: activation quantisation in AVX-512, the AVX2 and AVX-512 dot products one token and
// several tokens a call, the packed Q8_0 pairs, and the AMX tile products.

#include "compute/matmul.h"
#include "compute/thread_pool.h"
#include "compute/weight_tensor.h"
#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/packed_q8_pairs.h"
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
    // The AVX-512 Q8_K quantisation writes the scalar one's bytes: random rows, an all-zero block,
    // the largest magnitude twice in one block with opposite signs (the first one's sign sets the
    // scale), exact halves after scaling (ties to even), and rows with NaN and infinities.
    void avx512Q8_KActivationsEqualTheScalarOnes()
    {
        if (!kernelPathAvailable(KernelPath::Avx512))
            QSKIP("this CPU lacks avx512");
        checkQ8_KBytes(avx512::quantizeActivationsQ8_K);
    }

    // The same rows for the AVX2 form.
    void avx2Q8_KActivationsEqualTheScalarOnes()
    {
        if (!kernelPathAvailable(KernelPath::Avx2))
            QSKIP("this CPU lacks avx2");
        checkQ8_KBytes(avx2::quantizeActivationsQ8_K);
    }

private:
    static void checkQ8_KBytes(ActivationFn fastQuantize)
    {
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
            fastQuantize(x.data(), fast.data(), n);
            QVERIFY2(std::memcmp(scalar.data(), fast.data(), scalar.size() * sizeof(BlockQ8_K)) == 0,
                     qPrintable(QStringLiteral("n %1, first %2").arg(n).arg(x[0])));
        }
    }

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

    // The AVX2 Q8_0 quantisation writes the scalar one's bytes (ggml's rule: multiplier 127 / amax,
    // ties to even, the fp16 scale): random rows, an all-zero block, exact halves after scaling, the
    // largest magnitude twice with opposite signs, NaN (skipped in the maximum, quant 0) and an
    // infinity (scale inf, multiplier 0: every quant 0). The tiles of the batched kernels hold the
    // same values: token j's scale as float, its quants, and zeros for absent tokens.
    void avx2Q8_0ActivationsEqualTheScalarOnes()
    {
        if (!kernelPathAvailable(KernelPath::Avx2))
            QSKIP("this CPU lacks avx2");
        std::vector<std::vector<float>> rows = {randomRow(1024, 31, 2.0f), randomRow(2816, 32, 0.01f), randomRow(32, 33, 1e-30f)};
        std::vector<float> ties(64, 0.0f);
        ties[3] = 127.0f; // multiplier 1 in the first block
        ties[20] = -127.0f;
        for (int j = 0; j < 8; ++j)
            ties[size_t(4 + j)] = float(j) + 0.5f; // ties to even
        ties[40] = 2.0f * 127.0f; // multiplier 0.5 in the second block: 1, 3, … 15 become halves
        for (int j = 0; j < 8; ++j)
            ties[size_t(48 + j)] = 2.0f * float(j) + 1.0f;
        rows.push_back(ties);
        auto zero = randomRow(96, 34);
        std::fill(zero.begin() + 32, zero.begin() + 64, 0.0f);
        rows.push_back(zero);
        auto nan = randomRow(96, 35);
        nan[0] = std::nanf("");
        nan[31] = std::nanf("");
        nan[70] = std::nanf("");
        rows.push_back(nan);
        auto inf = randomRow(64, 36);
        inf[9] = INFINITY;
        inf[40] = -INFINITY;
        rows.push_back(inf);
        for (const auto& x : rows) {
            const int64_t n = int64_t(x.size());
            std::vector<BlockQ8_0> scalar(size_t(n / 32)), fast(scalar.size());
            quantizeActivationsQ8_0(x.data(), scalar.data(), n);
            std::memset(fast.data(), 0x5a, fast.size() * sizeof(BlockQ8_0));
            avx2::quantizeActivationsQ8_0(x.data(), fast.data(), n);
            QVERIFY2(std::memcmp(scalar.data(), fast.data(), scalar.size() * sizeof(BlockQ8_0)) == 0,
                     qPrintable(QStringLiteral("n %1, first %2").arg(n).arg(x[0])));
        }
        // Tiles of 1 to 8 tokens from rows of these sizes; the bytes after the tokens given are zero.
        for (const int64_t n : {32, 96, 1056}) {
            for (int tokens = 1; tokens <= kQ8TileTokens; ++tokens) {
                std::vector<float> src;
                for (int j = 0; j < tokens; ++j) {
                    const auto row = randomRow(n, 40 + uint32_t(j), 3.0f);
                    src.insert(src.end(), row.begin(), row.end());
                }
                if (tokens > 1)
                    std::fill(src.begin() + n, src.begin() + n + 32, 0.0f); // token 1's first block all zero
                QCOMPARE(q8_0TileBytes(n), size_t(n / 32) * 288);
                std::vector<BlockQ8_0Tile> tile(size_t(n / 32));
                std::memset(tile.data(), 0x5a, tile.size() * sizeof(BlockQ8_0Tile));
                avx2::quantizeActivationsQ8_0Tile(src.data(), n, tokens, tile.data());
                for (int j = 0; j < kQ8TileTokens; ++j) {
                    std::vector<BlockQ8_0> want(size_t(n / 32));
                    if (j < tokens)
                        quantizeActivationsQ8_0(src.data() + j * n, want.data(), n);
                    else
                        std::memset(want.data(), 0, want.size() * sizeof(BlockQ8_0));
                    for (size_t b = 0; b < want.size(); ++b) {
                        const QString where = QStringLiteral("n %1, %2 tokens, token %3, block %4").arg(n).arg(tokens).arg(j).arg(b);
                        QVERIFY2(tile[b].d[j] == halfToFloat(want[b].d), qPrintable(where));
                        QVERIFY2(std::memcmp(tile[b].qs[j], want[b].qs, 32) == 0, qPrintable(where));
                    }
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
