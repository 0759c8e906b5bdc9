// HENAW without its reference's defects, each with a test (the configuration,
// sampler, split and standardisation: tst_henaw_parts): a model loads only
// with matching parts; an out-of-memory
// step is dropped unapplied, the batch size halved and the event recorded;
// a run paused at every step resumes to bit-identical weights.

#include "henaw_job_runner.h"
#include "checkpoint/checkpoint_store.h"
#include "henaw/henaw_model.h"
#include "henaw/henaw_network.h"
#include "henaw/henaw_runtime.h"
#include "io/json_file.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "pipeline/henaw_jobs.h"
#include "table/cohort_reader.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;
using bioforge::age::test::syntheticCohort;

using Attempt = bioforge::age::test::HenawAttempt;

class TstHenaw : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_table;

    QJsonObject trainParameters() const
    {
        return {{QStringLiteral("table"), m_table}, {QStringLiteral("map"), QStringLiteral("nhanes-bioage")}, {QStringLiteral("epochs"), 3},
                {QStringLiteral("ensemble"), 2}, {QStringLiteral("batch_size"), 64}, {QStringLiteral("seed"), 7}, {QStringLiteral("threads"), 1}};
    }

    Attempt train(const QString& run, bool pauseAtOnce, int64_t outOfMemoryAt = -1, const QJsonObject& extra = {})
    {
        QJsonObject parameters = trainParameters();
        for (auto it = extra.begin(); it != extra.end(); ++it)
            parameters.insert(it.key(), it.value());
        return bioforge::age::test::runHenawJob<HenawTrainJob>(run, parameters, [&](HenawTrainJob& job, core::JobContext& ctx) {
            job.injectOutOfMemoryAt(outOfMemoryAt);
            if (pauseAtOnce)
                ctx.requestPause();
        });
    }

