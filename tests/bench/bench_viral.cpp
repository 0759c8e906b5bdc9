// Benchmarks of the viral pipeline (figures in docs/performance.md). Prints
// figures; asserts nothing. Models are synthesized at the real shapes with
// random weights (speed does not depend on the values) and kept in
// $BIOFORGE_BENCH_DIR (default /tmp/bioforge-bench) between runs.
//
//   bench_viral esm [--shape 150M|3B] [--layers N] [--batch 8] [--residues 166] [--threads 2] [--reps 3] [--precision fp32|bf16|int8]
//                   [--device cpu|auto|cuda:N]
//       ESM-2 forward + mean embedding of one batch: seconds, tokens/s, frames/s.
//       --layers N builds only N of the shape's layers (per-layer cost is uniform:
//       the full-depth figure is scaled and labelled as such).
//   bench_viral dnabert [--batch 32] [--bases 301] [--threads 2] [--reps 3] [--precision fp32|bf16|int8] [--ids-out FILE]
//                       [--device cpu|auto|cuda:N]
//       DNABERT-S (12 × 768) on frames' nucleotide spans: frames/s. --ids-out writes
//       the batch's token ids (a line per span) for the official code's run
//       (dnabert_s_anchor.py, viral_vs_dnabert_s.sh).
//   bench_viral padding [--contigs 3000] [--chunk 300]
//       padded share of the encoders' batches: ours (length-sorted, token
//       budget, per shard) against fixed batches of 8 in input order.
//   bench_viral precision [--frames 64] [--threads 2] [--precision bf16|int8]: fp32 against bf16 (or int8) at the real shapes
//   bench_viral attention [--threads 2] [--reps 30]
//       the int8 layers' fused attention against the LibTorch operations it replaced, one
//       layer's worth at the ESM-2 150M and DNABERT-S batch shapes, alternating: ms and ratio.
//   bench_viral products [--threads 2] [--reps 20]
//       the int8 linear layers (product and epilogue) on our AVX-512 VNNI kernel against oneDNN's
//       matmul, each of a layer's four products at both encoders' batch shapes, alternating.
//   bench_viral pipeline --fasta-mb N [--threads 2] [--models tiny|real] [--input contigs|stopfree] [--precision fp32|bf16|int8]
//                        [--device cpu|auto|cuda:N] [--esm-shape 150M|3B] [--esm-layers N]
//                        [--esm-tokens-per-batch 4096] [--dnabert-tokens-per-batch 8192]
//       the whole predict job on an N MB FASTA (N may be fractional): contigs/s,
//       frames/s and peak RSS (run it for growing N: flat). tiny: the fixture
//       models (the pipeline's own costs); real: DNABERT-S and ESM-2 150M
//       shapes, synthesized. contigs: log-normal lengths (300 b to 50 kb);
//       stopfree: ONE contig of N MB on one line with no TA/TG, so no stop
//       codon in its forward frames (every chunk keeps three frames: the
//       most frames a contig can have; ../shared/cases/viral/make_big_stopfree.py).
//       --esm-shape 3B: the ESM-2 that VirNucPro uses (36 × 2560) in place of 150M;
//       --esm-layers N builds only N of its layers (the figure is then not end to end).
//   --device (esm, dnabert, pipeline): where the encoders run (default cpu; the job's own
//       parameter for pipeline). On a device each batch's time includes its ids going in and
//       its mean embeddings coming back.

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "log/logging.h"
#include "model/classifier_writer.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/synthetic_encoders.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "pipeline/model_digest.h"
#include "pipeline/predict_job.h"
#include "pipeline/predict_settings.h"
#include "pipeline/token_batcher.h"
#include "pipeline/validate_job.h"
#include "provenance/provenance_recorder.h"
#include "sequence/chunker.h"
#include "sequence/six_frames.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include "bench_support.h"
#include "viral_bench_models.h"

#include <QCoreApplication>
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
#include <mutex>
#include <thread>
#include <cstdio>
#include <random>

using namespace bioforge;
using namespace bioforge::bench;
using namespace bioforge::viral;

