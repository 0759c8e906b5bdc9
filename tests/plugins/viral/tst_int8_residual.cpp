// The ends of the encoders' int8 blocks in the products' epilogues (model/torch_int8.h:
// int8LinearResidual, int8NormRound): what they compute in one pass per row equals, bit for bit,
// the separate steps — the int8 layer, the residual sum, layerNormRow over each row (int8_kernels.h)
// and int8Round of the result — with padding rows (the residual's, normalised), a NaN row, blocks
// of rows across threads, both product kernels; and it stays within float32 rounding of LibTorch's
// at::layer_norm. Bad shapes are errors.

#include <ATen/ATen.h>

#include "model/int8_kernels.h"
#include "model/int8_matmul.h"
#include "model/torch_layers.h"

#include <QTest>

#include <limits>

using namespace bioforge::viral;

namespace {

// The reference steps: LN of each row of a contiguous float32 [..., width] with layerNormRowReference.
at::Tensor normRows(const at::Tensor& x, const Int8Norm& norm)
{
    at::Tensor y = x.contiguous().clone();
    const int64_t width = y.size(-1), rows = y.numel() / width;
    float* ys = y.data_ptr<float>();
    for (int64_t r = 0; r < rows; ++r)
        layerNormRowReference(ys + r * width, ys + r * width, size_t(width), norm.gamma.data_ptr<float>(), norm.beta.data_ptr<float>(), norm.eps);
    return y;
}

bool sameValues(const at::Tensor& a, const at::Tensor& b) { return a.sizes() == b.sizes() && at::allclose(a, b, 0.0, 0.0, /*equal_nan=*/true); }

bool sameRows(const Int8Rows& a, const Int8Rows& b)
{
    return a.shape == b.shape && a.width == b.width && a.real == b.real && at::equal(a.q, b.q) && a.lo == b.lo && a.step == b.step && a.finite == b.finite;
}

Int8Norm randomNorm(int64_t width, float eps)
{
    return {1.0 + 0.3 * at::randn({width}), 0.2 * at::randn({width}), eps};
}

} // namespace

