// The encoders' int8 linear layers (EncoderPrecision::Int8, model/torch_int8.h): the int8 product
// (our AVX-512 VNNI kernel or oneDNN's) between our per-token rounding and scaling. What must hold whatever kernel runs: the
// result is the product of the rounded operands — weights to int8 with one scale per output row
// (max |w| / 127), each token's input row to uint8 over its own range — emulated here in double; a
// sequence's result does not depend on its batch; non-finite rows give NaN rows; an activation
// rounded in the epilogue for the next product equals rounding it afterwards; the layer is
// refused on a GPU.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "model/encoder_precision.h"
#include "model/gelu_kernels.h"
#include "model/int8_matmul.h"
#include "model/torch_layers.h"

#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

using namespace bioforge::viral;

namespace {

// x [N, in] → each row's rounding as int8Round does it (int8_kernels.h), dequantised (double):
// step = (max − min) / levels in float32, q = round_half_even(clamp((x − min) / step)),
// x ≈ min + step · q.
at::Tensor roundedRows(const at::Tensor& x, bool reducedRange)
{
    const float levels = reducedRange ? 127.0f : 255.0f;
    std::vector<at::Tensor> rows;
    for (int64_t r = 0; r < x.size(0); ++r) {
        const at::Tensor row = x[r];
        const float lo = row.min().item<float>(), hi = row.max().item<float>();
        const float step = std::max(float((double(hi) - double(lo)) / levels), std::numeric_limits<float>::min());
        const float inverse = 1.0f / step;
        const at::Tensor q = at::round(at::clamp(at::mul(at::sub(row, lo), inverse), 0.0, double(levels))); // float32, in that order
        rows.push_back(q.to(at::kDouble) * double(step) + double(lo));
    }
    return at::stack(rows);
}

// w [out, in] → its int8 rounding with one symmetric scale per row (max |w| / 127), dequantised.
at::Tensor roundedWeights(const at::Tensor& w)
{
    const at::Tensor scale = (w.to(at::kDouble).abs().amax({1}, true) / 127.0).to(at::kFloat).to(at::kDouble);
    return at::clamp(at::round(w.to(at::kDouble) / scale), -128, 127) * scale;
}

double relativeNorm(const at::Tensor& a, const at::Tensor& b, const at::Tensor& reference)
{
    return ((a.to(at::kDouble) - b.to(at::kDouble)).norm() / reference.to(at::kDouble).norm()).item<double>();
}

} // namespace