namespace {

int benchEsm(const QStringList& args)
{
    const bool big = textOption(args, QStringLiteral("--shape"), QStringLiteral("150M")) == QLatin1String("3B");
    EncoderShape shape = big ? kEsm2_3B : kEsm2_150M;
    const int64_t fullDepth = shape.layers;
    shape.layers = option(args, QStringLiteral("--layers"), long(shape.layers));
    const long batch = option(args, QStringLiteral("--batch"), 8), residues = option(args, QStringLiteral("--residues"), 166);
    const int threads = int(option(args, QStringLiteral("--threads"), 2)), reps = int(option(args, QStringLiteral("--reps"), 3));
    const QString folder = synthesized(QStringLiteral("esm2_%1_%2layers").arg(big ? QStringLiteral("3B") : QStringLiteral("150M")).arg(shape.layers), true, shape);
    if (folder.isEmpty())
        return 1;
    const EncoderPrecision precision = precisionOption(args);
    const EncoderDevice device = deviceOption(args);
    setTorchThreads(threads, precision);
    configureTorchHeap();
    auto model = Esm2Model::load(folder, precision, device);
    auto alphabet = EsmAlphabet::fromVocabFile(folder + QStringLiteral("/vocab.txt"));
    if (!model || !alphabet) {
        std::fprintf(stderr, "%s\n", qPrintable(model ? alphabet.error().message() : model.error().message()));
        return 1;
    }
    std::mt19937 rng(3);
    std::vector<std::vector<int64_t>> tokens;
    for (long i = 0; i < batch; ++i)
        tokens.push_back(alphabet->encode(randomProtein(rng, size_t(residues))).ids);
    std::vector<double> seconds;
    for (int r = 0; r <= reps; ++r) { // the first is a warm-up
        QElapsedTimer t;
        t.start();
        auto out = (*model)->meanEmbeddings(tokens, shape.layers, 1024);
        if (!out) {
            std::fprintf(stderr, "%s\n", qPrintable(out.error().message()));
            return 1;
        }
        if (r > 0)
            seconds.push_back(double(t.nsecsElapsed()) / 1e9);
    }
    const double s = median(seconds), scale = double(fullDepth) / double(shape.layers);
    const double tokensPerBatch = double(batch * (residues + 2));
    std::printf("ESM-2 %s shape, %lld of %lld layers, batch %ld × %ld residues (+<cls>/<eos>), %s, %d threads, %s, median of %d: %.3f s/batch, "
                "%.0f tokens/s, %.1f frames/s\n",
                big ? "3B" : "150M", (long long)shape.layers, (long long)fullDepth, batch, residues, qPrintable(device.label()), threads,
                qPrintable(precisionName(precision)), reps, s,
                tokensPerBatch / s, double(batch) / s);
    if (scale != 1.0)
        std::printf("  scaled to all %lld layers: %.2f s/batch, %.1f tokens/s, %.2f frames/s\n", (long long)fullDepth, s * scale,
                    tokensPerBatch / (s * scale), double(batch) / (s * scale));
    std::printf("  peak RSS %ld MiB\n", peakRssKiB() / 1024);
    return 0;
}

int benchDnabert(const QStringList& args)
{
    const long batch = option(args, QStringLiteral("--batch"), 32), bases = option(args, QStringLiteral("--bases"), 301);
    const int threads = int(option(args, QStringLiteral("--threads"), 2)), reps = int(option(args, QStringLiteral("--reps"), 3));
    const QString folder = synthesized(QStringLiteral("dnabert_s"), false, kDnabertS);
    if (folder.isEmpty())
        return 1;
    const EncoderPrecision precision = precisionOption(args);
    const EncoderDevice device = deviceOption(args);
    setTorchThreads(threads, precision);
    configureTorchHeap();
    auto model = DnabertModel::load(folder, precision, device);
    auto tokenizer = HfBpeTokenizer::fromFile(folder + QStringLiteral("/tokenizer.json"));
    if (!model || !tokenizer) {
        std::fprintf(stderr, "%s\n", qPrintable(model ? tokenizer.error().message() : model.error().message()));
        return 1;
    }
    std::vector<std::vector<int64_t>> ids;
    int64_t tokens = 0;
    for (long i = 0; i < batch; ++i) {
        ids.push_back(tokenizer->encode(ValidateJob::syntheticContig(size_t(bases), uint32_t(i))));
        tokens += int64_t(ids.back().size());
    }
    if (const QString idsOut = textOption(args, QStringLiteral("--ids-out"), QString()); !idsOut.isEmpty()) {
        QByteArray text;
        for (const auto& row : ids) {
            for (size_t j = 0; j < row.size(); ++j)
                text += (j ? " " : "") + QByteArray::number(qlonglong(row[j]));
            text += '\n';
        }
        QFile file(idsOut);
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size()) {
            std::fprintf(stderr, "cannot write the token ids to %s: %s\n", qPrintable(idsOut), qPrintable(file.errorString()));
            return 1;
        }
    }
    std::vector<double> seconds;
    for (int r = 0; r <= reps; ++r) {
        QElapsedTimer t;
        t.start();
        auto out = (*model)->meanEmbeddings(ids);
        if (!out) {
            std::fprintf(stderr, "%s\n", qPrintable(out.error().message()));
            return 1;
        }
        if (r > 0)
            seconds.push_back(double(t.nsecsElapsed()) / 1e9);
    }
    const double s = median(seconds);
    std::printf("DNABERT-S shape (12 × 768), batch %ld spans of %ld bases (%.1f BPE tokens each), %s, %d threads, %s, median of %d: %.3f s/batch, "
                "%.0f tokens/s, %.1f frames/s\n",
                batch, bases, double(tokens) / double(batch), qPrintable(device.label()), threads, qPrintable(precisionName(precision)), reps, s, double(tokens) / s,
                double(batch) / s);
    return 0;
}