class TestInt8Residual : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        at::manual_seed(23);
        if (auto available = int8MatmulStatus(); !available)
            QSKIP(qPrintable(available.error().message()));
        const auto st = selectInt8Engine();
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
    }

    void theEpilogueEqualsTheSeparateSteps_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<bool>("onednn");
        QTest::newRow("small, ours") << 3 << 7 << false;
        QTest::newRow("small, oneDNN") << 3 << 7 << true;
        // Blocks of up to 48 rows on every thread, some scaled straight into the output, a padded tail.
        QTest::newRow("blocks, ours") << 4 << 160 << false;
        QTest::newRow("blocks, oneDNN") << 4 << 160 << true;
    }
    void theEpilogueEqualsTheSeparateSteps()
    {
        QFETCH(int, batch);
        QFETCH(int, tokens);
        QFETCH(bool, onednn);
        const int64_t in = 32, out = 48;
        const Int8Weights w = Int8Weights::pack(at::randn({out, in}) * 0.2, onednn ? Int8Kernel::OneDnn : Int8Kernel::Best);
        const at::Tensor bias = at::randn({out});
        at::Tensor x = at::randn({batch, tokens, in});
        x[2][1][5] = std::numeric_limits<float>::quiet_NaN();
        at::Tensor padding = at::zeros({batch, tokens}, at::kBool);
        padding[1].slice(0, tokens - 2).fill_(true);
        padding[batch - 1].slice(0, tokens / 2).fill_(true);
        const at::Tensor residual = 3.0 * at::randn({batch, tokens, out}) + 0.5;
        const Int8Norm post = randomNorm(out, 1e-12f), next = randomNorm(out, 1e-5f);
        const Int8Rows rows = int8Round(x, padding);
        // The separate steps: the layer (zeros at padding, NaN for the NaN row), the sum, the norms.
        const at::Tensor sum = int8Linear(rows, w, bias) + residual;
        const at::Tensor normed = normRows(sum, post);

        Int8Rows rounded, roundedNormed, roundedPlain;
        QVERIFY(sameValues(int8LinearResidual(rows, w, bias, residual, nullptr), sum));
        QVERIFY(sameValues(int8LinearResidual(rows, w, bias, residual, &post, &rounded), normed)); // post-LN (DNABERT-S)
        QVERIFY(sameRows(rounded, int8Round(normed, padding)));
        // pre-LN (ESM-2): the sum written, the next LayerNorm only rounded.
        QVERIFY(sameValues(int8LinearResidual(rows, w, bias, residual, nullptr, &roundedNormed, &next), sum));
        QVERIFY(sameRows(roundedNormed, int8NormRound(sum, next, padding)));
        QVERIFY(sameRows(roundedNormed, int8Round(normRows(sum, next), padding)));
        QVERIFY(sameValues(int8LinearResidual(rows, w, bias, residual, nullptr, &roundedPlain), sum));
        QVERIFY(sameRows(roundedPlain, int8Round(sum, padding)));
        // What the steps give: the NaN row stays NaN and its next row is marked; padding rows are
        // the residual's, normalised; the rest finite.
        QVERIFY(at::isnan(normed[2][1]).all().item<bool>());
        QVERIFY(!rounded.finite[size_t(std::find(rounded.real.begin(), rounded.real.end(), 2 * tokens + 1) - rounded.real.begin())]);
        QVERIFY(sameValues(normed[1].slice(0, tokens - 2), normRows(residual[1].slice(0, tokens - 2), post)));
        QVERIFY(at::isfinite(normed[0]).all().item<bool>());
        // Our LayerNorm against LibTorch's over the finite rows (its Welford sums round differently).
        const at::Tensor libtorch = at::layer_norm(sum[0], {out}, post.gamma, post.beta, post.eps);
        QVERIFY2(((normed[0] - libtorch).abs().max() / libtorch.abs().max()).item<double>() < 1e-6, "layerNormRow against at::layer_norm");
    }

    // A batch of padding only: the residual's rows, normalised; nothing to round.
    void aBatchOfPaddingIsTheResidualNormalised()
    {
        const Int8Weights w = Int8Weights::pack(at::randn({16, 8}));
        const at::Tensor residual = at::randn({2, 5, 16});
        const Int8Norm post = randomNorm(16, 1e-5f);
        Int8Rows next;
        const at::Tensor y = int8LinearResidual(int8Round(at::randn({2, 5, 8}), at::ones({2, 5}, at::kBool)), w, {}, residual, &post, &next);
        QVERIFY(sameValues(y, normRows(residual, post)));
        QVERIFY(next.real.empty());
        QCOMPARE(next.q.size(0), 0);
    }

    void badShapesAreErrors()
    {
        const Int8Weights w = Int8Weights::pack(at::randn({16, 8}));
        const Int8Rows rows = int8Round(at::randn({2, 5, 8}));
        const Int8Norm norm = randomNorm(16, 1e-5f), narrow = randomNorm(12, 1e-5f);
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 5, 12}), nullptr));           // residual width
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 4, 16}), nullptr));           // residual rows
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 5, 16}).to(at::kDouble), nullptr));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 5, 16}), &narrow));           // norm width
        Int8Rows next;
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 5, 16}), &norm, &next, &narrow));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8NormRound(at::randn({2, 5, 8}), norm, {}));                           // x width
        Int8Rows square = int8Round(at::randn({2, 5, 16}));
        const Int8Weights w16 = Int8Weights::pack(at::randn({16, 16}));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(square, w16, {}, at::randn({2, 5, 16}), &norm, &square)); // next = input
        const Int8Norm strided{at::randn({32}).slice(0, 0, 32, 2), at::randn({16}), 1e-5f};
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8LinearResidual(rows, w, {}, at::randn({2, 5, 16}), &strided));
    }
};

QTEST_GUILESS_MAIN(TestInt8Residual)
#include "tst_int8_residual.moc"
