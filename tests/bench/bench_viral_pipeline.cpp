// bench_viral pipeline: the whole predict job on a synthetic assembly (the usage is at the top of
// bench_viral.cpp): contigs/s, frames/s, padding, the resident set and seconds of each stage.

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/classifier_writer.h"
#include "pipeline/model_digest.h"
#include "pipeline/predict_job.h"
#include "pipeline/predict_settings.h"
#include "pipeline/validate_job.h"
#include "provenance/provenance_recorder.h"

#include "bench_support.h"
#include "viral_bench_models.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace bioforge::bench {

using namespace bioforge::viral;

int benchPipeline(const QStringList& args)
{
    const double megabytes = textOption(args, QStringLiteral("--fasta-mb"), QStringLiteral("10")).toDouble();
    const int threads = int(option(args, QStringLiteral("--threads"), 2));
    const bool real = textOption(args, QStringLiteral("--models"), QStringLiteral("tiny")) == QLatin1String("real");
    const bool stopFree = textOption(args, QStringLiteral("--input"), QStringLiteral("contigs")) == QLatin1String("stopfree");
    const bool esm3B = textOption(args, QStringLiteral("--esm-shape"), QStringLiteral("150M")) == QLatin1String("3B");
    const EncoderShape esmShape = esm2Shape(esm3B, option(args, QStringLiteral("--esm-layers"), long((esm3B ? kEsm2_3B : kEsm2_150M).layers)));
    const QString dnabert = real ? synthesized(QStringLiteral("dnabert_s"), false, kDnabertS) : fixtures() + QStringLiteral("/viral/dnabert_s_tiny");
    const QString esm = real ? synthesizedEsm2(esm3B, esmShape) : fixtures() + QStringLiteral("/viral/esm2_tiny");
    if (dnabert.isEmpty() || esm.isEmpty())
        return 1;
    const QString device = textOption(args, QStringLiteral("--device"), QStringLiteral("cpu"));
    QTemporaryDir dir(QDir(benchDir()).filePath(QStringLiteral("pipeline-XXXXXX")));
    const QString fasta = dir.filePath(QStringLiteral("input.fa")), classifier = dir.filePath(QStringLiteral("classifier.safetensors"));
    {
        QFile out(fasta);
        if (!out.open(QIODevice::WriteOnly))
            return 1;
        std::mt19937 rng(5);
        std::lognormal_distribution<double> length(7.2, 0.9);
        qint64 written = 0;
        if (stopFree) {
            const qint64 n = qint64(megabytes * 1e6);
            QByteArray line(n, 'A');
            char previous = 'A';
            for (qint64 i = 0; i < n; ++i)
                line[i] = previous = previous == 'T' ? "CT"[rng() % 2] : "ACGT"[rng() % 4];
            written = out.write(">big_stopfree one line without TA or TG\n" + line + "\n");
        }
        for (uint32_t i = 0; !stopFree && double(written) < megabytes * 1e6; ++i) {
            const std::string contig = ValidateJob::syntheticContig(size_t(std::clamp(length(rng), 300.0, 50000.0)), i);
            const QByteArray record = ">contig_" + QByteArray::number(i) + "\n" + QByteArray::fromStdString(contig) + "\n";
            written += out.write(record);
        }
    }
    if (!writeRandomClassifier(classifier, real ? kDnabertS.hidden + esmShape.hidden : 128, 32, 1))
        return 1;
    QJsonObject p{{QStringLiteral("inputs"), QJsonArray{fasta}},
                  {QStringLiteral("dnabert_path"), dnabert},
                  {QStringLiteral("esm_path"), esm},
                  {QStringLiteral("classifier_path"), classifier},
                  {QStringLiteral("keep_features"), false},
                  {QStringLiteral("reuse_results"), false},
                  {QStringLiteral("threads"), threads},
                  {QStringLiteral("device"), device},
                  {QStringLiteral("precision"), textOption(args, QStringLiteral("--precision"), QStringLiteral("fp32"))}};
    // The models' checksums once, before the timed run, as the model registry computes them when a
    // model is imported (the job then takes them from its parameters): a first run from bare folders
    // would spend this in its setup too (~11 GB for ESM-2 3B).
    QElapsedTimer digestTime;
    digestTime.start();
    for (const auto& [key, path] : {std::pair{"dnabert_sha256", dnabert}, {"esm_sha256", esm}, {"classifier_sha256", classifier}}) {
        auto digest = modelDigest(path);
        if (!digest) {
            std::fprintf(stderr, "%s\n", qPrintable(digest.error().message()));
            return 1;
        }
        p.insert(QLatin1String(key), *digest);
    }
    std::printf("models' checksums: %.1f s (once, as on import; not in the figures below)\n", double(digestTime.nsecsElapsed()) / 1e9);
    // The batches' token budgets: the job's defaults unless given.
    for (const char* name : {"esm_tokens_per_batch", "dnabert_tokens_per_batch"})
        if (const QString flag = QStringLiteral("--") + QString::fromLatin1(name).replace(QLatin1Char('_'), QLatin1Char('-')); args.contains(flag))
            p.insert(QLatin1String(name), textOption(args, flag, QString()).toLongLong());
    auto settings = PredictSettings::fromParameters(p);
    if (!settings) {
        std::fprintf(stderr, "%s\n", qPrintable(settings.error().message()));
        return 1;
    }
    const QString run = dir.filePath(QStringLiteral("run"));
    QDir().mkpath(run + QStringLiteral("/out"));
    PredictJob job(*settings);
    core::CheckpointStore store(run + QStringLiteral("/checkpoints"), job.checkpointSchema());
    core::ProvenanceRecorder provenance(run + QStringLiteral("/out"));
    core::JobContext ctx(QStringLiteral("bench"), core::SteadyClock::instance(),
                         {&store, &provenance, nullptr, run + QStringLiteral("/out"), dir.filePath(QStringLiteral("cache"))}, p);
    QElapsedTimer t;
    t.start();
    // The stages sampled through the run: when each was first seen and its highest resident set.
    struct StageSample {
        QString name;
        qint64 startMs = 0;
        long peakKiB = 0;
    };
    std::atomic<bool> done{false};
    QList<StageSample> stages;
    std::mutex peaksLock;
    std::thread sampler([&] {
        while (!done) {
            const QString stage = ctx.snapshot().stageId;
            const long rss = statusKiB("VmRSS:");
            {
                std::lock_guard lock(peaksLock);
                if (stages.isEmpty() || stages.last().name != stage)
                    stages.append({stage, t.elapsed(), rss});
                stages.last().peakKiB = std::max(stages.last().peakKiB, rss);
            }
            if (qEnvironmentVariableIsSet("BENCH_TRACE_RSS")) {
                static int tick = 0;
                if (++tick % 20 == 0)
                    std::fprintf(stderr, "%s %.3f %ld\n", qPrintable(stage), double(ctx.snapshot().stageDone), rss / 1024);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    bool finished = false;
    try {
        finished = job.run(ctx) == core::JobOutcome::Finished;
    } catch (const core::JobFailure& f) {
        std::fprintf(stderr, "%s\n", qPrintable(f.message()));
    }
    done = true;
    sampler.join();
    if (!finished)
        return 1;
    const double s = double(t.nsecsElapsed()) / 1e9;
    QFile summaryFile(run + QStringLiteral("/out/summary.json")), statsFile(run + QStringLiteral("/out/run_stats.json"));
    if (!summaryFile.open(QIODevice::ReadOnly) || !statsFile.open(QIODevice::ReadOnly))
        return 1;
    const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object(), stats = QJsonDocument::fromJson(statsFile.readAll()).object();
    const double contigs = summary.value(QLatin1String("contigs")).toDouble(), frames = summary.value(QLatin1String("frames")).toDouble();
    const QString models = real ? QStringLiteral("DNABERT-S + ESM-2 %1 shaped (%2 layers)").arg(esm3B ? QStringLiteral("3B") : QStringLiteral("150M")).arg(esmShape.layers)
                                : QStringLiteral("tiny fixture");
    std::printf("pipeline, %s models, device %s, %.2f MB FASTA (%s), %d threads: %.0f contigs, %.0f frames in %.1f s: %.2f contigs/s, %.1f frames/s; "
                "padding DNABERT-S %.2f %%, ESM-2 %.2f %%; peak RSS %ld MiB\n",
                qPrintable(models), qPrintable(device), megabytes, stopFree ? "one stop-free contig" : "log-normal contigs", threads, contigs, frames, s, contigs / s, frames / s, 100 * stats.value(QLatin1String("dnabert_padding_fraction")).toDouble(),
                100 * stats.value(QLatin1String("esm_padding_fraction")).toDouble(), peakRssKiB() / 1024);
    auto label = [](const StageSample& stage) { return stage.name.isEmpty() ? QStringLiteral("(setup)") : stage.name; };
    std::printf("  highest resident set per stage:");
    for (const StageSample& stage : stages)
        std::printf(" %s %ld MiB;", qPrintable(label(stage)), stage.peakKiB / 1024);
    // Seconds per stage as the sampler saw them (to 0.1 s).
    std::printf("\n  seconds per stage:");
    for (qsizetype i = 0; i < stages.size(); ++i)
        std::printf(" %s %.1f;", qPrintable(label(stages[i])), double((i + 1 < stages.size() ? stages[i + 1].startMs : qint64(s * 1000)) - stages[i].startMs) / 1000.0);
    std::printf("\n");
    return 0;
}


} // namespace bioforge::bench
