// The encoders' GELU kernels (model/gelu_kernels.h): the AVX-512 kernels against the scalar
// reference (std::erf) for float32 and bfloat16, plain and gated, at every tail length, on
// special values; the bfloat16 rounding against c10's rule. The tensor wrappers are checked
// end to end against the official models' outputs (tst_dnabert_model, tst_esm2_model).

#include "model/gelu_kernels.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace bioforge::viral;

namespace {

float fromBits(uint32_t u)
{
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

// Random activations as a feed-forward layer has them, and the values where GELU bends or saturates.
std::vector<float> inputs(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = normal(rng);
    const float specials[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 0.7071f, -0.7071f, 5.0f, -5.0f, 10.0f, -10.0f, 40.0f, -40.0f, 1e30f, -1e30f};
    for (size_t i = 0; i < std::size(specials) && i < n; ++i)
        v[i * 7 % n] = specials[i];
    return v;
}

} // namespace

class TestGeluKernels : public QObject {
    Q_OBJECT
private slots:
    void bfloat16RoundingFollowsC10()
    {
        QCOMPARE(roundToBFloat16(1.0f), uint16_t(0x3F80));
        QCOMPARE(roundToBFloat16(fromBits(0x3F808000)), uint16_t(0x3F80)); // a tie, even below: stays
        QCOMPARE(roundToBFloat16(fromBits(0x3F818000)), uint16_t(0x3F82)); // a tie, odd below: up to even
        QCOMPARE(roundToBFloat16(fromBits(0x3F808001)), uint16_t(0x3F81)); // above the tie: up
        QCOMPARE(roundToBFloat16(fromBits(0xBF807FFF)), uint16_t(0xBF80)); // below the tie: down (sign kept)
        QCOMPARE(roundToBFloat16(std::numeric_limits<float>::infinity()), uint16_t(0x7F80));
        QCOMPARE(roundToBFloat16(std::numeric_limits<float>::max()), uint16_t(0x7F80)); // rounds up to infinity
        QCOMPARE(roundToBFloat16(std::numeric_limits<float>::quiet_NaN()), uint16_t(0x7FC0));
        QCOMPARE(roundToBFloat16(-std::numeric_limits<float>::quiet_NaN()), uint16_t(0xFFC0));
        QCOMPARE(fromBFloat16(0x3F80), 1.0f);
    }

    void referenceIsTheErfForm()
    {
        // gelu(1) = ½ (1 + erf(1/√2)) = Φ(1) = 0.841344746…; gelu(−1) = −(1 − Φ(1)).
        const float a[] = {1.0f, -1.0f, 0.0f}, b[] = {2.0f, 1.0f, 5.0f};
        float y[3];
        geluFloatReference(a, nullptr, y, 3);
        QVERIFY(std::abs(y[0] - 0.841344746f) < 1e-7f);
        QVERIFY(std::abs(y[1] + 0.158655254f) < 1e-7f);
        QCOMPARE(y[2], 0.0f);
        geluFloatReference(a, b, y, 3);
        QVERIFY(std::abs(y[0] - 2 * 0.841344746f) < 2e-7f);
    }

    void floatKernelMatchesTheReference_data()
    {
        QTest::addColumn<bool>("gated");
        for (bool gated : {false, true})
            QTest::newRow(gated ? "gated" : "plain") << gated;
    }