private slots:
    void initTestCase()
    {
        m_table = m_dir.filePath(QStringLiteral("cohort.csv"));
        QVERIFY(writeAll(m_table, syntheticCohort(700, 3)));
    }

    void trainingLearnsAndTheModelRoundTrips()
    {
        const QString run = m_dir.filePath(QStringLiteral("plain"));
        const Attempt a = train(run, false);
        QVERIFY2(a.failure.isEmpty() && a.outcome == core::JobOutcome::Finished, qPrintable(a.failure));
        const QJsonObject summary = *core::readJsonObjectFile(run + QStringLiteral("/out/summary.json"));
        const QJsonObject test = summary.value(QLatin1String("test")).toObject();
        QVERIFY2(test.value(QLatin1String("correlation_with_age")).toDouble() > 0.5, qPrintable(QString::number(test.value(QLatin1String("correlation_with_age")).toDouble())));
        QVERIFY(test.value(QLatin1String("c_index_mortality_head")).toDouble() > 0.6);
        QCOMPARE(test.value(QLatin1String("interval_coverage")).toArray().size(), 3);
        const QByteArray history = readAll(run + QStringLiteral("/out/history.csv"));
        QCOMPARE(history.count('\n'), 1 + 2 * 3); // header, 2 members x 3 epochs
        // The history's validation age error is in years, as the test split's (not standardised units).
        const QList<QByteArray> last = history.trimmed().split('\n').last().split(',');
        const double validationMae = last.value(6).toDouble(), testMae = test.value(QLatin1String("age_mae_years")).toDouble();
        QVERIFY2(testMae > 0 && validationMae > testMae / 3 && validationMae < testMae * 3,
                 qPrintable(QStringLiteral("validation %1 years, test %2 years").arg(validationMae).arg(testMae)));
        // The saved model predicts what the trained one did, and refuses parts that do not belong together.
        auto model = HenawModel::load(run + QStringLiteral("/out/henaw-model"));
        QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
        QCOMPARE(model->members(), 2);
        // A person with fewer than half of the model's markers measured gets no prediction (it
        // would be made of the training means), as training leaves such rows out.
        {
            auto mapping = ColumnMapping::load(QStringLiteral("nhanes-bioage"));
            auto cohort = readCohort(m_table, *mapping, BiomarkerSchema::builtIn(), nullptr);
            QVERIFY(cohort && cohort->rows() > 3);
            const QStringList markers = model->config().markers;
            for (qsizetype m = 0; m < markers.size(); ++m) // row 0: none; row 1: just under half
                cohort->markers[size_t(cohort->markerIndex(markers[m]))][0] = std::nan("");
            for (qsizetype m = 0; m < markers.size() / 2 + 1; ++m)
                cohort->markers[size_t(cohort->markerIndex(markers[m]))][1] = std::nan("");
            const HenawPrediction p = model->predict(*cohort, {0, 1, 2});
            QVERIFY(!std::isfinite(p.biologicalAge[0]) && !std::isfinite(p.logHazard[0]) && !std::isfinite(p.sd[0]));
            QCOMPARE(std::isfinite(p.biologicalAge[1]), false);
            QVERIFY(std::isfinite(p.biologicalAge[2]) && std::isfinite(p.logHazard[2]));
            QCOMPARE(p.unpredictable, qsizetype(2));
            QVERIFY(!HenawModel::predictable(*cohort, 1, markers) && HenawModel::predictable(*cohort, 2, markers));
            // A marker whose column is there but empty in every row is refused, as a missing column is.
            const QString column = mapping->biomarkers.value(markers.first()).column;
            QList<QByteArray> lines = readAll(m_table).split('\n');
            const qsizetype at = lines.first().split(',').indexOf(column.toUtf8());
            QVERIFY2(at >= 0, qPrintable(column));
            for (qsizetype l = 1; l < lines.size(); ++l) {
                QList<QByteArray> fields = lines[l].split(',');
                if (fields.size() > at)
                    fields[at].clear();
                lines[l] = fields.join(',');
            }
            const QString emptied = m_dir.filePath(QStringLiteral("emptied-marker.csv"));
            QVERIFY(writeAll(emptied, lines.join('\n')));
            const QString failure = bioforge::age::test::runHenawJob<HenawPredictJob>(
                                        m_dir.filePath(QStringLiteral("predict-emptied")),
                                        {{QStringLiteral("table"), emptied}, {QStringLiteral("model"), run + QStringLiteral("/out/henaw-model")}, {QStringLiteral("threads"), 1}})
                                        .failure;
            QVERIFY2(failure.contains(QStringLiteral("%1 (column '%2') has no value in any of its").arg(markers.first(), column)), qPrintable(failure));
        }
        const QString broken = m_dir.filePath(QStringLiteral("broken-model"));
        QDir().mkpath(broken);
        for (const QString& f : QDir(run + QStringLiteral("/out/henaw-model")).entryList(QDir::Files))
            QFile::copy(run + QStringLiteral("/out/henaw-model/") + f, broken + QLatin1Char('/') + f);
        // A member swapped for another (each a valid member of this model): model.json's checksums refuse it.
        QVERIFY(QFile::remove(broken + QStringLiteral("/member-0.safetensors")));
        QVERIFY(QFile::copy(broken + QStringLiteral("/member-1.safetensors"), broken + QStringLiteral("/member-0.safetensors")));
        auto swapped = HenawModel::load(broken);
        QVERIFY2(!swapped && swapped.error().message().contains(QStringLiteral("member-0.safetensors: SHA-256 "))
                     && swapped.error().message().contains(QStringLiteral("changed or replaced since the model was saved")),
                 swapped ? "" : qPrintable(swapped.error().message()));
        // Without the checksums (a model saved before model.json had them), the shapes still refuse a configuration that does not fit.
        QVERIFY(QFile::remove(broken + QStringLiteral("/member-0.safetensors")));
        QVERIFY(QFile::copy(run + QStringLiteral("/out/henaw-model/member-0.safetensors"), broken + QStringLiteral("/member-0.safetensors")));
        QJsonObject modelJson = *core::readJsonObjectFile(broken + QStringLiteral("/model.json"));
        QVERIFY(modelJson.contains(QStringLiteral("files")));
        modelJson.remove(QStringLiteral("files"));
        QVERIFY(writeAll(broken + QStringLiteral("/model.json"), QJsonDocument(modelJson).toJson()));
        QJsonObject config = *core::readJsonObjectFile(broken + QStringLiteral("/config.json"));
        config.insert(QStringLiteral("embedding"), 32);
        QVERIFY(writeAll(broken + QStringLiteral("/config.json"), QJsonDocument(config).toJson()));
        auto refused = HenawModel::load(broken);
        QVERIFY2(!refused && refused.error().message().contains(QStringLiteral("shape")), refused ? "" : qPrintable(refused.error().message()));
    }

    void theDeviceIsTheCpuUnlessAskedAndCudaIsRefusedWhereLibTorchHasNone()
    {
        QJsonObject p = trainParameters();
        const auto byDefault = HenawRunSettings::fromParameters(p);
        QVERIFY(byDefault);
        QCOMPARE(byDefault->device.label(), QStringLiteral("cpu"));
        QCOMPARE(int(HenawTrainJob(*byDefault).requirements().device), int(core::DeviceNeed::CpuOnly));
        p.insert(QStringLiteral("device"), QStringLiteral("gpu"));
        const auto bad = HenawRunSettings::fromParameters(p);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QStringLiteral("'gpu'")) && bad.error().message().contains(QStringLiteral("cuda:N")), qPrintable(bad.error().message()));
        if (henawCudaDevices() > 0)
            QSKIP("this LibTorch sees a CUDA device: the CPU-only answers are checked where it does not");
        p.insert(QStringLiteral("device"), QStringLiteral("auto"));
        QCOMPARE(int(HenawTrainJob(*HenawRunSettings::fromParameters(p)).requirements().device), int(core::DeviceNeed::CpuOnly));
        // auto trains on the CPU here and says so; cuda fails before any work, naming the device and why.
        const Attempt automatic = train(m_dir.filePath(QStringLiteral("device-auto")), false, -1, {{QStringLiteral("device"), QStringLiteral("auto")}});
        QVERIFY2(automatic.failure.isEmpty() && automatic.outcome == core::JobOutcome::Finished, qPrintable(automatic.failure));
        QCOMPARE(automatic.record.libraries.value(QLatin1String("HENAW device")).toString(), QStringLiteral("CPU"));
        QCOMPARE(readAll(m_dir.filePath(QStringLiteral("device-auto/out/history.csv"))), readAll(m_dir.filePath(QStringLiteral("plain/out/history.csv"))));
        const Attempt cuda = train(m_dir.filePath(QStringLiteral("device-cuda")), false, -1, {{QStringLiteral("device"), QStringLiteral("cuda:0")}});
        QVERIFY2(cuda.failure.startsWith(QStringLiteral("device cuda:0:")) && cuda.failure.contains(QStringLiteral("CUDA")), qPrintable(cuda.failure));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("device-cuda/out/history.csv"))));
    }

    void evaluationInChunksAgreesWithOnePass()
    {
        // Validation and prediction run the forward pass in chunks (a large table on a GPU holds
        // one chunk's activations); the Cox term still takes every row's risk set.
        HenawConfig c = HenawConfig::defaults({QStringLiteral("crp"), QStringLiteral("glucose"), QStringLiteral("albumin"), QStringLiteral("creatinine"),
                                               QStringLiteral("sbp"), QStringLiteral("bmi")});
        const std::vector<double> cv(size_t(c.markers.size()), 0.3);
        auto net = HenawNetwork::create(c, cv, 5);
        QVERIFY2(net, net ? "" : qPrintable(net.error().message()));
        const int64_t rows = 2500, n = c.markers.size(), ng = c.interactions.size() + c.ratios.size();
        std::mt19937 rng(3);
        std::normal_distribution<float> z(0, 1);
        std::vector<float> x, g, age, time, event;
        for (int64_t r = 0; r < rows; ++r) {
            const float a = z(rng);
            for (int64_t j = 0; j < n; ++j)
                x.push_back(0.6f * a + 0.8f * z(rng));
            for (int64_t j = 0; j < ng; ++j)
                g.push_back(z(rng));
            age.push_back(r % 11 == 0 ? NAN : a);
            time.push_back(r % 7 == 0 ? NAN : float(12 + (r * 37) % 120)); // ties and missing follow-up
            event.push_back(z(rng) + a > 1.0f ? 1.0f : 0.0f);
        }
        HenawBatch b;
        b.rows = rows;
        b.x = x.data();
        b.g = ng ? g.data() : nullptr;
        b.age = age.data();
        b.time = time.data();
        b.event = event.data();
        for (int step = 0; step < 3; ++step) // BatchNorm's running statistics away from their start
            (void)(*net)->trainStep(b, 1e-3);
        const HenawNetwork::Evaluation whole = (*net)->evaluate(b, rows), chunked = (*net)->evaluate(b, 999);
        QCOMPARE(chunked.outputs.ageMean.size(), size_t(rows));
        QCOMPARE(chunked.outputs.weights.size(), whole.outputs.weights.size());
        double worst = 0;
        for (auto member : {&HenawNetwork::Outputs::ageMean, &HenawNetwork::Outputs::ageLogVar, &HenawNetwork::Outputs::logHazard,
                            &HenawNetwork::Outputs::probe, &HenawNetwork::Outputs::weights})
            for (size_t i = 0; i < (whole.outputs.*member).size(); ++i)
                worst = std::max(worst, double(std::fabs((whole.outputs.*member)[i] - (chunked.outputs.*member)[i])));
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
        for (auto part : {&HenawNetwork::Loss::total, &HenawNetwork::Loss::age, &HenawNetwork::Loss::mortality, &HenawNetwork::Loss::probe})
            QVERIFY2(std::fabs(whole.loss.*part - chunked.loss.*part) <= 1e-5 * std::max(1.0, std::fabs(whole.loss.*part)),
                     qPrintable(QStringLiteral("%1 against %2").arg(whole.loss.*part).arg(chunked.loss.*part)));
        QVERIFY(whole.loss.mortality > 0 && whole.loss.age != 0);
        // No rows (an empty test split, a shard without rows): empty outputs, not an error.
        HenawBatch none = b;
        none.rows = 0;
        QVERIFY((*net)->predict(none).ageMean.empty());
        QVERIFY((*net)->evaluate(none).outputs.logHazard.empty());
        // The default chunks: evaluate is evaluateLoss and predict in one pass.
        const HenawNetwork::Evaluation byDefault = (*net)->evaluate(b);
        QCOMPARE(byDefault.loss.total, (*net)->evaluateLoss(b).total);
        QCOMPARE(byDefault.outputs.logHazard, (*net)->predict(b).logHazard);
    }

    void outOfMemoryDropsTheBatchHalvesItAndGoesOn()
    {
        const QString run = m_dir.filePath(QStringLiteral("oom"));
        const Attempt a = train(run, false, 3);
        QVERIFY2(a.failure.isEmpty() && a.outcome == core::JobOutcome::Finished, qPrintable(a.failure));
        const QJsonObject summary = *core::readJsonObjectFile(run + QStringLiteral("/out/summary.json"));
        QCOMPARE(summary.value(QLatin1String("out_of_memory_events")).toInt(), 1);
        QCOMPARE(summary.value(QLatin1String("members")).toArray().at(0).toObject().value(QLatin1String("batch_size")).toInt(), 32);
        QVERIFY(a.record.warningCount >= 1 && a.record.warnings.join(QLatin1Char(' ')).contains(QStringLiteral("halved")));
    }

    void aRunPausedAtEveryStepEndsBitIdentical()
    {
        const QString run = m_dir.filePath(QStringLiteral("paused"));
        int attempts = 0;
        Attempt a;
        do {
            a = train(run, true);
            QVERIFY2(a.failure.isEmpty(), qPrintable(a.failure));
            QVERIFY(++attempts < 400);
        } while (a.outcome != core::JobOutcome::Finished);
        QVERIFY2(attempts > 10, qPrintable(QString::number(attempts)));
        for (int k = 0; k < 2; ++k) {
            const QString name = QStringLiteral("/out/henaw-model/member-%1.safetensors").arg(k);
            QVERIFY2(readAll(run + name) == readAll(m_dir.filePath(QStringLiteral("plain")) + name), qPrintable(name));
        }
        QCOMPARE(readAll(run + QStringLiteral("/out/history.csv")), readAll(m_dir.filePath(QStringLiteral("plain")) + QStringLiteral("/out/history.csv")));
    }

    // The training history is kept in each member's verified checkpoint entry: a member recomputed
    // from a rejected entry writes its epochs once, and a file scribbled beside the checkpoints (where
    // earlier versions kept the history) is not published (trial 24 T24-19): history.csv is the
    // uninterrupted run's.
    void aRecomputedMembersHistoryIsWrittenOnce()
    {
        const QString run = m_dir.filePath(QStringLiteral("rejected-member"));
        const int schema = HenawTrainJob(*HenawRunSettings::fromParameters(trainParameters())).checkpointSchema();
        int attempts = 0;
        for (;;) { // paused at every step until the second member has begun
            const Attempt a = train(run, true);
            QVERIFY2(a.failure.isEmpty() && a.outcome == core::JobOutcome::Paused, qPrintable(a.failure));
            QVERIFY(++attempts < 400);
            if (core::CheckpointStore(run + QStringLiteral("/checkpoints"), schema).hasManifest(QStringLiteral("henaw/member-01")))
                break;
        }
        core::CheckpointStore store(run + QStringLiteral("/checkpoints"), schema);
        QVERIFY(store.remove(QStringLiteral("henaw/member-00")));
        QVERIFY(writeAll(run + QStringLiteral("/checkpoints/henaw-history.csv"), QByteArray("garbage,,,\n\x01\x02 not csv\n")));
        const Attempt done = train(run, false);
        QVERIFY2(done.failure.isEmpty() && done.outcome == core::JobOutcome::Finished, qPrintable(done.failure));
        const QByteArray history = readAll(run + QStringLiteral("/out/history.csv"));
        QCOMPARE(history, readAll(m_dir.filePath(QStringLiteral("plain")) + QStringLiteral("/out/history.csv")));
        QCOMPARE(history.count('\n'), 1 + 2 * 3); // the header, 2 members x 3 epochs
    }
};

QTEST_GUILESS_MAIN(TstHenaw)
#include "tst_henaw.moc"
