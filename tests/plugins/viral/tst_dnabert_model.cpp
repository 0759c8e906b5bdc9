// Our LibTorch DNABERT-S against the official bert_layers.py outputs recorded
// in ../shared/fixtures/viral/dnabert_s_tiny (4 heads) and dnabert_s_tiny_h12
// (12 heads: the other ALiBi slope rule): every hidden state, the pooler and
// the pipeline's mean embedding within 1e-4 at real positions, batched and
// each input alone.

#include "model/dnabert_model.h"
#include "model_reference.h"

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::viral::test;

class TstDnabertModel : public QObject {
    Q_OBJECT

    void compareRun(const DnabertModel& model, const ModelReference& ref, const QString& prefix, const std::vector<int64_t>& lengths)
    {
        const auto rows = ref.rows(prefix + QStringLiteral("input_ids"), lengths);
        auto out = model.forward(rows);
        QVERIFY2(out, out ? "" : qPrintable(out.error().message()));
        QCOMPARE(int64_t(out->hiddenStates.size()), model.config().layers + 1);
        for (int64_t layer = 0; layer <= model.config().layers; ++layer) {
            const QString name = prefix + QStringLiteral("hidden_states.%1").arg(layer);
            const double d = maxDiffAtRealPositions(out->hiddenStates[size_t(layer)], ref.floats(name), ref.shape(name), lengths);
            QVERIFY2(d <= kTolerance, qPrintable(QStringLiteral("%1: max difference %2").arg(name).arg(d)));
        }
        const QString last = prefix + QStringLiteral("last_hidden_state");
        QVERIFY(maxDiffAtRealPositions(out->hiddenStates.back(), ref.floats(last), ref.shape(last), lengths) <= kTolerance);
        const double dp = maxDiff(out->pooler.data, ref.floats(prefix + QStringLiteral("pooler_output")));
        QVERIFY2(dp <= kTolerance, qPrintable(QStringLiteral("%1pooler_output: max difference %2").arg(prefix).arg(dp)));
        auto means = model.meanEmbeddings(rows);
        QVERIFY(means);
        const std::vector<float> flat = flatten(*means);
        const double dm = maxDiff(flat, ref.floats(prefix + QStringLiteral("mean_pooled")));
        QVERIFY2(dm <= kTolerance, qPrintable(QStringLiteral("%1mean_pooled: max difference %2").arg(prefix).arg(dm)));
        // Padding positions hold exact zeros, as the official unpadded computation leaves them.
        const HostTensor& h = out->hiddenStates.back();
        for (size_t b = 0; b < lengths.size(); ++b)
            for (int64_t t = lengths[b]; t < h.shape[1]; ++t)
                QCOMPARE(h.data[size_t((int64_t(b) * h.shape[1] + t) * h.shape[2])], 0.0f);
    }

    // Real tokens per row, from the reference's attention mask.
    static std::vector<int64_t> lengthsOf(const ModelReference& ref)
    {
        const auto mask = ref.ints(QStringLiteral("attention_mask"));
        const auto shape = ref.shape(QStringLiteral("attention_mask"));
        std::vector<int64_t> lengths;
        for (int64_t b = 0; b < shape[0]; ++b) {
            int64_t n = 0;
            for (int64_t t = 0; t < shape[1]; ++t)
                n += mask[size_t(b * shape[1] + t)];
            lengths.push_back(n);
        }
        return lengths;
    }

    void checkFolder(const QString& folder)
    {
        if (!bioforge::test::fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto model = DnabertModel::load(bioforge::test::fixturePath(folder));
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
        ModelReference ref(folder);
        QVERIFY(ref.valid());
        const std::vector<int64_t> lengths = lengthsOf(ref);
        compareRun(**model, ref, QString(), lengths);
        for (int i = 0; i < int(lengths.size()); ++i)
            compareRun(**model, ref, QStringLiteral("alone.%1.").arg(i), {lengths[size_t(i)]});
    }

    // A lower precision (encoder_precision.h), both fixtures: the pipeline's mean embedding close
    // to the official float32 one within the given bounds, and not equal to it (the path ran).
    void lowPrecisionStaysClose(EncoderPrecision precision, double tolerance, double minimumCosine)
    {
        if (!bioforge::test::fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        for (const QString& folder : {QStringLiteral("viral/dnabert_s_tiny"), QStringLiteral("viral/dnabert_s_tiny_h12")}) {
            auto low = DnabertModel::load(bioforge::test::fixturePath(folder), precision);
            QVERIFY2(low, low ? "" : qPrintable(low.error().message()));
            ModelReference ref(folder);
            const std::vector<int64_t> lengths = lengthsOf(ref);
            auto means = (*low)->meanEmbeddings(ref.rows(QStringLiteral("input_ids"), lengths));
            QVERIFY2(means, means ? "" : qPrintable(means.error().message()));
            const std::vector<float> flat = flatten(*means);
            const auto expected = ref.floats(QStringLiteral("mean_pooled"));
            const double relative = maxDiff(flat, expected) / maxAbs(expected);
            const double cosine = minCosine(flat, expected, size_t((*low)->config().hidden));
            qInfo("%s, %s against the official float32: mean embedding max difference %.3g of the largest value, smallest cosine %.7f",
                  qPrintable(folder), qPrintable(precisionName(precision)), relative, cosine);
            QVERIFY2(relative <= tolerance && cosine >= minimumCosine, qPrintable(QStringLiteral("%1: %2 / %3").arg(folder).arg(relative).arg(cosine)));
            QVERIFY2(relative > 1e-6, "the float32 result: the lower-precision path did not run");
        }
    }

private slots:
    void alibiSlopesFollowTheOfficialRule()
    {
        const std::vector<double> four = alibiSlopes(4);
        QCOMPARE(four, (std::vector<double>{0.25, 0.0625, 0.015625, 0.00390625}));
        const std::vector<double> twelve = alibiSlopes(12);
        QCOMPARE(twelve.size(), size_t(12));
        QCOMPARE(twelve[0], 0.5);
        QCOMPARE(twelve[7], 1.0 / 256);
        QVERIFY(std::fabs(twelve[8] - std::pow(2.0, -0.5)) < 1e-12);
        QVERIFY(std::fabs(twelve[11] - std::pow(2.0, -3.5)) < 1e-12);
    }

    void fourHeadModelMatchesTheOfficialCode() { checkFolder(QStringLiteral("viral/dnabert_s_tiny")); }
    void twelveHeadModelMatchesTheOfficialCode() { checkFolder(QStringLiteral("viral/dnabert_s_tiny_h12")); }

    void bfloat16StaysCloseToTheOfficialCode() { lowPrecisionStaysClose(EncoderPrecision::BFloat16, kBFloat16RelativeTolerance, kBFloat16MinCosine); }
    void int8StaysCloseToTheOfficialCode()
    {
        BIOFORGE_SKIP_WITHOUT_INT8();
        lowPrecisionStaysClose(EncoderPrecision::Int8, kInt8RelativeTolerance, kInt8MinCosine);
    }

    void outOfVocabularyIdsAreAnError()
    {
        if (!bioforge::test::fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto model = DnabertModel::load(bioforge::test::fixturePath(QStringLiteral("viral/dnabert_s_tiny")));
        QVERIFY(model);
        auto bad = (*model)->forward({{1, 5000, 2}});
        QVERIFY(!bad);
        QVERIFY(bad.error().message().contains(QStringLiteral("5000")));
        QVERIFY(!(*model)->forward({}));
    }
};

QTEST_GUILESS_MAIN(TstDnabertModel)
#include "tst_dnabert_model.moc"
