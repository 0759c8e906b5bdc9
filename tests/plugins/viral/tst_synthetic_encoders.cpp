// The benchmark's model synthesizer: folders of any shape, in the real
// layout, that our loaders accept through the same path as real models (the
// shape read back from config.json, the tokenizer files copied, the forward
// pass finite); deterministic for a seed; bad shapes refused.

#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "io/safetensors_reader.h"
#include "model/synthetic_encoders.h"
#include "support/test_support.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

class TstSyntheticEncoders : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static bool finite(const std::vector<std::vector<float>>& rows)
    {
        for (const auto& r : rows)
            for (float x : r)
                if (!std::isfinite(x))
                    return false;
        return true;
    }

private slots:
    void initTestCase()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
    }

    void esm2OfAnyShapeLoadsAndRuns()
    {
        const QString folder = m_dir.filePath(QStringLiteral("esm"));
        QVERIFY(writeSyntheticEsm2(folder, {3, 48, 6, 96}, fixturePath(QStringLiteral("viral/esm2_tiny")), 1));
        auto model = Esm2Model::load(folder);
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
        QCOMPARE((*model)->config().layers, int64_t(3));
        QCOMPARE((*model)->config().hidden, int64_t(48));
        QCOMPARE((*model)->config().heads, int64_t(6));
        QCOMPARE((*model)->config().intermediate, int64_t(96));
        auto alphabet = EsmAlphabet::fromVocabFile(folder + QStringLiteral("/vocab.txt"));
        QVERIFY(alphabet);
        auto out = (*model)->meanEmbeddings({alphabet->encode("MKTAYIAKQR").ids, alphabet->encode("MLV").ids}, 3, 1024);
        QVERIFY(out);
        QCOMPARE(out->size(), size_t(2));
        QCOMPARE(out->front().size(), size_t(48));
        QVERIFY(finite(*out));
    }

    void dnabertOfAnyShapeLoadsAndRuns()
    {
        const QString folder = m_dir.filePath(QStringLiteral("dna"));
        QVERIFY(writeSyntheticDnabert(folder, {2, 24, 12, 40}, fixturePath(QStringLiteral("viral/dnabert_s_tiny")), 1));
        auto model = DnabertModel::load(folder);
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
        QCOMPARE((*model)->config().heads, int64_t(12));
        auto tokenizer = HfBpeTokenizer::fromFile(folder + QStringLiteral("/tokenizer.json"));
        QVERIFY(tokenizer);
        auto out = (*model)->meanEmbeddings({tokenizer->encode("ACGTTGCAAGGCTTAACG"), tokenizer->encode("ACG")});
        QVERIFY(out);
        QCOMPARE(out->front().size(), size_t(24));
        QVERIFY(finite(*out));
    }

    void sameSeedSameWeights()
    {
        const QString a = m_dir.filePath(QStringLiteral("a")), b = m_dir.filePath(QStringLiteral("b")), c = m_dir.filePath(QStringLiteral("c"));
        const QString templ = fixturePath(QStringLiteral("viral/esm2_tiny"));
        QVERIFY(writeSyntheticEsm2(a, {1, 16, 2, 32}, templ, 9));
        QVERIFY(writeSyntheticEsm2(b, {1, 16, 2, 32}, templ, 9));
        QVERIFY(writeSyntheticEsm2(c, {1, 16, 2, 32}, templ, 10));
        QCOMPARE(readAll(a + QStringLiteral("/model.safetensors")), readAll(b + QStringLiteral("/model.safetensors")));
        QVERIFY(readAll(a + QStringLiteral("/model.safetensors")) != readAll(c + QStringLiteral("/model.safetensors")));
    }

    // Tensors of a million values or more (the real shapes) are filled in chunks on every core:
    // the same bytes for a seed, other bytes for another seed, each chunk its own normal(0, 0.02)
    // draws (not copies of one another).
    void largeTensorsAreFilledInParallelTheSameWay()
    {
        const QString a = m_dir.filePath(QStringLiteral("big_a")), b = m_dir.filePath(QStringLiteral("big_b")), c = m_dir.filePath(QStringLiteral("big_c"));
        const QString templ = fixturePath(QStringLiteral("viral/esm2_tiny"));
        const EncoderShape shape{1, 1536, 8, 64}; // query weight 1536 × 1536: three chunks of 2^20
        QVERIFY(writeSyntheticEsm2(a, shape, templ, 5));
        QVERIFY(writeSyntheticEsm2(b, shape, templ, 5));
        QVERIFY(writeSyntheticEsm2(c, shape, templ, 6));
        QCOMPARE(readAll(a + QStringLiteral("/model.safetensors")), readAll(b + QStringLiteral("/model.safetensors")));
        QVERIFY(readAll(a + QStringLiteral("/model.safetensors")) != readAll(c + QStringLiteral("/model.safetensors")));
        auto reader = core::SafetensorsReader::open(a + QStringLiteral("/model.safetensors"));
        QVERIFY(reader);
        auto q = (*reader)->toFloat(QStringLiteral("esm.encoder.layer.0.attention.self.query.weight"));
        QVERIFY(q);
        QCOMPARE(q->size(), size_t(1536 * 1536));
        const size_t chunk = size_t(1) << 20;
        QVERIFY(!std::equal(q->begin(), q->begin() + 1000, q->begin() + long(chunk)));
        double sum = 0, squares = 0;
        for (float x : *q) {
            sum += x;
            squares += double(x) * x;
        }
        const double n = double(q->size()), mean = sum / n, sd = std::sqrt(squares / n - mean * mean);
        QVERIFY2(std::fabs(mean) < 1e-4 && std::fabs(sd - 0.02) < 1e-4, qPrintable(QStringLiteral("mean %1, sd %2").arg(mean).arg(sd)));
        auto model = Esm2Model::load(a);
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
    }

    void badShapesAndTemplatesAreRefused()
    {
        auto bad = writeSyntheticEsm2(m_dir.filePath(QStringLiteral("bad")), {2, 50, 3, 64}, fixturePath(QStringLiteral("viral/esm2_tiny")), 1);
        QVERIFY(!bad);
        QVERIFY(bad.error().message().contains(QStringLiteral("3 heads")));
        auto noTemplate = writeSyntheticDnabert(m_dir.filePath(QStringLiteral("x")), {1, 8, 2, 8}, m_dir.filePath(QStringLiteral("nowhere")), 1);
        QVERIFY(!noTemplate);
        QVERIFY(noTemplate.error().message().contains(QStringLiteral("config.json")));
    }
};

QTEST_GUILESS_MAIN(TstSyntheticEncoders)
#include "tst_synthetic_encoders.moc"
