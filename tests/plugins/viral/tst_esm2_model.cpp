// Our LibTorch ESM-2 against the official fair-esm outputs recorded in
// ../shared/fixtures/viral/esm2_tiny: every representation, the logits and
// the pipeline's mean embedding within 1e-4 at real positions, batched and
// each input alone.

#include "model/esm2_model.h"
#include "model/synthetic_encoders.h"
#include "model_reference.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::viral::test;

class TstEsm2Model : public QObject {
    Q_OBJECT
    std::unique_ptr<Esm2Model> m_model;

    std::vector<int64_t> lengthsOf(const ModelReference& ref, const QString& tokensName) const
    {
        const auto ids = ref.ints(tokensName);
        const auto shape = ref.shape(tokensName);
        std::vector<int64_t> lengths;
        for (int64_t b = 0; b < shape[0]; ++b) {
            int64_t n = 0;
            for (int64_t t = 0; t < shape[1]; ++t)
                n += ids[size_t(b * shape[1] + t)] != 1 ? 1 : 0; // <pad> = 1
            lengths.push_back(n);
        }
        return lengths;
    }

    void compareRun(const ModelReference& ref, const QString& prefix)
    {
        const auto lengths = lengthsOf(ref, prefix + QStringLiteral("tokens"));
        const auto rows = ref.rows(prefix + QStringLiteral("tokens"), lengths);
        auto out = m_model->forward(rows, {0, 1, 2}, true);
        QVERIFY2(out, out ? "" : qPrintable(out.error().message()));
        for (int layer = 0; layer <= 2; ++layer) {
            const QString name = prefix + QStringLiteral("representations.%1").arg(layer);
            const double d = maxDiffAtRealPositions(out->representations[size_t(layer)], ref.floats(name), ref.shape(name), lengths);
            QVERIFY2(d <= kTolerance, qPrintable(QStringLiteral("%1: max difference %2").arg(name).arg(d)));
        }
        const QString logits = prefix + QStringLiteral("logits");
        const double d = maxDiffAtRealPositions(out->logits, ref.floats(logits), ref.shape(logits), lengths);
        QVERIFY2(d <= kTolerance, qPrintable(QStringLiteral("%1: max difference %2").arg(logits).arg(d)));
        auto means = m_model->meanEmbeddings(rows, 2, 1024);
        QVERIFY(means);
        const std::vector<float> flat = flatten(*means);
        const double dm = maxDiff(flat, ref.floats(prefix + QStringLiteral("mean_last_residues")));
        QVERIFY2(dm <= kTolerance, qPrintable(QStringLiteral("%1mean_last_residues: max difference %2").arg(prefix).arg(dm)));
    }

