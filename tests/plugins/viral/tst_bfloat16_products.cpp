// The encoders' bfloat16 products (model/torch_layers.h): on a CPU without AMX bfloat16 tiles
// they are widened to float32 and rounded once (LibTorch 1.13's own bfloat16 GEMM there is a
// scalar loop, ~60× slower, or with AVX-512 BF16 oneDNN's, at about half OpenBLAS's float32
// speed). The semantics either path must keep, whichever this CPU takes: a bfloat16
// result within one bfloat16 rounding of the exact product of the bfloat16 operands (bias
// included), which is what oneDNN's kernels give (float32 sums). LibTorch's fallback batched
// product on such a CPU sums in bfloat16 (12 % off near cancellation in the case below): the
// widened one is also the more accurate.

#include <ATen/ATen.h>

#include "model/encoder_precision.h"
#include "model/torch_layers.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace bioforge::viral;

namespace {

at::Tensor randomBFloat16(at::IntArrayRef shape, double scale)
{
    return (at::randn(shape, at::TensorOptions().dtype(at::kFloat)) * scale).to(at::kBFloat16);
}

// Largest |ours − exact| / (|exact| + floor) over the elements: one bfloat16 rounding is at most
// 2⁻⁹ relative, float32 sums of a few hundred terms add far less.
double largestRelativeDifference(const at::Tensor& ours, const at::Tensor& exact, double floor)
{
    const at::Tensor a = ours.to(at::kDouble), b = exact.to(at::kDouble);
    return ((a - b).abs() / (b.abs() + floor)).max().item<double>();
}

at::Tensor wide(const at::Tensor& t) { return t.defined() ? t.to(at::kDouble) : t; }

} // namespace

