// The encoders' int8 linear layers (EncoderPrecision::Int8, model/torch_layers.h): LibTorch's
// dynamic int8 linear on packed per-channel weights. What must hold whatever kernel runs: the
// result differs from the exact float32 product by no more than the rounding of its operands
// allows — weights to int8 with one scale per output row (max |w| / 127), the input to uint8
// with one scale over the whole tensor — so a wrong scale, a transposed weight, a lost bias or a
// per-row scale applied to the wrong axis fails; and the layer is refused on a GPU.

#include <ATen/ATen.h>

#include "model/encoder_precision.h"
#include "model/torch_layers.h"

#include <QTest>

using namespace bioforge::viral;

namespace {

// The largest error a dynamic int8 product may have at each output, from the operands' rounding:
// |x·w − x̂·ŵ| ≤ Σ_k |x_k| δw_r + |ŵ_rk| δx with δw_r = s_r / 2 (half a weight row's step) and
// δx = s_x, s_x = (max(x, 0) − min(x, 0)) / levels (levels 255, or 127 with 7-bit activations; a
// whole step, as the zero point's rounding shifts the range by up to half of one), plus float32
// sums. x [N, in], w [out, in] → [N, out] bounds.
at::Tensor roundingBound(const at::Tensor& x, const at::Tensor& w, int levels)
{
    const at::Tensor xd = x.to(at::kDouble), wd = w.to(at::kDouble);
    const double lo = std::min(0.0, xd.min().item<double>()), hi = std::max(0.0, xd.max().item<double>());
    const double stepX = (hi - lo) / levels;
    const at::Tensor stepW = wd.abs().amax({1}) / 127.0; // [out]
    const at::Tensor bound = xd.abs().sum(1, true) * (stepW.unsqueeze(0) / 2)            // Σ |x_k| δw_r
                             + ((wd.abs() + stepW.unsqueeze(1) / 2).sum(1) * stepX).unsqueeze(0); // Σ |ŵ_rk| δx
    return bound * 1.01 + 1e-5;
}

} // namespace

class TestInt8Products : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        at::manual_seed(11);
        const auto st = selectInt8Engine();
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        qInfo("int8 products on LibTorch's %s engine", c10::toString(at::globalContext().qEngine()).c_str());
    }

    void productIsWithinTheRoundingOfItsOperands_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<double>("outlier"); // one input channel scaled by this (ESM-2's outlier channels)
        QTest::newRow("q/k/v shape") << 96 << 64 << 192 << true << 1.0;
        QTest::newRow("feed-forward down") << 37 << 256 << 64 << true << 1.0;
        QTest::newRow("no bias (DNABERT-S gate)") << 20 << 48 << 80 << false << 1.0;
        QTest::newRow("an outlier channel") << 64 << 128 << 32 << true << 30.0;
    }

    void productIsWithinTheRoundingOfItsOperands()
    {
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(bool, withBias);
        QFETCH(double, outlier);
        at::Tensor x = at::randn({2, rows, in}) + 0.3; // [..., in], not centred: a non-zero zero point
        x.select(-1, 1).mul_(outlier);
        at::Tensor w = at::randn({out, in}) * 0.05;
        w[3].mul_(20); // rows of very different range: one scale per row matters
        const at::Tensor bias = withBias ? at::randn({out}) : at::Tensor();
        const at::Tensor exact = at::linear(x.to(at::kDouble), w.to(at::kDouble), withBias ? bias.to(at::kDouble) : at::Tensor());
        const at::Tensor ours = int8Linear(x, packInt8Linear(w, bias));
        QCOMPARE(ours.sizes(), exact.sizes());
        QCOMPARE(ours.scalar_type(), at::kFloat);
        const at::Tensor error = (ours.to(at::kDouble) - exact).abs();
        // 7-bit activations where the engine reduces the range: the looser bound holds for both.
        const at::Tensor bound = roundingBound(x.reshape({-1, in}), w, 127).view(exact.sizes());
        const double worst = (error / bound).max().item<double>();
        const double relative = (error.norm() / exact.norm()).item<double>();
        qInfo("int8 against float32: relative error %.3g, largest error %.2f of its rounding bound", relative, worst);
        QVERIFY2(worst <= 1.0, qPrintable(QString::number(worst)));
        if (outlier == 1.0) // Gaussian inputs: about 1 % (8-bit activations), 2 % (7-bit)
            QVERIFY2(relative < 0.03, qPrintable(QString::number(relative)));
        QVERIFY2(relative > 1e-6, "the int8 product gave the float32 result: it did not run");
    }

    void loadedLayersRunTheInt8Product()
    {
        TorchLinear layer;
        layer.weight = at::randn({24, 16});
        layer.bias = at::randn({24});
        const at::Tensor x = at::randn({5, 16});
        const at::Tensor expected = int8Linear(x, packInt8Linear(layer.weight, layer.bias));
        layer.toInt8();
        QVERIFY(!layer.weight.defined()); // the float32 copy is freed
        QVERIFY(at::equal(layer(x), expected));
    }

    void aGpuIsRefusedWithTheReason()
    {
        const auto st = int8Precision(at::Device(at::kCUDA, 0));
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(QStringLiteral("CPU only")) && st.error().message().contains(QStringLiteral("bf16")),
                 qPrintable(st.error().message()));
        QVERIFY(int8Precision(at::Device(at::kCPU)));
    }

    void precisionIsSpelledInt8()
    {
        QCOMPARE(precisionName(EncoderPrecision::Int8), QStringLiteral("int8"));
        QCOMPARE(*parsePrecision(QStringLiteral("int8")), EncoderPrecision::Int8);
        const auto bad = parsePrecision(QStringLiteral("fp16"));
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QStringLiteral("int8")), qPrintable(bad.error().message()));
    }
};

QTEST_GUILESS_MAIN(TestInt8Products)
#include "tst_int8_products.moc"
