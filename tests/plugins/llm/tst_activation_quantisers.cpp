// The fast activation quantisers write the scalar ones' bytes: Q8_K in AVX2 and AVX-512, Q8_0 in
// AVX2 (one token and the 8-token tiles of the batched kernels), and the packed Q8_0 pairs of the
// AVX-512 kernels (scalar and vector forms).

#include "quant/block_layouts.h"
#include "quant/half.h"
#include "quant/packed_q8_pairs.h"
#include "quant/quantize.h"
#include "quant/vec_dot.h"
#include "quant_test_rows.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <vector>

using namespace bioforge::llm;
using namespace bioforge::llm::testing;

class TstActivationQuantisers : public QObject {
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
        expectSameBytes<BlockQ8_K>(rows, 256, quantizeActivationsQ8_K, fastQuantize);
    }

    // Every row quantised by `fast` gives `scalar`'s bytes (the blocks are filled with 0x5a first,
    // so a block the fast form leaves unwritten shows); Block holds `blockElements` values.
    template <typename Block>
    static void expectSameBytes(const std::vector<std::vector<float>>& rows, int64_t blockElements, ActivationFn scalarQuantize,
                                ActivationFn fastQuantize)
    {
        for (const auto& x : rows) {
            const int64_t n = int64_t(x.size());
            std::vector<Block> scalar(size_t(n / blockElements)), fast(scalar.size());
            scalarQuantize(x.data(), scalar.data(), n);
            std::memset(fast.data(), 0x5a, fast.size() * sizeof(Block));
            fastQuantize(x.data(), fast.data(), n);
            QVERIFY2(std::memcmp(scalar.data(), fast.data(), scalar.size() * sizeof(Block)) == 0,
                     qPrintable(QStringLiteral("n %1, first %2").arg(n).arg(x[0])));
        }
    }

private slots:
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
        expectSameBytes<BlockQ8_0>(rows, 32, quantizeActivationsQ8_0, avx2::quantizeActivationsQ8_0);
        if (QTest::currentTestFailed())
            return;
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
};

QTEST_GUILESS_MAIN(TstActivationQuantisers)
#include "tst_activation_quantisers.moc"
