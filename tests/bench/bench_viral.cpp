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

#include "log/logging.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/synthetic_encoders.h"
#include "model/torch_runtime.h"
#include "pipeline/token_batcher.h"
#include "pipeline/validate_job.h"
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

#include <algorithm>
#include <cstdio>
#include <random>

using namespace bioforge;
using namespace bioforge::bench;
using namespace bioforge::viral;

namespace {

int benchEsm(const QStringList& args)
{
    const bool big = textOption(args, QStringLiteral("--shape"), QStringLiteral("150M")) == QLatin1String("3B");
    const int64_t fullDepth = (big ? kEsm2_3B : kEsm2_150M).layers;
    const EncoderShape shape = esm2Shape(big, option(args, QStringLiteral("--layers"), long(fullDepth)));
    const long batch = option(args, QStringLiteral("--batch"), 8), residues = option(args, QStringLiteral("--residues"), 166);
    const int threads = int(option(args, QStringLiteral("--threads"), 2)), reps = int(option(args, QStringLiteral("--reps"), 3));
    const QString folder = synthesizedEsm2(big, shape);
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

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
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
