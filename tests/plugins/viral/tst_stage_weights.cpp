// The predict run's stage weights: the encoders share the bar by the forward pass's FLOPs per
// frame (an ETA extrapolated from the bar was 2.4 times too long in the DNABERT-S stage: trial 18).

#include "pipeline/stage_weights.h"
#include "support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

namespace {

double weightOf(const QList<core::StageSpec>& stages, const char* id)
{
    for (const core::StageSpec& s : stages)
        if (s.id == QLatin1String(id))
            return s.weight;
    return -1;
}

double total(const QList<core::StageSpec>& stages)
{
    return std::accumulate(stages.begin(), stages.end(), 0.0, [](double sum, const core::StageSpec& s) { return sum + s.weight; });
}

} // namespace

class TstStageWeights : public QObject {
    Q_OBJECT

private slots:
    // The accounting written out for one layer of width 4, feed-forward 8, over 3 tokens.
    void flopsAreTheProjectionsAndTheAttention()
    {
        // per token: 2·(4·16 + 2·4·8) = 256, attention 4·3·4 = 48 → 304; × 3 tokens
        QCOMPARE(encoderForwardFlops(1, 4, 8, 3, false), 912.0);
        // gated: 2·(4·16 + 3·4·8) = 320, + 48 → 368; × 3 tokens × 2 layers
        QCOMPARE(encoderForwardFlops(2, 4, 8, 3, true), 2208.0);
    }

    // The published models: ESM-2 3B (36 layers of 2560, 10240) costs about thirty-six times
    // DNABERT-S (12 layers of 768, a gated 3072) per frame of a 300-base chunk.
    void thePublishedModelsPutTheWeightOnEsm2()
    {
        EncoderCosts c;
        c.dnabertTokens = 70; // about 4.4 bases a BPE token
        c.esmTokens = 300 / 3 + 2;
        c.dnabertPerFrame = encoderForwardFlops(12, 768, 3072, c.dnabertTokens, true);
        c.esmPerFrame = encoderForwardFlops(36, 2560, 10240, c.esmTokens, false);
        QVERIFY2(c.esmPerFrame / c.dnabertPerFrame > 30, qPrintable(QString::number(c.esmPerFrame / c.dnabertPerFrame)));
        const auto stages = predictStages(c);
        const double dnabert = 0.86 * c.dnabertPerFrame / (c.dnabertPerFrame + c.esmPerFrame); // about 0.023
        QVERIFY(std::fabs(weightOf(stages, "dnabert") - dnabert) < 1e-12 && dnabert < 0.03);
        QVERIFY(std::fabs(weightOf(stages, "esm") - (0.86 - dnabert)) < 1e-12);
        QVERIFY(std::fabs(total(stages) - 1.0) < 1e-12);
        // A stage never drops below 0.02 of the bar (a thousandth of the cost still shows moving).
        EncoderCosts lopsided = c;
        lopsided.esmPerFrame = 1000 * c.dnabertPerFrame;
        QCOMPARE(weightOf(predictStages(lopsided), "dnabert"), 0.02);
        // Without costs, the old fixed shares; equal costs, equal shares.
        QCOMPARE(weightOf(predictStages(std::nullopt), "dnabert"), 0.30);
        c.esmPerFrame = c.dnabertPerFrame;
        QVERIFY(std::fabs(weightOf(predictStages(c), "dnabert") - 0.43) < 1e-12);
        QVERIFY(std::fabs(total(predictStages(c)) - 1.0) < 1e-12);
    }

    // From the models' own files: the chunk's tokens (DNABERT-S's BPE, ESM-2's residues) and an
    // unreadable configuration named.
    void costsComeFromTheModelsFiles()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        PredictSettings s;
        s.chunkLength = 300;
        s.dnabert.path = fixturePath(QStringLiteral("viral/dnabert_s_tiny"));
        s.esm.path = fixturePath(QStringLiteral("viral/esm2_tiny"));
        const auto c = encoderCosts(s);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->esmTokens, 102.0);
        QVERIFY2(c->dnabertTokens > 2 && c->dnabertTokens <= 302, qPrintable(QString::number(c->dnabertTokens)));
        QVERIFY(c->dnabertPerFrame > 0 && c->esmPerFrame > 0);
        s.chunkLength = 500; // longer chunks: more tokens, a larger cost
        const auto longer = encoderCosts(s);
        QVERIFY(longer && longer->dnabertTokens > c->dnabertTokens && longer->esmPerFrame > c->esmPerFrame);
        QTemporaryDir empty;
        s.esm.path = empty.path();
        const auto missing = encoderCosts(s);
        QVERIFY(!missing);
        QVERIFY2(missing.error().message().contains(QDir(empty.path()).filePath(QStringLiteral("config.json"))), qPrintable(missing.error().message()));
    }
};

QTEST_GUILESS_MAIN(TstStageWeights)
#include "tst_stage_weights.moc"
