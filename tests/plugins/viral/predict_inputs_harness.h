// The harness of the viral prediction tests on inputs users give (tst_predict_inputs,
// tst_predict_records): test encoders and a classifier synthesized here (no ../shared needed), and
// a prediction run on given inputs in a folder of its own, its outcome and outputs read back.
#pragma once

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/classifier_writer.h"
#include "model/encoder_templates.h"
#include "model/synthetic_encoders.h"
#include "pipeline/predict_job.h"
#include "pipeline/validate_job.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

namespace bioforge::test {

using namespace bioforge::viral; // the harness speaks of the plugin's jobs and models

// No TA or TG anywhere, hence no stop codon in any forward frame: every chunk keeps three frames
// (the shape of ../shared/cases/viral/make_big_stopfree.py).
inline std::string stopFreeDna(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s;
    char previous = 'A';
    while (s.size() < n) {
        previous = previous == 'T' ? "CT"[rng() % 2] : "ACGT"[rng() % 4];
        s += previous;
    }
    return s;
}

struct Outcome {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    bool newRunNeeded = false; // the failure is on what the run was given (JobFailure::needingNewRun)
    core::RunRecord record;
};

// A base of the test classes (their slots call prepare() first).
class PredictInputsHarness : public QObject {
protected:
    QTemporaryDir m_dir;
    QString m_dnabert, m_esm, m_classifier;
    QByteArray m_reference; // two contigs, LF line ends
    int m_runs = 0;

    QString input(const QString& name, const QByteArray& bytes)
    {
        const QString path = m_dir.filePath(QStringLiteral("inputs/") + name);
        writeAll(path, bytes);
        return path;
    }

    Outcome run(const QStringList& inputs, int shardFrames = 512, const QString& folder = QString())
    {
        const QString dir = folder.isEmpty() ? m_dir.filePath(QStringLiteral("run-%1").arg(++m_runs)) : folder;
        QDir().mkpath(dir + QStringLiteral("/out"));
        const QJsonObject p{{QStringLiteral("inputs"), QJsonArray::fromStringList(inputs)},
                            {QStringLiteral("dnabert"), QStringLiteral("test")}, {QStringLiteral("dnabert_path"), m_dnabert},
                            {QStringLiteral("dnabert_sha256"), QString(64, QLatin1Char('a'))},
                            {QStringLiteral("esm"), QStringLiteral("test")}, {QStringLiteral("esm_path"), m_esm},
                            {QStringLiteral("esm_sha256"), QString(64, QLatin1Char('b'))},
                            {QStringLiteral("classifier"), QStringLiteral("test")}, {QStringLiteral("classifier_path"), m_classifier},
                            {QStringLiteral("classifier_sha256"), QString(64, QLatin1Char('c'))},
                            {QStringLiteral("shard_frames"), shardFrames}, {QStringLiteral("threads"), 1},
                            {QStringLiteral("reuse_results"), false}};
        auto settings = PredictSettings::fromParameters(p);
        if (!settings)
            return {core::JobOutcome::Cancelled, settings.error().message(), false, {}};
        PredictJob job(*settings);
        core::CheckpointStore store(dir + QStringLiteral("/checkpoints"), job.checkpointSchema());
        core::ProvenanceRecorder provenance(dir + QStringLiteral("/out"));
        core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(), {&store, &provenance, nullptr, dir + QStringLiteral("/out"), QString()}, p);
        Outcome o;
        try {
            o.outcome = job.run(ctx);
        } catch (const core::JobFailure& f) {
            o.failure = f.message();
            o.newRunNeeded = f.newRunNeeded();
        }
        o.record.runId = QStringLiteral("run");
        (void)provenance.finalizeInto(o.record);
        // The classifier here has random weights, which a run says in a warning of its own
        // (tst_predict_job checks it): the tests below count the input warnings.
        const qsizetype before = o.record.warnings.size();
        o.record.warnings.removeIf([](const QString& w) { return w.contains(QStringLiteral("TEST model with random weights")); });
        o.record.warningCount -= decltype(o.record.warningCount)(before - o.record.warnings.size());
        return o;
    }

    // Same rows and fields; numbers equal within 1e-5.
    static bool sameTable(const QByteArray& a, const QByteArray& b)
    {
        const QList<QByteArray> x = a.split('\n'), y = b.split('\n');
        if (x.size() != y.size() || x.size() < 3)
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            const QList<QByteArray> f = x[i].split('\t'), g = y[i].split('\t');
            if (f.size() != g.size())
                return false;
            for (qsizetype k = 0; k < f.size(); ++k) {
                bool okF = false, okG = false;
                const double u = f[k].toDouble(&okF), v = g[k].toDouble(&okG);
                if (okF && okG ? std::abs(u - v) > 1e-5 : f[k] != g[k])
                    return false;
            }
        }
        return true;
    }

    static QByteArray out(const QString& runDir, const char* name) { return readAll(runDir + QStringLiteral("/out/") + QLatin1String(name)); }
    QString lastRun() const { return m_dir.filePath(QStringLiteral("run-%1").arg(m_runs)); }

    // Writes the test encoders, the classifier and the two-contig reference input.
    void prepare()
    {
        QTemporaryDir templates;
        m_dnabert = m_dir.filePath(QStringLiteral("dnabert"));
        m_esm = m_dir.filePath(QStringLiteral("esm"));
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        const QString dnaTemplate = templates.filePath(QStringLiteral("dna")), esmTemplate = templates.filePath(QStringLiteral("esm"));
        QVERIFY(writeDnabertTemplate(dnaTemplate));
        QVERIFY(writeEsm2Template(esmTemplate));
        QVERIFY(writeSyntheticDnabert(m_dnabert, {1, 16, 2, 32}, dnaTemplate, 1));
        QVERIFY(writeSyntheticEsm2(m_esm, {1, 16, 2, 32}, esmTemplate, 2));
        QVERIFY(writeRandomClassifier(m_classifier, 32, 8, 3));
        m_reference = ">ctg_a first\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(400, 1)) + "\n>ctg_b\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(650, 2)) + "\n";
    }
};

} // namespace bioforge::test