class TestBFloat16Products : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        at::manual_seed(7);
        qInfo("this CPU %s AMX bfloat16 tiles: bfloat16 products %s", cpuHasBFloat16Tiles() ? "has" : "lacks",
              widensBFloat16Products(at::zeros({1}, at::kBFloat16)) ? "widened to float32" : "on LibTorch's bfloat16 kernels");
    }

    void onlyBFloat16OnACpuWithoutBFloat16TilesIsWidened()
    {
        QVERIFY(!widensBFloat16Products(at::zeros({2, 2}, at::kFloat)));
        QCOMPARE(widensBFloat16Products(at::zeros({2, 2}, at::kBFloat16)), !cpuHasBFloat16Tiles());
    }

    // The CPUID / XCR0 reading against an independent one: Linux lists avx512_bf16, amx_bf16 and
    // amx_tile in /proc/cpuinfo only where the CPU reports them. Tiles we use must be listed; listed
    // ones may still be unusable (an older kernel without the tile state, a sandbox refusing
    // arch_prctl), and then widening is right, so that direction is only reported.
    void bfloat16TilesAgreeWithTheKernelsCpuFlags()
    {
        QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
        if (!cpuinfo.open(QIODevice::ReadOnly))
            QSKIP("no /proc/cpuinfo on this system");
        const QRegularExpressionMatch flagsLine = QRegularExpression(QStringLiteral("^flags\\s*:(.*)$"), QRegularExpression::MultilineOption)
                                                      .match(QString::fromLatin1(cpuinfo.readAll()));
        if (!flagsLine.hasMatch())
            QSKIP("/proc/cpuinfo lists no flags (not x86)");
        const QStringList flags = flagsLine.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const bool listed = flags.contains(QLatin1String("avx512_bf16")) && flags.contains(QLatin1String("amx_bf16"))
                            && flags.contains(QLatin1String("amx_tile"));
        if (cpuHasBFloat16Tiles())
            QVERIFY2(listed, "bfloat16 tiles detected, but /proc/cpuinfo lacks avx512_bf16, amx_bf16 or amx_tile");
        else if (listed)
            qInfo("/proc/cpuinfo lists AMX bfloat16 tiles, but this process may not use them: products widened");
    }

    void linearIsTheExactProductRoundedOnce_data()
    {
        QTest::addColumn<bool>("withBias");
        QTest::newRow("bias") << true;
        QTest::newRow("no bias") << false;
    }

    void linearIsTheExactProductRoundedOnce()
    {
        QFETCH(bool, withBias);
        const at::Tensor x = randomBFloat16({3, 5, 96}, 1.0), w = randomBFloat16({40, 96}, 0.1);
        const at::Tensor bias = withBias ? randomBFloat16({40}, 4.0) : at::Tensor();
        const at::Tensor ours = bfloat16Linear(x, w, bias), exact = at::linear(wide(x), wide(w), wide(bias));
        QCOMPARE(ours.scalar_type(), at::kBFloat16);
        QCOMPARE(ours.sizes().vec(), exact.sizes().vec());
        const double d = largestRelativeDifference(ours, exact, 0.01);
        QVERIFY2(d <= 1.0 / 256, qPrintable(QStringLiteral("largest relative difference %1").arg(d)));
        // The bias is in (a product without it is far off), and the result is rounded to
        // bfloat16, not the float32 product of the same values.
        if (withBias)
            QVERIFY(largestRelativeDifference(bfloat16Linear(x, w, at::Tensor()), exact, 0.01) > 0.1);
        QVERIFY((ours.to(at::kDouble) - exact).abs().max().item<double>() > 1e-6);
    }

    void matmulIsTheExactProductRoundedOnce()
    {
        // The shapes of the attention products: [B, heads, T, D] · [B, heads, D, T] and back.
        const at::Tensor q = randomBFloat16({2, 3, 7, 16}, 1.0), k = randomBFloat16({2, 3, 16, 9}, 1.0);
        const at::Tensor ours = bfloat16Matmul(q, k), exact = at::matmul(wide(q), wide(k));
        QCOMPARE(ours.scalar_type(), at::kBFloat16);
        QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{2, 3, 7, 9}));
        const double d = largestRelativeDifference(ours, exact, 0.01);
        QVERIFY2(d <= 1.0 / 256, qPrintable(QStringLiteral("largest relative difference %1").arg(d)));
        // Float32 operands are LibTorch's product as it is.
        const at::Tensor a = q.to(at::kFloat), b = k.to(at::kFloat);
        QVERIFY(at::equal(bfloat16Matmul(a, b), at::matmul(a, b)));
    }

    void loadedLayersGiveTheSameProducts()
    {
        // TorchLinear::toBFloat16 converts the weights once (float32 tensors of bfloat16 values
        // where the products are widened): the same result as the product of bfloat16 operands.
        TorchLinear layer{randomBFloat16({24, 64}, 0.1).to(at::kFloat), at::randn({24})};
        const at::Tensor weight = layer.weight.to(at::kBFloat16), bias = layer.bias.to(at::kBFloat16);
        layer.toBFloat16();
        QCOMPARE(layer.widened, widensBFloat16Products(weight));
        const at::Tensor x = randomBFloat16({6, 64}, 1.0);
        const at::Tensor ours = layer(x);
        QCOMPARE(ours.scalar_type(), at::kBFloat16);
        QVERIFY(at::equal(ours, bfloat16Linear(x, weight, bias)));
    }

    void geluOfBFloat16IsRoundedOnce()
    {
        // geluErf and DNABERT-S's gated unit on bfloat16: within one bfloat16 rounding of the
        // exact x/2 · (1 + erf(x/√2)) [· gate], whichever kernel this CPU runs.
        const int64_t I = 40;
        const at::Tensor g = randomBFloat16({3, 5, 2 * I}, 3.0);
        const at::Tensor a = wide(g).slice(-1, 0, I), gate = wide(g).slice(-1, I, 2 * I);
        const at::Tensor exact = 0.5 * a * (1 + at::erf(a / std::sqrt(2.0)));
        const at::Tensor plain = geluErf(g.slice(-1, 0, I).contiguous()), gated = geluGate(g, I);
        QCOMPARE(plain.scalar_type(), at::kBFloat16);
        QCOMPARE(gated.scalar_type(), at::kBFloat16);
        const double d1 = largestRelativeDifference(plain, exact, 0.01), d2 = largestRelativeDifference(gated, exact * gate, 0.01);
        QVERIFY2(d1 <= 1.0 / 256 && d2 <= 1.0 / 256, qPrintable(QStringLiteral("largest relative differences %1, %2").arg(d1).arg(d2)));
    }
};

QTEST_APPLESS_MAIN(TestBFloat16Products)
#include "tst_bfloat16_products.moc"