    // A lower precision (encoder_precision.h) on the same inputs: close to the official float32
    // outputs within the given bounds, and not equal to them (the path ran).
    void lowPrecisionStaysClose(EncoderPrecision precision, double tolerance, double minimumCosine)
    {
        auto low = Esm2Model::load(bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")), precision);
        QVERIFY2(low, low ? "" : qPrintable(low.error().message()));
        ModelReference ref(QStringLiteral("viral/esm2_tiny"));
        const auto lengths = lengthsOf(ref, QStringLiteral("tokens"));
        const auto rows = ref.rows(QStringLiteral("tokens"), lengths);
        auto means = (*low)->meanEmbeddings(rows, 2, 1024);
        QVERIFY2(means, means ? "" : qPrintable(means.error().message()));
        const std::vector<float> flat = flatten(*means);
        const auto expected = ref.floats(QStringLiteral("mean_last_residues"));
        const double relative = maxDiff(flat, expected) / maxAbs(expected);
        const double cosine = minCosine(flat, expected, size_t(m_model->config().hidden));
        qInfo("ESM-2 tiny, %s against fair-esm float32: mean embedding max difference %.3g of the largest value, smallest cosine %.7f",
              qPrintable(precisionName(precision)), relative, cosine);
        QVERIFY2(relative <= tolerance && cosine >= minimumCosine, qPrintable(QStringLiteral("%1 / %2").arg(relative).arg(cosine)));
        QVERIFY2(relative > 1e-6, "the float32 result: the lower-precision path did not run");
        // Representations and logits keep their float32 type and shape.
        auto out = (*low)->forward(rows, {2}, true);
        QVERIFY(out);
        QCOMPARE(out->representations[0].shape, ref.shape(QStringLiteral("representations.2")));
    }

private slots:
    void initTestCase()
    {
        if (!bioforge::test::fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto model = Esm2Model::load(bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")));
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
        m_model = std::move(*model);
        QCOMPARE(m_model->config().layers, int64_t(2));
        QCOMPARE(m_model->config().hidden, int64_t(64));
    }

    void paddedBatchMatchesFairEsm()
    {
        ModelReference ref(QStringLiteral("viral/esm2_tiny"));
        QVERIFY(ref.valid());
        compareRun(ref, QString());
    }

    void eachInputAloneMatchesFairEsm()
    {
        ModelReference ref(QStringLiteral("viral/esm2_tiny"));
        for (int i = 0; i < 8; ++i)
            compareRun(ref, QStringLiteral("alone.%1.").arg(i));
    }

    void bfloat16StaysCloseToFairEsm() { lowPrecisionStaysClose(EncoderPrecision::BFloat16, kBFloat16RelativeTolerance, kBFloat16MinCosine); }
    void int8StaysCloseToFairEsm()
    {
        BIOFORGE_SKIP_WITHOUT_INT8();
        lowPrecisionStaysClose(EncoderPrecision::Int8, kInt8RelativeTolerance, kInt8MinCosine);
    }

    void theDeviceIndependentBFloat16PathMatchesTheCpuKernels()
    {
        // On a GPU the bf16 layer splits and rotates q, k, v with LibTorch's operations instead of
        // splitRotate<at::BFloat16> (CPU memory only). The same arithmetic (rotation in float32, rounded
        // once): run here on the CPU, it must agree with the CPU kernel's path and stay as close to
        // fair-esm's float32 as that path does.
        EncoderDevice portable;
        portable.portableKernels = true;
        auto generic = Esm2Model::load(bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")), EncoderPrecision::BFloat16, portable);
        auto kernels = Esm2Model::load(bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")), EncoderPrecision::BFloat16);
        QVERIFY2(generic && kernels, generic ? "" : qPrintable(generic.error().message()));
        ModelReference ref(QStringLiteral("viral/esm2_tiny"));
        const auto rows = ref.rows(QStringLiteral("tokens"), lengthsOf(ref, QStringLiteral("tokens")));
        const int64_t last = m_model->config().layers;
        auto a = (*generic)->meanEmbeddings(rows, last, 1024);
        auto b = (*kernels)->meanEmbeddings(rows, last, 1024);
        QVERIFY2(a && b, a ? "" : qPrintable(a.error().message()));
        const std::vector<float> fa = flatten(*a), fb = flatten(*b);
        const auto expected = ref.floats(QStringLiteral("mean_last_residues"));
        const double apart = maxDiff(fa, fb) / maxAbs(fb), fromReference = maxDiff(fa, expected) / maxAbs(expected);
        qInfo("ESM-2 tiny bf16, device-independent path against the CPU kernels: max difference %.3g of the largest value; "
              "against fair-esm float32: %.3g",
              apart, fromReference);
        QVERIFY2(apart <= 1e-2, qPrintable(QString::number(apart)));
        QVERIFY2(fromReference <= kBFloat16RelativeTolerance && minCosine(fa, expected, size_t(m_model->config().hidden)) >= kBFloat16MinCosine,
                 qPrintable(QString::number(fromReference)));
    }

    void theDeviceIndependentFloat32PathGivesTheSameBits()
    {
        // fp32 layers split and rotate q, k, v in one CPU pass (splitRotate<float>; int8 rotates in its fused attention), in
        // the order of LibTorch's operations that a GPU runs: the same values, bit for bit.
        EncoderDevice portable;
        portable.portableKernels = true;
        auto generic = Esm2Model::load(bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")), EncoderPrecision::Float32, portable);
        QVERIFY2(generic, generic ? "" : qPrintable(generic.error().message()));
        ModelReference ref(QStringLiteral("viral/esm2_tiny"));
        const auto rows = ref.rows(QStringLiteral("tokens"), lengthsOf(ref, QStringLiteral("tokens")));
        const int64_t last = m_model->config().layers;
        auto a = (*generic)->meanEmbeddings(rows, last, 1024);
        auto b = m_model->meanEmbeddings(rows, last, 1024);
        QVERIFY2(a && b, a ? "" : qPrintable(a.error().message()));
        QVERIFY(flatten(*a) == flatten(*b));
        // The fixture's heads are 16 wide; the real models' 32 (150M) and 64 (3B), where the
        // vectorised rotation runs whole 16-lane vectors: a synthesized model with 64-wide heads
        // (the fixture's vocabulary, so its token rows fit).
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("esm-d64"));
        QVERIFY(writeSyntheticEsm2(folder, {2, 128, 2, 256}, bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny")), 7));
        auto wideGeneric = Esm2Model::load(folder, EncoderPrecision::Float32, portable);
        auto wideKernels = Esm2Model::load(folder, EncoderPrecision::Float32);
        QVERIFY2(wideGeneric && wideKernels, wideGeneric ? "" : qPrintable(wideGeneric.error().message()));
        auto c = (*wideGeneric)->meanEmbeddings(rows, 2, 1024);
        auto d = (*wideKernels)->meanEmbeddings(rows, 2, 1024);
        QVERIFY2(c && d, c ? "" : qPrintable(c.error().message()));
        QVERIFY(flatten(*c) == flatten(*d));
    }

    void truncationLimitsTheAveragedResidues()
    {
        const std::vector<std::vector<int64_t>> row{{0, 20, 15, 11, 5, 19, 2}};
        auto full = m_model->forward(row, {2}, false);
        auto two = m_model->meanEmbeddings(row, 2, 2);
        QVERIFY(full && two);
        for (int64_t c = 0; c < 64; ++c) {
            const float expected = (full->representations[0].data[size_t(1 * 64 + c)] + full->representations[0].data[size_t(2 * 64 + c)]) / 2;
            QVERIFY(std::fabs((*two)[0][size_t(c)] - expected) < 1e-6f);
        }
    }

    void badInputAndBadFoldersAreClearErrors()
    {
        auto outside = m_model->forward({{0, 99, 2}}, {2}, false);
        QVERIFY(!outside);
        QVERIFY(outside.error().message().contains(QStringLiteral("99")));
        QVERIFY(!m_model->forward({{0, 5, 2}}, {7}, false));
        // A row of <cls><eos> alone has nothing to average: the error names the row (checked before
        // the batch runs); a truncation of 0 likewise.
        auto empty = m_model->meanEmbeddings({{0, 20, 15, 2}, {0, 2}}, 2, 1024);
        QVERIFY(!empty);
        QVERIFY2(empty.error().message().contains(QStringLiteral("row 1 has no residue")), qPrintable(empty.error().message()));
        QVERIFY(!m_model->meanEmbeddings({{0, 20, 15, 2}}, 2, 0));

        // A config that does not fit the weights: the error names the tensor and both shapes.
        QTemporaryDir dir;
        const QString src = bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny"));
        for (const char* f : {"model.safetensors", "vocab.txt"})
            QVERIFY(QFile::copy(src + QLatin1Char('/') + QLatin1String(f), dir.filePath(QLatin1String(f))));
        QByteArray config = bioforge::test::readAll(src + QStringLiteral("/config.json"));
        config.replace("\"intermediate_size\": 256", "\"intermediate_size\": 128");
        QFile out(dir.filePath(QStringLiteral("config.json")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(config);
        out.close();
        auto broken = Esm2Model::load(dir.path());
        QVERIFY(!broken);
        QVERIFY2(broken.error().message().contains(QStringLiteral("intermediate.dense.weight")), qPrintable(broken.error().message()));
        QVERIFY(!Esm2Model::load(dir.filePath(QStringLiteral("missing"))));
    }
};

QTEST_GUILESS_MAIN(TstEsm2Model)
#include "tst_esm2_model.moc"
