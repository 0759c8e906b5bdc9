// The classifier head: Linear → BatchNorm1d (running statistics) → ReLU →
// Linear → softmax, from safetensors + JSON, against the same arithmetic done
// by hand in double precision; and the errors a user can meet.

#include "io/safetensors_writer.h"
#include "model/virus_classifier.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace bioforge;
using namespace bioforge::viral;

namespace {

struct Weights {
    int64_t in = 6, hidden = 4, classes = 2;
    std::vector<float> w1, b1, gamma, beta, mean, var, w2, b2;
};

Weights randomWeights()
{
    Weights w;
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0, 1);
    auto fill = [&](std::vector<float>& v, int64_t count, float offset = 0) {
        for (int64_t i = 0; i < count; ++i)
            v.push_back(n(rng) + offset);
    };
    fill(w.w1, w.hidden * w.in);
    fill(w.b1, w.hidden);
    fill(w.gamma, w.hidden, 1);
    fill(w.beta, w.hidden);
    fill(w.mean, w.hidden);
    for (int64_t i = 0; i < w.hidden; ++i)
        w.var.push_back(0.5f + float(i));
    fill(w.w2, w.classes * w.hidden);
    fill(w.b2, w.classes);
    return w;
}

bool writeClassifier(const QString& dir, const Weights& w, const QByteArray& json)
{
    core::SafetensorsWriter writer;
    bool ok = writer.addF32(QStringLiteral("hidden_layer.weight"), {w.hidden, w.in}, w.w1).hasValue()
              && writer.addF32(QStringLiteral("hidden_layer.bias"), {w.hidden}, w.b1).hasValue()
              && writer.addF32(QStringLiteral("bn1.weight"), {w.hidden}, w.gamma).hasValue()
              && writer.addF32(QStringLiteral("bn1.bias"), {w.hidden}, w.beta).hasValue()
              && writer.addF32(QStringLiteral("bn1.running_mean"), {w.hidden}, w.mean).hasValue()
              && writer.addF32(QStringLiteral("bn1.running_var"), {w.hidden}, w.var).hasValue()
              && writer.addI64(QStringLiteral("bn1.num_batches_tracked"), {}, {7}).hasValue()
              && writer.addF32(QStringLiteral("output_layer.weight"), {w.classes, w.hidden}, w.w2).hasValue()
              && writer.addF32(QStringLiteral("output_layer.bias"), {w.classes}, w.b2).hasValue();
    ok = ok && writer.writeAtomic(dir + QStringLiteral("/classifier.safetensors")).hasValue();
    QFile spec(dir + QStringLiteral("/classifier.json"));
    return ok && spec.open(QIODevice::WriteOnly) && spec.write(json) == json.size();
}

const QByteArray kSpec = R"({"input_dim": 6, "hidden_dim": 4, "classes": ["others", "virus"], "positive_class": 1, "batch_norm_eps": 1e-5})";

} // namespace

class TstVirusClassifier : public QObject {
    Q_OBJECT

private slots:
    void probabilitiesEqualTheHandComputation()
    {
        QTemporaryDir dir;
        const Weights w = randomWeights();
        QVERIFY(writeClassifier(dir.path(), w, kSpec));
        auto c = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE((*c)->spec().classes, (QStringList{QStringLiteral("others"), QStringLiteral("virus")}));
        const std::vector<std::vector<float>> x{{0.1f, -0.5f, 2.0f, 0.0f, 1.5f, -1.0f}, {3.0f, 1.0f, -2.0f, 0.5f, 0.25f, 0.75f}};
        auto p = (*c)->probabilities(x);
        QVERIFY(p);
        for (size_t r = 0; r < x.size(); ++r) {
            double h[4], logits[2];
            for (int64_t j = 0; j < w.hidden; ++j) {
                double s = w.b1[size_t(j)];
                for (int64_t i = 0; i < w.in; ++i)
                    s += double(w.w1[size_t(j * w.in + i)]) * x[r][size_t(i)];
                s = (s - w.mean[size_t(j)]) / std::sqrt(double(w.var[size_t(j)]) + 1e-5) * w.gamma[size_t(j)] + w.beta[size_t(j)];
                h[j] = std::max(0.0, s);
            }
            for (int64_t k = 0; k < 2; ++k) {
                logits[k] = w.b2[size_t(k)];
                for (int64_t j = 0; j < w.hidden; ++j)
                    logits[k] += double(w.w2[size_t(k * w.hidden + j)]) * h[j];
            }
            const double m = std::max(logits[0], logits[1]);
            const double e0 = std::exp(logits[0] - m), e1 = std::exp(logits[1] - m);
            QVERIFY(std::fabs((*p)[r][0] - e0 / (e0 + e1)) < 1e-5);
            QVERIFY(std::fabs((*p)[r][1] - e1 / (e0 + e1)) < 1e-5);
        }
    }

    void mistakesInTheFilesAreNamed()
    {
        QTemporaryDir dir;
        Weights w = randomWeights();
        QVERIFY(writeClassifier(dir.path(), w, R"({"input_dim": 6, "hidden_dim": 5, "classes": ["others", "virus"]})"));
        auto shape = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
        QVERIFY(!shape);
        QVERIFY2(shape.error().message().contains(QStringLiteral("hidden_layer.weight")), qPrintable(shape.error().message()));
        QVERIFY(writeClassifier(dir.path(), w, R"({"input_dim": 6, "hidden_dim": 4, "classes": ["virus"]})"));
        auto classes = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
        QVERIFY(!classes);
        QVERIFY(classes.error().message().contains(QStringLiteral("classes")));
        // Checked before narrowing: 2^32 + 1 is not class 1.
        for (const char* positive : {"4294967297", "-1", "2", "0.5", "1e16", "\"1\""}) {
            QVERIFY(writeClassifier(dir.path(), w, QByteArray(R"({"input_dim": 6, "hidden_dim": 4, "classes": ["others", "virus"], "positive_class": )") + positive + "}"));
            auto wrapped = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
            QVERIFY2(!wrapped, positive);
            QVERIFY2(wrapped.error().message().contains(QStringLiteral("\"positive_class\"")), qPrintable(wrapped.error().message()));
        }
        // The chunk length it was trained on, when said, is a positive whole number.
        QVERIFY(writeClassifier(dir.path(), w, R"({"input_dim": 6, "hidden_dim": 4, "classes": ["others", "virus"], "chunk_length": 0})"));
        auto chunk = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
        QVERIFY2(!chunk && chunk.error().message().contains(QStringLiteral("chunk_length")), chunk ? "" : qPrintable(chunk.error().message()));
        QVERIFY(writeClassifier(dir.path(), w, R"({"input_dim": 6, "hidden_dim": 4, "classes": ["others", "virus"], "chunk_length": 300})"));
        QCOMPARE((*VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors"))))->spec().chunkLength, 300);
        QVERIFY(writeClassifier(dir.path(), w, kSpec));
        auto ok = VirusClassifier::load(dir.filePath(QStringLiteral("classifier.safetensors")));
        QVERIFY(ok);
        auto wrongWidth = (*ok)->probabilities({{1.0f, 2.0f}});
        QVERIFY(!wrongWidth);
        QVERIFY(wrongWidth.error().message().contains(QStringLiteral("row 0")));
    }
};

QTEST_GUILESS_MAIN(TstVirusClassifier)
#include "tst_virus_classifier.moc"