// Contig lengths of a plausible assembly: log-normal, 300 bases to 50 kb.
std::vector<std::string> syntheticAssembly(size_t contigs, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::lognormal_distribution<double> length(7.2, 0.9); // median ≈ 1.3 kb
    std::vector<std::string> out;
    for (size_t i = 0; i < contigs; ++i)
        out.push_back(ValidateJob::syntheticContig(size_t(std::clamp(length(rng), 300.0, 50000.0)), uint32_t(seed + i)));
    return out;
}

int benchPadding(const QStringList& args)
{
    const long contigs = option(args, QStringLiteral("--contigs"), 3000), chunk = option(args, QStringLiteral("--chunk"), 300);
    auto tokenizer = HfBpeTokenizer::fromFile(fixtures() + QStringLiteral("/viral/dnabert_s_tiny/tokenizer.json"));
    if (!tokenizer) {
        std::fprintf(stderr, "%s\n", qPrintable(tokenizer.error().message()));
        return 1;
    }
    std::vector<int64_t> dna, protein;
    for (const std::string& contig : syntheticAssembly(size_t(contigs), 11))
        for (const ChunkSpan& c : chunkLayout(int64_t(contig.size()), chunk))
            for (const TranslatedFrame& f : translateSixFrames(std::string_view(contig).substr(size_t(c.start), size_t(c.length)))) {
                dna.push_back(int64_t(tokenizer->encode(f.nucleotide).size()));
                protein.push_back(std::min<int64_t>(int64_t(f.protein.size()), 1024) + 2);
            }
    const size_t shard = 512; // frames per shard, the pipeline's default; batches never cross a shard
    auto perShard = [&](const std::vector<int64_t>& lengths, auto batcher) {
        TokenBatches total;
        for (size_t begin = 0; begin < lengths.size(); begin += shard) {
            const std::vector<int64_t> part(lengths.begin() + long(begin), lengths.begin() + long(std::min(lengths.size(), begin + shard)));
            const TokenBatches b = batcher(part);
            total.realTokens += b.realTokens;
            total.paddedTokens += b.paddedTokens;
        }
        return total;
    };
    std::printf("padding on %ld synthetic contigs (log-normal lengths, median ≈ 1.3 kb), chunks of %ld, %zu frames:\n", contigs, chunk, dna.size());
    for (const auto& [name, lengths, budget] : {std::tuple{"DNABERT-S", &dna, 8192L}, {"ESM-2", &protein, 4096L}}) {
        const TokenBatches ours = perShard(*lengths, [&](const std::vector<int64_t>& l) { return batchByTokenBudget(l, budget); });
        const TokenBatches fixed = perShard(*lengths, [](const std::vector<int64_t>& l) { return fixedBatches(l, 8); });
        std::printf("  %-9s ours (sorted, budget %ld tokens): %.2f %% padding; fixed batches of 8 in input order: %.2f %% padding "
                    "(%.2f× the tokens computed)\n",
                    name, budget, 100 * ours.paddingFraction(), 100 * fixed.paddingFraction(), double(fixed.paddedTokens) / double(ours.paddedTokens));
    }
    return 0;
}