class TestInt8Products : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        at::manual_seed(11);
        if (auto available = int8MatmulStatus(); !available)
            QSKIP(qPrintable(available.error().message()));
        const auto st = selectInt8Engine();
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        qInfo("int8 products: %s", qPrintable(int8ProductsDescription()));
    }

    void productIsTheProductOfTheRoundedOperands_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<double>("outlier"); // one input channel scaled by this (ESM-2's outlier channels)
        QTest::newRow("q/k/v shape") << 96 << 64 << 192 << true << 1.0;
        QTest::newRow("square (output dense)") << 50 << 64 << 64 << true << 1.0;
        QTest::newRow("feed-forward down") << 37 << 256 << 64 << true << 1.0;
        QTest::newRow("no bias (DNABERT-S gate)") << 20 << 48 << 80 << false << 1.0;
        QTest::newRow("an outlier channel") << 64 << 128 << 32 << true << 30.0;
    }

    // The int8 product against an emulation of its rounding (double products of the rounded
    // operands): the two differ only where a value sits on a rounding tie or in the order of the
    // float32 scaling, far less than either differs from the exact product — so a wrong scale, 7
    // bits for 8, scales per column instead of per row, a lost bias each fail.
    void productIsTheProductOfTheRoundedOperands()
    {
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(bool, withBias);
        QFETCH(double, outlier);
        at::Tensor x = at::randn({rows, in}) + 0.3; // not centred: a non-zero zero point
        x.select(-1, 1).mul_(outlier);
        at::Tensor w = at::randn({out, in}) * 0.05;
        w[3].mul_(20); // rows of very different range: one scale per row matters
        const at::Tensor bias = withBias ? at::randn({out}) : at::Tensor();
        const at::Tensor wideBias = withBias ? bias.to(at::kDouble) : at::Tensor();
        const at::Tensor exact = at::linear(x.to(at::kDouble), w.to(at::kDouble), wideBias);
        const at::Tensor emulated = at::linear(roundedRows(x, int8ReducedRange()), roundedWeights(w), wideBias);
        const at::Tensor ours = int8Linear(x, Int8Weights::pack(w), bias);
        QCOMPARE(ours.sizes(), exact.sizes());
        QCOMPARE(ours.scalar_type(), at::kFloat);
        const double error = relativeNorm(ours, exact, exact), fromEmulation = relativeNorm(ours, emulated, exact);
        qInfo("%s activations: int8 against float32 %.3g, against the emulated rounding %.3g (relative norms)", int8ReducedRange() ? "7-bit" : "8-bit",
              error, fromEmulation);
        QVERIFY2(fromEmulation < 0.01 * error, qPrintable(QStringLiteral("%1 against %2").arg(fromEmulation).arg(error)));
        QVERIFY2(error > 1e-6, "the int8 product gave the float32 result: it did not run");
        if (outlier == 1.0) // Gaussian inputs: about 1 % (8-bit activations), 2 % (7-bit)
            QVERIFY2(error < 0.03, qPrintable(QString::number(error)));
    }

    // Each token of a padded batch is rounded over its own range: a sequence's result is what it
    // gives alone, whatever its batch mates (results are cached per contig) and its padding —
    // a loud mate, a constant one, padding rows holding huge, infinite or NaN values.
    void aSequenceGivesTheSameResultInAnyBatch()
    {
        const at::Tensor w = at::randn({40, 32}) * 0.1, bias = at::randn({40});
        const Int8Weights packed = Int8Weights::pack(w);
        at::Tensor batch = at::randn({4, 10, 32});
        batch[1].mul_(50);                 // a loud batch mate: one scale over the batch would coarsen the others
        batch[2].slice(0, 6).fill_(1e4);   // padding rows beyond its 6 real tokens
        batch[2][7][3] = std::numeric_limits<float>::quiet_NaN();
        batch[2][8][0] = std::numeric_limits<float>::infinity();
        batch[3].fill_(0.75);              // a constant sequence
        const std::vector<int64_t> lengths{10, 10, 6, 10};
        at::Tensor padding = at::zeros({4, 10}, at::kBool);
        padding[2].slice(0, 6).fill_(true);
        const at::Tensor together = int8Linear(batch, packed, bias, padding);
        QCOMPARE(together.sizes(), (at::IntArrayRef{4, 10, 40}));
        for (int64_t b = 0; b < 4; ++b) {
            const int64_t n = lengths[size_t(b)];
            const at::Tensor alone = int8Linear(batch[b].slice(0, 0, n).unsqueeze(0), packed, bias);
            const double difference = (together[b].slice(0, 0, n) - alone[0]).abs().max().item<double>();
            QVERIFY2(difference <= 1e-5 * (alone.abs().max().item<double>() + 1), qPrintable(QStringLiteral("sequence %1: %2").arg(b).arg(difference)));
            QVERIFY(at::allclose(int8Linear(batch[b].slice(0, 0, n), packed, bias), alone[0])); // [N, in]: one sequence
        }
        // The constant sequence: its product is exact (x' = 0), the bias plus 0.75 · the rounded rows' sums.
        QVERIFY(at::allclose(together[3], at::linear(batch[3], Int8Weights::pack(w).rowSums.unsqueeze(1).expand({40, 32}) / 32, bias), 1e-5, 1e-5));
        QVERIFY(at::isfinite(together.slice(0, 0, 2)).all().item<bool>());
        // Padding rows are left out of the product: zeros, whatever they held (1e4, NaN, inf).
        QVERIFY(at::equal(together[2].slice(0, 6), at::zeros({4, 40})));
    }

    // A real row holding NaN or ±inf gives a NaN row, as float32 would, not a silent number; it is
    // rounded on its own, so the sequence's other rows are what they give without it.
    void aNonFiniteRowGivesNaNAndLeavesItsSequenceAlone()
    {
        const at::Tensor w = at::randn({24, 16}) * 0.1, bias = at::randn({24});
        const Int8Weights packed = Int8Weights::pack(w);
        for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
            at::Tensor x = at::randn({1, 5, 16});
            x[0][2][7] = bad;
            const at::Tensor y = int8Linear(x, packed, bias);
            QVERIFY(at::isnan(y[0][2]).all().item<bool>());
            const at::Tensor others = at::cat({x[0].slice(0, 0, 2), x[0].slice(0, 3, 5)}).unsqueeze(0);
            const at::Tensor alone = int8Linear(others, packed, bias);
            QVERIFY(at::allclose(at::cat({y[0].slice(0, 0, 2), y[0].slice(0, 3, 5)}), alone[0], 1e-6, 1e-6));
        }
    }

    // GELU and the gated GELU run in the product's epilogue: what the layer then the activation give.
    void activationsInTheEpilogueEqualTheSeparatePass()
    {
        const at::Tensor w = at::randn({48, 32}) * 0.2, bias = at::randn({48});
        const Int8Weights packed = Int8Weights::pack(w);
        at::Tensor x = at::randn({3, 7, 32});
        at::Tensor padding = at::zeros({3, 7}, at::kBool);
        padding[1].slice(0, 4).fill_(true);
        const at::Tensor plain = int8Linear(x, packed, bias, padding);
        const at::Tensor gelu = int8Linear(x, packed, bias, padding, Int8Activation::Gelu);
        const at::Tensor gated = int8Linear(x, packed, bias, padding, Int8Activation::GatedGelu);
        QCOMPARE(gated.sizes(), (at::IntArrayRef{3, 7, 24}));
        QVERIFY(at::allclose(gelu, geluErf(plain), 1e-6, 1e-6));
        QVERIFY(at::allclose(gated, geluGate(plain, 24), 1e-6, 1e-6));
        QVERIFY(!at::allclose(gelu, plain)); // the activation ran
        // [N, in] (one sequence) → [N, out / 2]
        const at::Tensor one = int8Linear(x[0], packed, bias, {}, Int8Activation::GatedGelu);
        QCOMPARE(one.sizes(), (at::IntArrayRef{7, 24}));
        QVERIFY(at::allclose(one, gated[0], 1e-6, 1e-6));
        TorchLinear layer;
        layer.weight = w;
        layer.bias = bias;
        const at::Tensor floatGated = layer.gatedGelu(x, padding);
        layer.toInt8();
        QVERIFY(at::equal(layer.gelu(x, padding), gelu));
        QVERIFY(at::equal(layer.gatedGelu(x, padding), gated));
        // Against float32's layer, then geluGate, over the real rows (int8 padding rows are zeros).
        const at::Tensor real = padding.logical_not();
        const double error = relativeNorm(gated.index({real}), floatGated.index({real}), floatGated.index({real}));
        QVERIFY2(error > 1e-6 && error < 0.03, qPrintable(QString::number(error)));
    }

    // A product whose epilogue rounds its activation for the next product (int8LinearRounded, the
    // feed-forward blocks) gives the bits of rounding its float32 output afterwards; padding rows
    // stay out, a NaN row stays NaN; TorchLinear::feedForward runs it.
    void roundingInTheEpilogueEqualsRoundingAfterwards()
    {
        const at::Tensor w1 = at::randn({48, 32}) * 0.2, b1 = at::randn({48}), w2 = at::randn({16, 24}) * 0.2, b2 = at::randn({16});
        const Int8Weights up = Int8Weights::pack(w1), down = Int8Weights::pack(w2);
        const Int8Weights downWide = Int8Weights::pack(at::randn({16, 48}) * 0.2);
        at::Tensor x = at::randn({3, 7, 32});
        x[2][1][5] = std::numeric_limits<float>::quiet_NaN();
        at::Tensor padding = at::zeros({3, 7}, at::kBool);
        padding[1].slice(0, 5).fill_(true);
        for (const Int8Activation activation : {Int8Activation::None, Int8Activation::Gelu, Int8Activation::GatedGelu}) {
            const Int8Weights& next = activation == Int8Activation::GatedGelu ? down : downWide;
            const Int8Rows fused = int8LinearRounded(int8Round(x, padding), up, b1, activation);
            const Int8Rows after = int8Round(int8Linear(x, up, b1, padding, activation), padding);
            QVERIFY(at::equal(fused.q, after.q));
            QVERIFY(fused.lo == after.lo && fused.step == after.step && fused.finite == after.finite && fused.real == after.real);
            const at::Tensor y = int8Linear(fused, next, b2);
            QVERIFY(at::allclose(y, int8Linear(int8Linear(x, up, b1, padding, activation), next, b2, padding), 0.0, 0.0, /*equal_nan=*/true)); // bits
            QVERIFY(at::isnan(y[2][1]).all().item<bool>());
            QVERIFY(at::equal(y[1].slice(0, 5), at::zeros({2, 16})));
            QVERIFY(at::isfinite(y[0]).all().item<bool>());
        }
        TorchLinear first, second, secondWide;
        first.weight = w1;
        first.bias = b1;
        second.weight = w2;
        second.bias = b2;
        secondWide.weight = at::randn({16, 48}) * 0.2;
        // float32: each activation between the two products, as LibTorch's operations compute it
        const at::Tensor h = at::linear(x, w1, b1);
        QVERIFY(at::allclose(first.feedForward(secondWide, x, padding, Int8Activation::None), at::linear(h, secondWide.weight), 0.0, 0.0, true));
        QVERIFY(at::allclose(first.feedForward(secondWide, x, padding, Int8Activation::Gelu), at::linear(geluErf(h), secondWide.weight), 0.0, 0.0, true));
        QVERIFY(at::allclose(first.feedForward(second, x, padding, Int8Activation::GatedGelu), at::linear(geluGate(h, 24), w2, b2), 0.0, 0.0, true));
        first.toInt8();
        second.toInt8();
        QVERIFY(at::allclose(first.feedForward(second, x, padding, Int8Activation::GatedGelu),
                             int8Linear(int8LinearRounded(int8Round(x, padding), *first.int8Weights, b1, Int8Activation::GatedGelu), *second.int8Weights, b2),
                             0.0, 0.0, /*equal_nan=*/true));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Linear(int8Round(x, padding), down, b2)); // 32 inputs for weights of 24
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Round(x[0], padding[0])); // padding belongs to a [B, T, in] batch
        // Rows enough for every thread (each reads the calling thread's sums; its own scratch), padded.
        at::Tensor big = at::randn({4, 160, 32});
        at::Tensor bigPadding = at::zeros({4, 160}, at::kBool);
        bigPadding[3].slice(0, 40).fill_(true);
        for (const Int8Activation activation : {Int8Activation::Gelu, Int8Activation::GatedGelu}) {
            const Int8Weights& next = activation == Int8Activation::GatedGelu ? down : downWide;
            const at::Tensor chained = int8Linear(int8LinearRounded(int8Round(big, bigPadding), up, b1, activation), next, b2);
            QVERIFY(at::equal(chained, int8Linear(int8Linear(big, up, b1, bigPadding, activation), next, b2, bigPadding)));
        }
        // A batch of padding only: zeros through the whole block.
        const at::Tensor none = int8Linear(int8LinearRounded(int8Round(big, at::ones({4, 160}, at::kBool)), up, b1, Int8Activation::Gelu), downWide, b2);
        QVERIFY(at::equal(none, at::zeros({4, 160, 16})));
    }

    // Our VNNI kernel and oneDNN's give the same sums, so the same layers bit for bit: plain,
    // with each activation, rounded in the epilogue, over blocks of 48 rows with tails, padding
    // and a NaN row (each block's sums in its thread's buffer).
    void theVnniKernelAndOneDnnGiveTheSameBits()
    {
#if defined(__clang__) // built without OpenMP: our kernel only where LibTorch has one thread (torch_int8.cpp)
        const int before = at::get_num_threads();
        at::set_num_threads(1);
        const auto restore = qScopeGuard([before] { at::set_num_threads(before); });
#endif
        const at::Tensor w1 = at::randn({96, 64}) * 0.2, b1 = at::randn({96}), w2 = at::randn({24, 48}) * 0.2, b2 = at::randn({24});
        const Int8Weights ours = Int8Weights::pack(w1), theirs = Int8Weights::pack(w1, Int8Kernel::OneDnn);
        const Int8Weights oursDown = Int8Weights::pack(w2), theirsDown = Int8Weights::pack(w2, Int8Kernel::OneDnn);
        QVERIFY(theirs.product && !theirs.vnni);
        QCOMPARE(bool(ours.vnni), int8VnniProducts(96, 64));
        if (!ours.vnni)
            QSKIP("our VNNI kernel does not run here (no AVX-512 VNNI, or BIOFORGE_INT8_PRODUCTS=onednn): oneDNN's computes the sums");
        QCOMPARE(ours.out(), int64_t(96));
        QCOMPARE(ours.in(), int64_t(64));
        at::Tensor x = at::randn({5, 61, 64});
        x[3][20][7] = std::numeric_limits<float>::infinity();
        at::Tensor padding = at::zeros({5, 61}, at::kBool);
        padding[1].slice(0, 9).fill_(true);
        for (const Int8Activation activation : {Int8Activation::None, Int8Activation::Gelu, Int8Activation::GatedGelu}) {
            const Int8Rows rows = int8Round(x, padding);
            QVERIFY(at::allclose(int8Linear(rows, ours, b1, activation), int8Linear(rows, theirs, b1, activation), 0.0, 0.0, /*equal_nan=*/true));
            if (activation != Int8Activation::GatedGelu)
                continue;
            const Int8Rows a = int8LinearRounded(rows, ours, b1, activation), b = int8LinearRounded(rows, theirs, b1, activation);
            QVERIFY(at::equal(a.q, b.q) && a.lo == b.lo && a.step == b.step && a.finite == b.finite);
            QVERIFY(at::allclose(int8Linear(a, oursDown, b2), int8Linear(b, theirsDown, b2), 0.0, 0.0, true));
        }
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Linear(int8Round(x, padding), oursDown, b2)); // 64 inputs for weights of 48
    }

    // LibTorch's parallel loops in the engine run on its threads (GCC builds compile their OpenMP
    // pragmas in; without, every int8 epilogue and rounding and the fused attention ran on one).
    void theEnginesLoopsRunOnEveryThread()
    {
#if defined(__clang__)
        QSKIP("clang builds run the engine's at::parallel_for loops on one thread (no -fopenmp: plugins/viral/CMakeLists.txt)");
#endif
        if (std::thread::hardware_concurrency() < 2)
            QSKIP("one CPU here");
        const int before = at::get_num_threads();
        at::set_num_threads(2);
        QCOMPARE(parallelLoopThreads(), 2);
        at::set_num_threads(1);
        QCOMPARE(parallelLoopThreads(), 1);
        at::set_num_threads(before);
    }

    // The activations' bits come from a self-test of the engine's kernels (8-bit pairs of 255 × 127
    // saturate without VNNI) or BIOFORGE_INT8_ACTIVATION_BITS=7 (this test runs a second time so:
    // tst_int8_products_7bit); the provenance and the result key say which.
    void theActivationBitsAreRecorded()
    {
        const QString key = int8ProductsKey();
        QVERIFY2(key.startsWith(int8ReducedRange() ? QStringLiteral("token-u7") : QStringLiteral("token-u8")), qPrintable(key));
        QCOMPARE(key.endsWith(QStringLiteral("+v512")), geluVectorKernels()); // the fused GELU's erf
        QCOMPARE(key.contains(QStringLiteral("+fused-attention")), fusedAttentionRuns()); // the attention's kernel
        QVERIFY2(key.contains(QStringLiteral("+norm-epilogue")), qPrintable(key)); // our LayerNorms (layerNormRow)
        QVERIFY(int8ProductsDescription().contains(int8ReducedRange() ? QStringLiteral("7-bit") : QStringLiteral("8-bit")));
        if (qgetenv("BIOFORGE_INT8_ACTIVATION_BITS") == "7")
            QVERIFY(int8ReducedRange());
        // An [N, in] input (one sequence) gives [N, out].
        const at::Tensor y = int8Linear(at::rand({4, 64}), Int8Weights::pack(at::ones({16, 64})), at::Tensor());
        QVERIFY(y.sizes() == (at::IntArrayRef{4, 16}));
    }

    // With 8-bit activations (this CPU's kernels passed the self-test) oneDNN's sums of the full
    // 0…255 × −127…127 range are exact at every row count the packed layout serves (the layout is
    // chosen once, at 256 rows). From 256 rows the kernel is the packing one; below, oneDNN may pick
    // another for a small product (an AMX CPU: its VNNI kernel for 1–2 rows of 640 × 96), and run()
    // reorders the weights into that kernel's layout: its sums are as exact.
    void eightBitProductsAreExactAtEveryRowCount()
    {
        if (int8ReducedRange())
            QSKIP("7-bit activations here: the 8-bit products are not used");
        const int64_t in = 640, out = 96;
        const at::Tensor w = at::randint(-127, 128, {out, in}, at::TensorOptions().dtype(at::kChar));
        const auto product = Int8Matmul::pack(w.data_ptr<int8_t>(), out, in);
        QVERIFY2(product, product ? "" : qPrintable(product.error().message()));
        const QString packing = (*product)->kernelFor(256);
        QVERIFY2(!packing.startsWith(QStringLiteral("ref")), qPrintable(packing));
        for (const int64_t rows : {1, 7, 255, 256, 257, 1000}) {
            const at::Tensor q = at::randint(0, 256, {rows, in}, at::TensorOptions().dtype(at::kByte));
            at::Tensor p = at::empty({rows, out}, at::TensorOptions().dtype(at::kInt));
            const auto st = (*product)->run(q.data_ptr<uint8_t>(), rows, p.data_ptr<int32_t>());
            QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
            const at::Tensor exact = at::matmul(q.to(at::kLong), w.to(at::kLong).t());
            QVERIFY2(at::equal(p.to(at::kLong), exact), qPrintable(QStringLiteral("%1 rows").arg(rows)));
            if (rows >= 256)
                QCOMPARE((*product)->kernelFor(rows), packing);
            else if (const QString kernel = (*product)->kernelFor(rows); kernel != packing)
                qInfo("%lld rows: oneDNN's %s, not the packing %s (the weights reordered for it)", static_cast<long long>(rows), qPrintable(kernel), qPrintable(packing));
        }
    }

    // Shapes that do not fit are errors, not reads past the end; an empty batch is an empty result.
    void badShapesAreErrorsAndEmptyIsEmpty()
    {
        const Int8Weights packed = Int8Weights::pack(at::randn({8, 4}));
        const at::Tensor x = at::randn({2, 3, 4});
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Linear(x, packed, at::randn({7})));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Linear(x, packed, {}, at::zeros({2, 5}, at::kBool)));
        QVERIFY_THROWS_EXCEPTION(c10::Error, int8Linear(at::randn({2, 3, 5}), packed, {}));
        QCOMPARE(int8Linear(at::randn({0, 3, 4}), packed, {}).sizes(), (at::IntArrayRef{0, 3, 8}));
        QCOMPARE(int8Linear(at::randn({0, 4}), packed, {}, {}, Int8Activation::GatedGelu).sizes(), (at::IntArrayRef{0, 4}));
    }

    void loadedLayersRunTheInt8Product()
    {
        TorchLinear layer;
        layer.weight = at::randn({24, 16});
        layer.bias = at::randn({24});
        const at::Tensor x = at::randn({5, 16});
        const at::Tensor expected = int8Linear(x, Int8Weights::pack(layer.weight), layer.bias);
        layer.toInt8();
        QVERIFY(!layer.weight.defined()); // the float32 copy is freed, the bias kept
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
