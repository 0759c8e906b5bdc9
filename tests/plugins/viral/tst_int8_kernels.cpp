// The int8 precision's own pieces, torch-free: the AVX-512 rounding and scaling kernels
// (model/int8_kernels.h) equal their scalar references bit for bit at every tail length and on
// special values (NaN, ±inf, rounding ties); oneDNN's int8 product (model/int8_matmul.h) and our
// AVX-512 VNNI one (model/int8_gemm.h) equal the exact int32 sums at awkward shapes. The layer built from them is tst_int8_products.

#include "model/int8_gemm.h"
#include "model/int8_kernels.h"
#include "model/int8_matmul.h"

#include <QFile>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

using namespace bioforge::viral;

namespace {

std::vector<float> activations(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.3f, 2.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = normal(rng);
    return v;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace

class TestInt8Kernels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qInfo("vector kernels %s", int8VectorKernels() ? "on (AVX-512)" : "off: the scalar references run (nothing to compare)");
        qInfo("int8 products: %s", qPrintable(int8MatmulImplementation()));
    }

    void rowRangeEqualsTheReference()
    {
        for (size_t n = 1; n <= 70; ++n) {
            std::vector<float> x = activations(n, uint32_t(n));
            const RowRange v = rowRange(x.data(), n), r = rowRangeReference(x.data(), n);
            QVERIFY2(v.finite && r.finite && sameBits(v.lo, r.lo) && sameBits(v.hi, r.hi), qPrintable(QString::number(n)));
            QCOMPARE(r.lo, *std::min_element(x.begin(), x.end()));
            QCOMPARE(r.hi, *std::max_element(x.begin(), x.end()));
            for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()}) {
                std::vector<float> y = x;
                y[n - 1] = bad; // the last lane: a tail lane when n % 16 ≠ 0
                QVERIFY2(!rowRange(y.data(), n).finite && !rowRangeReference(y.data(), n).finite, qPrintable(QString::number(n)));
            }
        }
    }

    // layerNormRow: the vector form equals the reference bit for bit at every tail length (the
    // masked lanes add nothing), in place too; both are within float32 rounding of a double-precision
    // LayerNorm, also for rows far from zero (mean 1000, spread 0.01: the centred second pass);
    // NaN or ±inf anywhere gives a NaN row.
    void layerNormRowEqualsTheReference()
    {
        for (const size_t n : {1, 2, 15, 16, 17, 31, 33, 47, 64, 70, 97, 640, 768, 1280}) {
            for (const auto& [offset, spread] : {std::pair{0.0f, 1.0f}, std::pair{1000.0f, 0.01f}, std::pair{-3.0f, 40.0f}}) {
                std::vector<float> x = activations(n, uint32_t(n) * 7), gamma = activations(n, uint32_t(n) + 1), beta = activations(n, uint32_t(n) + 2);
                for (float& v : x)
                    v = offset + spread * v;
                std::vector<float> v(n), r(n), inPlace = x;
                const float eps = 1e-5f;
                layerNormRow(x.data(), v.data(), n, gamma.data(), beta.data(), eps);
                layerNormRowReference(x.data(), r.data(), n, gamma.data(), beta.data(), eps);
                layerNormRow(inPlace.data(), inPlace.data(), n, gamma.data(), beta.data(), eps);
                double mean = 0, var = 0, scale = 0;
                for (const float e : x)
                    mean += e;
                mean /= double(n);
                for (const float e : x)
                    var += (e - mean) * (e - mean);
                var /= double(n);
                for (size_t i = 0; i < n; ++i) {
                    const QString where = QStringLiteral("n %1, offset %2, element %3").arg(n).arg(offset).arg(i);
                    QVERIFY2(sameBits(v[i], r[i]) && sameBits(inPlace[i], r[i]), qPrintable(where));
                    const double normalised = (x[i] - mean) / std::sqrt(var + double(eps));
                    scale = std::abs(normalised * gamma[i]) + std::abs(beta[i]);
                    // float32 rounding: of each result (~1e-6 of its size) and of the mean, whose error
                    // (~ε · |mean| per level of the lanes' sums and tree) moves every value by that over σ.
                    const double conditioning = std::abs(mean) / std::sqrt(var + double(eps));
                    const double bound = 2e-6 * (scale + 1.0) + 8 * 6e-8 * conditioning * (1 + std::log2(double(n))) * std::abs(gamma[i]);
                    QVERIFY2(std::abs(double(r[i]) - (normalised * gamma[i] + beta[i])) <= bound,
                             qPrintable(QStringLiteral("%1: %2 against %3").arg(where).arg(r[i]).arg(normalised * gamma[i] + beta[i])));
                }
                for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
                    std::vector<float> y = x;
                    y[n - 1] = bad; // a tail lane when n % 16 ≠ 0
                    layerNormRow(y.data(), v.data(), n, gamma.data(), beta.data(), eps);
                    layerNormRowReference(y.data(), r.data(), n, gamma.data(), beta.data(), eps);
                    QVERIFY2(std::all_of(v.begin(), v.end(), [](float e) { return std::isnan(e); }), qPrintable(QString::number(n)));
                    QVERIFY2(std::all_of(r.begin(), r.end(), [](float e) { return std::isnan(e); }), qPrintable(QString::number(n)));
                }
            }
        }
    }

    // addRow (the residual sums): each element's float32 sum at every tail length, in place too, and
    // nothing written past n.
    void addRowIsTheSum()
    {
        for (size_t n = 1; n <= 70; ++n) {
            const std::vector<float> a = activations(n, uint32_t(n) + 3), b = activations(n, uint32_t(n) + 4);
            std::vector<float> y(n + 1, -7.0f), inPlace = a;
            addRow(a.data(), b.data(), y.data(), n);
            addRow(inPlace.data(), b.data(), inPlace.data(), n);
            for (size_t i = 0; i < n; ++i)
                QVERIFY2(sameBits(y[i], a[i] + b[i]) && sameBits(inPlace[i], a[i] + b[i]), qPrintable(QString::number(n)));
            QCOMPARE(y[n], -7.0f);
        }
    }

    void quantizeRowEqualsTheReference()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        for (const float levels : {255.0f, 127.0f})
            for (size_t n = 1; n <= 70; ++n) {
                std::vector<float> x = activations(n, uint32_t(100 + n));
                const float lo = -1.5f, inverse = levels / 4.0f; // part of the values outside [lo, lo + 4]: clamped
                // Specials: NaN, ±inf, near-ties, both ends.
                const float specials[] = {nan, inf, -inf, lo + 2.5f / inverse, lo + 3.5f / inverse, lo, lo + 4.0f, -0.0f};
                for (size_t i = 0; i < std::size(specials) && i < n; ++i)
                    x[(i * 5) % n] = specials[i];
                std::vector<uint8_t> v(n + 1, 0xAB), r(n + 1, 0xAB);
                quantizeRow(x.data(), v.data(), n, lo, inverse, levels);
                quantizeRowReference(x.data(), r.data(), n, lo, inverse, levels);
                QVERIFY2(v == r, qPrintable(QStringLiteral("n %1, levels %2").arg(n).arg(levels)));
                QCOMPARE(v[n], uint8_t(0xAB)); // nothing written past the end
                for (size_t i = 0; i < n; ++i)
                    QVERIFY(r[i] <= levels);
            }
        // Real ties (k + ½ exactly: lo 0, inverse 1), vector against reference, in every lane.
        for (size_t n = 1; n <= 40; ++n) {
            std::vector<float> x(n);
            for (size_t i = 0; i < n; ++i)
                x[i] = float(i % 20) + 0.5f;
            std::vector<uint8_t> v(n), r(n);
            quantizeRow(x.data(), v.data(), n, 0.0f, 1.0f, 255.0f);
            quantizeRowReference(x.data(), r.data(), n, 0.0f, 1.0f, 255.0f);
            QVERIFY2(v == r, qPrintable(QString::number(n)));
            for (size_t i = 0; i < n; ++i)
                QVERIFY(r[i] % 2 == 0); // to even
        }
        // The reference's own rules: NaN → 0, +inf → levels, ties to even.
        const float x[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 2.5f, 3.5f, 1000.0f, -3.0f};
        uint8_t q[6];
        quantizeRowReference(x, q, 6, 0.0f, 1.0f, 255.0f);
        QCOMPARE(std::vector<uint8_t>(q, q + 6), (std::vector<uint8_t>{0, 255, 2, 4, 255, 0}));
    }

    void epilogueEqualsTheReference()
    {
        for (size_t n = 1; n <= 70; ++n) {
            std::mt19937 rng{uint32_t(n)};
            std::uniform_int_distribution<int32_t> sums(-4000000, 4000000);
            std::vector<int32_t> p(n);
            for (int32_t& s : p)
                s = sums(rng);
            const std::vector<float> scales = activations(n, 1), rowSums = activations(n, 2), bias = activations(n, 3);
            for (const bool withBias : {true, false}) {
                std::vector<float> v(n + 1, 7.0f), r(n + 1, 7.0f);
                int8Epilogue(p.data(), v.data(), n, 0.013f, -0.7f, scales.data(), rowSums.data(), withBias ? bias.data() : nullptr);
                int8EpilogueReference(p.data(), r.data(), n, 0.013f, -0.7f, scales.data(), rowSums.data(), withBias ? bias.data() : nullptr);
                for (size_t i = 0; i < n; ++i)
                    QVERIFY2(sameBits(v[i], r[i]), qPrintable(QStringLiteral("n %1, element %2: %3 against %4").arg(n).arg(i).arg(v[i]).arg(r[i])));
                QCOMPARE(v[n], 7.0f);
                const double expected = 0.013 * (double(scales[0]) * p[0]) + (-0.7 * rowSums[0] + (withBias ? bias[0] : 0.0));
                QVERIFY(std::abs(r[0] - expected) <= 1e-5 * (std::abs(expected) + 1));
            }
            // In place: the sums' storage becomes the result.
            std::vector<int32_t> inPlace = p;
            std::vector<float> r(n);
            int8EpilogueReference(p.data(), r.data(), n, 0.5f, 0.25f, scales.data(), rowSums.data(), bias.data());
            int8Epilogue(inPlace.data(), reinterpret_cast<float*>(inPlace.data()), n, 0.5f, 0.25f, scales.data(), rowSums.data(), bias.data());
            QVERIFY(std::memcmp(inPlace.data(), r.data(), n * sizeof(float)) == 0);
        }
    }

    void productIsTheExactIntegerProduct_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::newRow("one row") << 1 << 64 << 16;
        QTest::newRow("odd everything") << 17 << 5 << 3;
        QTest::newRow("in not a multiple of 4") << 33 << 101 << 40;
        QTest::newRow("encoder-like") << 70 << 640 << 192;
    }

    void productIsTheExactIntegerProduct()
    {
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        if (auto st = int8MatmulStatus(); !st)
            QSKIP(qPrintable(st.error().message()));
        std::mt19937 rng{uint32_t(rows * in + out)};
        std::uniform_int_distribution<int> u8(0, 127), s8(-127, 127); // 7-bit activations: exact on every kernel
        std::vector<uint8_t> q(size_t(rows * in));
        std::vector<int8_t> w(size_t(out * in));
        for (auto& v : q)
            v = uint8_t(u8(rng));
        for (auto& v : w)
            v = int8_t(s8(rng));
        const auto product = Int8Matmul::pack(w.data(), out, in);
        QVERIFY2(product, product ? "" : qPrintable(product.error().message()));
        QCOMPARE((*product)->out(), int64_t(out));
        std::vector<int32_t> p(size_t(rows * out), -1);
        const auto st = (*product)->run(q.data(), rows, p.data());
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        for (int r = 0; r < rows; ++r)
            for (int n = 0; n < out; ++n) {
                int32_t exact = 0;
                for (int k = 0; k < in; ++k)
                    exact += int32_t(q[size_t(r * in + k)]) * int32_t(w[size_t(n * in + k)]);
                QCOMPARE(p[size_t(r * out + n)], exact);
            }
    }

    // Our VNNI kernel (int8_gemm.h): the exact sums at every row tail (tiles of 12), column tail
    // (panels of 32) and in (steps of 4), with strides wider than the rows, nothing written past
    // out; the extremes (255 × ±127 over 3072) too — the reference's int64 sums, then oneDNN's.
    void vnniProductIsTheExactIntegerProduct()
    {
        // The CPU check agrees with the kernel's flags as Linux lists them (a broken check would
        // turn every VNNI test into a skip).
        QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
        if (cpuinfo.open(QIODevice::ReadOnly)) {
            const QByteArray text = cpuinfo.readAll();
            const qsizetype flagsAt = text.indexOf("\nflags");
            const QList<QByteArray> flags = text.mid(flagsAt + 1, text.indexOf('\n', flagsAt + 1) - flagsAt - 1).split(' ');
            if (flagsAt >= 0)
                QCOMPARE(VnniWeights::runs(), flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") &&
                                                  flags.contains("avx512_vnni"));
        }
        if (!VnniWeights::runs())
            QSKIP("no AVX-512 VNNI on this CPU: oneDNN's kernel computes the int8 sums");
        std::mt19937 rng{7};
        std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127);
        int cases = 0;
        for (const int rows : {1, 5, 11, 12, 13, 24, 37, 48})
            for (const int out : {1, 15, 16, 17, 31, 32, 33, 70})
                for (const int in : {4, 8, 36, 68}) {
                    const int ldQ = in + 3, ldSums = out + 5; // and a guard row after the sums
                    std::vector<uint8_t> q(size_t(rows * ldQ));
                    std::vector<int8_t> w(size_t(out * in));
                    for (auto& v : q)
                        v = uint8_t(u8(rng));
                    for (auto& v : w)
                        v = int8_t(s8(rng));
                    const VnniWeights packed(w.data(), out, in);
                    std::vector<int32_t> got(size_t((rows + 1) * ldSums), -7), want(size_t((rows + 1) * ldSums), -7);
                    packed.product(q.data(), ldQ, rows, got.data(), ldSums);
                    int8ProductReference(q.data(), ldQ, rows, w.data(), out, in, want.data(), ldSums);
                    QVERIFY2(got == want, qPrintable(QStringLiteral("rows %1, out %2, in %3").arg(rows).arg(out).arg(in)));
                    // Scaled back in the tile: int8Epilogue's reference bit for bit (bias or none).
                    std::uniform_real_distribution<float> f(-2.0f, 2.0f);
                    std::vector<float> step(static_cast<size_t>(rows)), lo(static_cast<size_t>(rows)), scales(static_cast<size_t>(out)), rowSums(static_cast<size_t>(out)),
                        bias(static_cast<size_t>(out));
                    for (auto* v : {&step, &lo, &scales, &rowSums, &bias})
                        for (float& x : *v)
                            x = f(rng);
                    const bool withBias = (rows + out) % 2 == 0;
                    std::vector<float> y(size_t((rows + 1) * ldSums), -7.0f), yWant(y.size(), -7.0f);
                    packed.productScaled(q.data(), ldQ, rows, Int8Scaling{step.data(), lo.data(), scales.data(), rowSums.data(), withBias ? bias.data() : nullptr},
                                         y.data(), ldSums);
                    for (int r = 0; r < rows; ++r)
                        int8EpilogueReference(want.data() + r * ldSums, yWant.data() + r * ldSums, size_t(out), step[size_t(r)], lo[size_t(r)], scales.data(),
                                              rowSums.data(), withBias ? bias.data() : nullptr);
                    QVERIFY2(std::memcmp(y.data(), yWant.data(), y.size() * sizeof(float)) == 0,
                             qPrintable(QStringLiteral("scaled: rows %1, out %2, in %3").arg(rows).arg(out).arg(in)));
                    ++cases;
                }
        QCOMPARE(cases, 8 * 8 * 4);
        // The extremes: every pair 255 × 127 (or −127) over in = 3072, 25 rows, 40 columns.
        const int rows = 25, out = 40, in = 3072;
        const std::vector<uint8_t> q(size_t(rows * in), 255);
        std::vector<int8_t> w(size_t(out * in), 127);
        for (int n = 1; n < out; n += 2)
            std::fill_n(w.begin() + n * in, in, int8_t(-127));
        std::vector<int32_t> got(size_t(rows * out));
        VnniWeights(w.data(), out, in).product(q.data(), in, rows, got.data(), out);
        for (int r = 0; r < rows; ++r)
            for (int n = 0; n < out; ++n)
                QCOMPARE(got[size_t(r * out + n)], (n % 2 ? -1 : 1) * 255 * 127 * in);
        if (!int8MatmulStatus())
            return;
        const auto onednn = Int8Matmul::pack(w.data(), out, in);
        QVERIFY(onednn);
        std::vector<int32_t> theirs(got.size());
        QVERIFY((*onednn)->run(q.data(), rows, theirs.data()));
        QVERIFY(theirs == got);
    }

    void vnniShapesItDoesNotTakeAreRefused()
    {
        QVERIFY(VnniWeights::takes(1, 4) && VnniWeights::takes(6144, 768) && VnniWeights::takes(3, 65536));
        QVERIFY(!VnniWeights::takes(0, 4) && !VnniWeights::takes(4, 0) && !VnniWeights::takes(4, 6) && !VnniWeights::takes(4, 65540));
        const int8_t w[6] = {};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, VnniWeights(w, 1, 6));
    }

    void badShapesAreErrors()
    {
        if (!int8MatmulStatus())
            QSKIP("no oneDNN in this build");
        const int8_t w[4] = {1, 2, 3, 4};
        QVERIFY(!Int8Matmul::pack(w, 0, 4));
        const auto product = Int8Matmul::pack(w, 2, 2);
        QVERIFY(product);
        int32_t p[2];
        const uint8_t q[2] = {1, 1};
        const auto st = (*product)->run(q, 0, p);
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(QStringLiteral("rows")), qPrintable(st.error().message()));
    }
};

QTEST_GUILESS_MAIN(TestInt8Kernels)
#include "tst_int8_kernels.moc"
