#pragma once

// The viral predict job's test harness, shared by tst_predict_job and
// tst_predict_devices: a temporary folder with a FASTA file of six records
// (a long contig, one just over a chunk, an empty record, mixed case with
// N, a 2-base contig, a short one) and a seeded random classifier; the
// parameters of a run on the fixture encoders; one attempt of the job on a
// run folder, its checkpoints kept between attempts.

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/classifier_writer.h"
#include "pipeline/predict_job.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace bioforge::viral::test {

// Random sense codons (no stop), so the forward frame survives translation as real genes do.
inline std::string randomDna(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s;
    while (s.size() < n) {
        std::string codon{"ACGT"[rng() % 4], "ACGT"[rng() % 4], "ACGT"[rng() % 4]};
        if (codon != "TAA" && codon != "TAG" && codon != "TGA")
            s += codon;
    }
    return s.substr(0, n);
}

struct RunResult {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    QStringList warnings; // the run record's
};

class PredictJobHarness {
public:
    // Writes the FASTA file and the classifier; false (with the reason) when the fixtures are
    // missing or a file cannot be written.
    bool setUp(QString* why)
    {
        using bioforge::test::fixturesAvailable;
        if (!fixturesAvailable()) {
            *why = QStringLiteral("../shared/fixtures is not present");
            return false;
        }
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        if (!writeRandomClassifier(m_classifier, 128, 16, 11)) {
            *why = QStringLiteral("cannot write %1").arg(m_classifier);
            return false;
        }
        m_fasta = m_dir.filePath(QStringLiteral("contigs.fa"));
        QFile f(m_fasta);
        std::string mixed = randomDna(420, 3);
        mixed.replace(100, 5, "NNNNN");
        for (size_t i = 200; i < 260; ++i)
            mixed[i] = char(std::tolower(mixed[i]));
        const QByteArray fasta = ">long_contig some description\n" + QByteArray::fromStdString(randomDna(1000, 1)) + "\n"
                                 + ">just_over\n" + QByteArray::fromStdString(randomDna(301, 2)) + "\n"
                                 + ">empty_record\n\n"
                                 + ">mixed_case_with_N\n" + QByteArray::fromStdString(mixed) + "\n"
                                 + ">tiny\nAC\n"
                                 + ">short\n" + QByteArray::fromStdString(randomDna(60, 4)) + "\n";
        if (!f.open(QIODevice::WriteOnly) || f.write(fasta) != fasta.size()) {
            *why = QStringLiteral("cannot write %1").arg(m_fasta);
            return false;
        }
        return true;
    }

    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }
    const QString& fasta() const { return m_fasta; }
    const QString& classifier() const { return m_classifier; }

    // reuse: whether results of earlier runs in the (shared) cache may be reused.
    QJsonObject parameters(int chunkLength = 300, bool reuse = false) const
    {
        const QString dna = bioforge::test::fixturePath(QStringLiteral("viral/dnabert_s_tiny")), esm = bioforge::test::fixturePath(QStringLiteral("viral/esm2_tiny"));
        return {{QStringLiteral("inputs"), QJsonArray{m_fasta}},
                {QStringLiteral("chunk_length"), chunkLength},
                {QStringLiteral("dnabert"), QStringLiteral("dnabert_s_tiny")},
                {QStringLiteral("dnabert_path"), dna},
                {QStringLiteral("dnabert_sha256"), QString(64, QLatin1Char('a'))},
                {QStringLiteral("esm"), QStringLiteral("esm2_tiny")},
                {QStringLiteral("esm_path"), esm},
                {QStringLiteral("esm_sha256"), QString(64, QLatin1Char('b'))},
                {QStringLiteral("classifier"), QStringLiteral("random")},
                {QStringLiteral("classifier_path"), m_classifier},
                {QStringLiteral("classifier_sha256"), QString(64, QLatin1Char('c'))},
                {QStringLiteral("shard_frames"), 8},
                {QStringLiteral("dnabert_tokens_per_batch"), 200},
                {QStringLiteral("esm_tokens_per_batch"), 300},
                {QStringLiteral("threads"), 2},
                {QStringLiteral("reuse_results"), reuse}};
    }

    // One attempt of the job on a run folder (checkpoints kept between attempts); `tweak`
    // changes what the parameters cannot (the device's test hooks).
    RunResult attempt(const QString& run, const QJsonObject& p, bool pauseAtOnce, const std::function<void(PredictSettings&)>& tweak = {},
                      const std::vector<EncoderDevice>& spreadOver = {})
    {
        QDir().mkpath(run + QStringLiteral("/out"));
        core::CheckpointStore store(run + QStringLiteral("/checkpoints"), 1);
        core::ProvenanceRecorder provenance(run + QStringLiteral("/out"));
        core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(),
                             {&store, &provenance, nullptr, run + QStringLiteral("/out"), m_dir.filePath(QStringLiteral("cache"))}, p);
        if (pauseAtOnce)
            ctx.requestPause();
        auto settings = PredictSettings::fromParameters(p);
        if (!settings)
            return {core::JobOutcome::Cancelled, settings.error().message(), {}};
        if (tweak)
            tweak(*settings);
        PredictJob job(*settings);
        if (!spreadOver.empty())
            job.spreadOver(spreadOver);
        RunResult result;
        try {
            result.outcome = job.run(ctx);
        } catch (const core::JobFailure& f) {
            result.failure = f.message();
        }
        core::RunRecord record;
        if (provenance.finalizeInto(record))
            result.warnings = record.warnings;
        return result;
    }

    // A file the run wrote into its out/ folder.
    QByteArray file(const QString& run, const char* name) const { return bioforge::test::readAll(run + QStringLiteral("/out/") + QLatin1String(name)); }

private:
    QTemporaryDir m_dir;
    QString m_fasta, m_classifier;
};

} // namespace bioforge::viral::test