    void floatKernelMatchesTheReference()
    {
        QFETCH(bool, gated);
        if (!geluVectorKernels())
            QSKIP("this CPU has no AVX-512: the functions run the reference itself");
        for (size_t n : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(17), size_t(33), size_t(3072)}) {
            const std::vector<float> a = inputs(n, uint32_t(n) + 1), b = inputs(n, uint32_t(n) + 99);
            std::vector<float> want(n), got(n, -7.0f);
            geluFloatReference(a.data(), gated ? b.data() : nullptr, want.data(), n);
            geluFloat(a.data(), gated ? b.data() : nullptr, got.data(), n);
            for (size_t i = 0; i < n; ++i) {
                if (!std::isfinite(want[i])) {
                    QVERIFY2(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])), qPrintable(QString::number(a[i])));
                    continue;
                }
                // erf within a few ulp of 1; where 1 + erf cancels (x ≪ 0) that is an absolute error of
                // |x| · 2⁻²³ in both, so the bound has an absolute part as well as a relative one.
                const double scale = gated ? std::abs(double(b[i])) : 1.0;
                const double bound = 8 * std::numeric_limits<float>::epsilon() * (std::abs(double(want[i])) + std::abs(double(a[i])) * scale);
                QVERIFY2(std::abs(double(got[i]) - double(want[i])) <= bound,
                         qPrintable(QStringLiteral("n %1, x %2: %3, reference %4").arg(n).arg(a[i]).arg(got[i]).arg(want[i])));
            }
        }
        // In place (y = a), and inf / NaN pass through as the reference's do.
        std::vector<float> a = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), std::nanf(""), 2.0f};
        std::vector<float> want(a.size());
        geluFloatReference(a.data(), nullptr, want.data(), a.size());
        geluFloat(a.data(), nullptr, a.data(), a.size());
        QCOMPARE(a[0], want[0]);
        QVERIFY(std::isnan(a[1]) == std::isnan(want[1])); // −∞ · 0: NaN in both
        QVERIFY(std::isnan(a[2]));
        QVERIFY(std::abs(a[3] - want[3]) <= 4 * std::numeric_limits<float>::epsilon() * want[3]);
    }

    void bfloat16KernelMatchesTheReference()
    {
        if (!geluVectorKernels())
            QSKIP("this CPU has no AVX-512: the functions run the reference itself");
        for (bool gated : {false, true}) {
            const size_t n = 100003; // every tail length, and enough values to see a rounding rule wrong
            std::vector<uint16_t> a(n), b(n);
            const std::vector<float> fa = inputs(n, 5), fb = inputs(n, 6);
            for (size_t i = 0; i < n; ++i) {
                a[i] = roundToBFloat16(fa[i]);
                b[i] = roundToBFloat16(fb[i]);
            }
            a[3] = 0x7FC0; // NaN
            a[5] = 0xFFC1; // a signalling-style negative NaN
            std::vector<uint16_t> want(n), got(n);
            geluBFloat16Reference(a.data(), gated ? b.data() : nullptr, want.data(), n);
            geluBFloat16(a.data(), gated ? b.data() : nullptr, got.data(), n);
            size_t differ = 0, compared = 0;
            for (size_t i = 0; i < n; ++i) {
                if (std::isnan(fromBFloat16(want[i]))) {
                    QVERIFY2(std::isnan(fromBFloat16(got[i])), qPrintable(QString::number(i)));
                    continue;
                }
                if (std::isinf(fromBFloat16(want[i]))) {
                    QCOMPARE(got[i], want[i]);
                    continue;
                }
                const double x = fromBFloat16(a[i]), scale = gated ? std::abs(double(fromBFloat16(b[i]))) : 1.0;
                const double g = fromBFloat16(got[i]), w = fromBFloat16(want[i]);
                // One bfloat16 step either way (a float32 value next to a rounding boundary), and where
                // 1 + erf cancels (x ≪ 0) the float32 error |x| · 2⁻²³ that both computations carry.
                const double bound = std::abs(w) / 128 + 8 * std::numeric_limits<float>::epsilon() * std::abs(x) * scale;
                QVERIFY2(std::abs(g - w) <= bound, qPrintable(QStringLiteral("x %1: %2, reference %3").arg(x).arg(g).arg(w)));
                if (x >= -2) { // no cancellation: the float32 values agree to a few ulp
                    ++compared;
                    differ += got[i] != want[i];
                }
            }
            QVERIFY2(differ * 1000 < compared, qPrintable(QStringLiteral("%1 of %2 differ").arg(differ).arg(compared)));
        }
    }
};

QTEST_APPLESS_MAIN(TestGeluKernels)
#include "tst_gelu_kernels.moc"