int benchPipeline(const QStringList& args)
{
    const double megabytes = textOption(args, QStringLiteral("--fasta-mb"), QStringLiteral("10")).toDouble();
    const int threads = int(option(args, QStringLiteral("--threads"), 2));
    const bool real = textOption(args, QStringLiteral("--models"), QStringLiteral("tiny")) == QLatin1String("real");
    const bool stopFree = textOption(args, QStringLiteral("--input"), QStringLiteral("contigs")) == QLatin1String("stopfree");
    const bool esm3B = textOption(args, QStringLiteral("--esm-shape"), QStringLiteral("150M")) == QLatin1String("3B");
    EncoderShape esmShape = esm3B ? kEsm2_3B : kEsm2_150M;
    esmShape.layers = option(args, QStringLiteral("--esm-layers"), long(esmShape.layers));
    const QString esmName = QStringLiteral("esm2_%1_%2layers").arg(esm3B ? QStringLiteral("3B") : QStringLiteral("150M")).arg(esmShape.layers);
    const QString dnabert = real ? synthesized(QStringLiteral("dnabert_s"), false, kDnabertS) : fixtures() + QStringLiteral("/viral/dnabert_s_tiny");
    const QString esm = real ? synthesized(esmName, true, esmShape) : fixtures() + QStringLiteral("/viral/esm2_tiny");
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
    // The resident set sampled through the run: its highest value in each stage.
    std::atomic<bool> done{false};
    QList<QPair<QString, long>> stagePeaks;
    QList<qint64> stageStartMs; // when the sampler first saw each stage of stagePeaks
    std::mutex peaksLock;
    std::thread sampler([&] {
        while (!done) {
            const QString stage = ctx.snapshot().stageId;
            const long rss = statusKiB("VmRSS:");
            {
                std::lock_guard lock(peaksLock);
                if (stagePeaks.isEmpty() || stagePeaks.last().first != stage) {
                    stagePeaks.append({stage, rss});
                    stageStartMs.append(t.elapsed());
                }
                stagePeaks.last().second = std::max(stagePeaks.last().second, rss);
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
    std::printf("  highest resident set per stage:");
    for (const auto& [stage, kib] : stagePeaks)
        std::printf(" %s %ld MiB;", qPrintable(stage.isEmpty() ? QStringLiteral("(setup)") : stage), kib / 1024);
    // Seconds per stage as the sampler saw them (to 0.1 s): the setup holds the models' checksums.
    std::printf("\n  seconds per stage:");
    for (qsizetype i = 0; i < stagePeaks.size(); ++i)
        std::printf(" %s %.1f;", qPrintable(stagePeaks[i].first.isEmpty() ? QStringLiteral("(setup)") : stagePeaks[i].first),
                    double((i + 1 < stageStartMs.size() ? stageStartMs[i + 1] : qint64(s * 1000)) - stageStartMs[i]) / 1000.0);
    std::printf("\n");
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    runWithProductBlasKernels(argv);
    QCoreApplication app(argc, argv);
    core::Logging::initialize(core::Logging::Console::Off);
    const QStringList args = app.arguments();
    const QString mode = args.size() > 1 ? args[1] : QString();
    QDir().mkpath(benchDir());
    if (mode == QLatin1String("esm"))
        return benchEsm(args);
    if (mode == QLatin1String("dnabert"))
        return benchDnabert(args);
    if (mode == QLatin1String("padding"))
        return benchPadding(args);
    if (mode == QLatin1String("pipeline"))
        return benchPipeline(args);
    if (mode == QLatin1String("precision"))
        return benchPrecision(args);
    if (mode == QLatin1String("attention"))
        return benchAttention(args);
    if (mode == QLatin1String("products"))
        return benchProducts(args);
    std::fprintf(stderr, "usage: bench_viral esm|dnabert|padding|pipeline|precision|attention|products [options] (see the comment at the top of bench_viral.cpp)\n");
    return 2;
}
