#include "pipeline/embedding_stage.h"

#include "checkpoint/checkpoint_store.h"
#include "io/safetensors_writer.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "pipeline/frame_shard.h"
#include "pipeline/frame_stage.h"
#include "pipeline/shard_keys.h"
#include "pipeline/token_batcher.h"
#include "pipeline/tokenizer_warnings.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace bioforge::viral {

using core::JobFailure;
using core::orThrow;

const char* encoderStage(Encoder encoder) { return encoder == Encoder::Dnabert ? "dnabert" : "esm"; }

namespace {

// One encoder behind a common face: token rows for a shard's frames, and embeddings of a batch.
struct EncoderRunner {
    int64_t width = 0;
    int64_t tokenBudget = 0;
    std::function<std::vector<int64_t>(const ShardFrame&, QStringList&)> tokenize;
    std::function<core::Expected<std::vector<std::vector<float>>>(const std::vector<std::vector<int64_t>>&)> embed;
};

// Models and tokenizers live as long as the stage.
struct LoadedEncoder {
    std::unique_ptr<DnabertModel> dnabert;
    std::unique_ptr<HfBpeTokenizer> bpe;
    std::unique_ptr<Esm2Model> esm;
    std::unique_ptr<EsmAlphabet> alphabet;
    EncoderRunner runner;
};

LoadedEncoder loadEncoder(Encoder encoder, const PredictSettings& s, const EncoderDevice& device)
{
    LoadedEncoder e;
    if (encoder == Encoder::Dnabert) {
        e.dnabert = orThrow(DnabertModel::load(s.dnabert.path, s.precision, device));
        e.bpe = std::make_unique<HfBpeTokenizer>(orThrow(HfBpeTokenizer::fromFile(QDir(s.dnabert.path).filePath(QStringLiteral("tokenizer.json")))));
        e.runner.width = e.dnabert->config().hidden;
        e.runner.tokenBudget = s.dnabertTokensPerBatch;
        e.runner.tokenize = [tok = e.bpe.get()](const ShardFrame& f, QStringList&) { return tok->encode(f.nucleotide); };
        e.runner.embed = [model = e.dnabert.get()](const std::vector<std::vector<int64_t>>& rows) { return model->meanEmbeddings(rows); };
    } else {
        e.esm = orThrow(Esm2Model::load(s.esm.path, s.precision, device));
        e.alphabet = std::make_unique<EsmAlphabet>(orThrow(EsmAlphabet::fromVocabFile(QDir(s.esm.path).filePath(QStringLiteral("vocab.txt")))));
        const int64_t layer = s.esmLayer < 0 ? e.esm->config().layers : s.esmLayer;
        e.runner.width = e.esm->config().hidden;
        e.runner.tokenBudget = s.esmTokensPerBatch;
        e.runner.tokenize = [a = e.alphabet.get()](const ShardFrame& f, QStringList& warnings) {
            EsmEncoding enc = a->encode(f.protein);
            for (const std::string& piece : enc.unknownPieces)
                warnings << unknownPieceWarning(QString::fromStdString(piece));
            return enc.ids;
        };
        e.runner.embed = [model = e.esm.get(), layer, truncation = s.esmTruncation](const std::vector<std::vector<int64_t>>& rows) {
            return model->meanEmbeddings(rows, layer, truncation);
        };
    }
    return e;
}

// Batches of every shape leave the heap fragmented; without handing the free
// pages back after each shard, the resident set creeps up with the input
// (measured: 281 MiB at 10 MB of FASTA, 393 MiB at 30 MB). With it, it stays flat.
void releaseFreeMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

QByteArray floatBytes(const std::vector<float>& v)
{
    QByteArray b(qsizetype(v.size() * sizeof(float)), Qt::Uninitialized);
    std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
    return b;
}

int64_t paddedTokens(const std::vector<std::vector<int64_t>>& rows)
{
    size_t longest = 0;
    for (const auto& r : rows)
        longest = std::max(longest, r.size());
    return int64_t(rows.size() * longest);
}

// The embeddings of `rows`, in order. A batch the device has no memory for is split in
// halves, and `tokenCap` (padded tokens, rows × longest row) drops to half of that batch, so
// later batches of the stage are split before they are tried; a single frame that does not
// fit fails the run with the reason.
std::vector<std::vector<float>> embedFitting(core::JobContext& ctx, const EncoderRunner& runner, const std::vector<std::vector<int64_t>>& rows,
                                             int64_t& tokenCap, EmbeddingStats& stats, const char* stage)
{
    auto halves = [&] {
        const auto middle = rows.begin() + std::ptrdiff_t(rows.size() / 2);
        std::vector<std::vector<float>> out = embedFitting(ctx, runner, {rows.begin(), middle}, tokenCap, stats, stage);
        std::vector<std::vector<float>> second = embedFitting(ctx, runner, {middle, rows.end()}, tokenCap, stats, stage);
        std::move(second.begin(), second.end(), std::back_inserter(out));
        return out;
    };
    const int64_t padded = paddedTokens(rows);
    if (rows.size() > 1 && padded > tokenCap)
        return halves();
    try {
        return orThrow(runner.embed(rows));
    } catch (const EncoderOutOfMemory& oom) {
        if (rows.size() == 1 && oom.onCpu) // a chunk length far beyond the published ones (attention's memory is its square)
            throw JobFailure(QStringLiteral("%1 stage: %2; a single frame does not fit in this machine's memory (%3 tokens; an encoder's "
                                            "attention needs memory growing with the square of the chunk length): use a shorter --chunk_length "
                                            "(the published models are trained on 300 and 500)")
                                 .arg(QLatin1String(stage), oom.what, QString::number(rows.front().size())));
        if (rows.size() == 1)
            throw JobFailure(QStringLiteral("%1 stage: %2; a single frame does not fit: run the encoders on the CPU (device cpu) or on a larger GPU")
                                 .arg(QLatin1String(stage), oom.what));
        tokenCap = std::min(tokenCap, padded / 2);
        ++stats.outOfMemorySplits;
        ctx.warn(QStringLiteral("%1 stage: %2; the batch was split in two and later batches keep under %3 padded tokens")
                     .arg(QLatin1String(stage), oom.what, QString::number(tokenCap)));
        return halves();
    }
}

// The tokenizer's warnings, each once (a residue unknown to the alphabet recurs in every frame).
void reportWarnings(core::JobContext& ctx, QStringList warnings)
{
    warnings.removeDuplicates();
    for (const QString& w : tokenizerWarningLines(warnings))
        ctx.warn(w);
}

// One device's share of a stage: its own model copy, statistics and batch cap.
struct Worker {
    EncoderDevice device;
    std::optional<LoadedEncoder> loaded; // only when a shard needs it
    EmbeddingStats stats;
    int64_t tokenCap = std::numeric_limits<int64_t>::max(); // lowered by the device's out-of-memory
};

enum class ShardOutcome { Done, Stopped };

// Embeds shard `s` (or finds it done) and checkpoints it, whole or, when a stop was
// requested or `abandon` set (another device's worker failed), partial after a batch.
ShardOutcome embedShard(core::JobContext& ctx, Encoder encoder, const PredictSettings& settings, int s, Worker& w, const std::atomic<bool>& abandon)
{
    core::CheckpointStore& store = ctx.checkpoints();
    const char* stage = encoderStage(encoder);
    auto stopNow = [&] { return ctx.stopRequested() || abandon.load(std::memory_order_relaxed); };
    const QString key = shardKey(stage, s);
    auto framesCheckpoint = store.loadOrDiscard(shardKey("frames", s));
    if (!framesCheckpoint)
        throw JobFailure(QStringLiteral("checkpoint %1 is missing or damaged; start the run again").arg(shardKey("frames", s)));
    const FrameShard shard = orThrow(FrameShard::fromCheckpoint(framesCheckpoint->state, framesCheckpoint->blobs.value(QStringLiteral("frames.tsv")),
                                                                shardKey("frames", s)));
    const QString digest = shard.digest();
    if (auto done = store.loadOrDiscard(key); done && done->state.value(QLatin1String("digest")).toString() == digest
                                              && !done->state.value(QLatin1String("partial")).toBool()) {
        ctx.advanceReused(int64_t(shard.frames.size()));
        return ShardOutcome::Done;
    }
    if (shard.frames.empty()) {
        orThrow(store.save(key, {{QStringLiteral("digest"), digest}, {QStringLiteral("rows"), 0}}, nullptr));
        return ShardOutcome::Done;
    }
    if (!w.loaded) {
        ctx.setMessage(QStringLiteral("loading the %1 model on %2").arg(QLatin1String(stage), w.device.isCuda() ? w.device.label() : QStringLiteral("the CPU")));
        w.loaded = loadEncoder(encoder, settings, w.device);
        ctx.setMessage({}); // loaded: the line said "loading" to the stage's end (trial 24 T24-1)
    }
    const EncoderRunner& runner = w.loaded->runner;
    std::vector<std::vector<int64_t>> rows;
    std::vector<int64_t> lengths;
    for (const ShardFrame& f : shard.frames) {
        rows.push_back(runner.tokenize(f, w.stats.warnings));
        lengths.push_back(int64_t(rows.back().size()));
    }
    const TokenBatches batches = batchByTokenBudget(lengths, runner.tokenBudget);
    std::vector<float> embeddings(shard.frames.size() * size_t(runner.width), 0.0f);
    std::vector<bool> batchDone(batches.batches.size(), false);
    // A partial shard from a pause: its finished batches are reused.
    if (auto partial = store.loadOrDiscard(key); partial && partial->state.value(QLatin1String("digest")).toString() == digest && partial->tensors) {
        const QJsonArray done = partial->state.value(QLatin1String("batches_done")).toArray();
        const std::vector<float> saved = orThrow(partial->tensors->toFloat(QStringLiteral("embeddings")));
        if (saved.size() == embeddings.size() && done.size() == qsizetype(batchDone.size())) {
            embeddings = saved;
            for (qsizetype b = 0; b < done.size(); ++b)
                batchDone[size_t(b)] = done[b].toBool();
        }
    }
    bool stopped = false;
    QElapsedTimer timer;
    w.tokenCap = std::numeric_limits<int64_t>::max(); // per shard: the output must not depend on the shards before
    for (size_t b = 0; b < batches.batches.size(); ++b) {
        const std::vector<int64_t>& batch = batches.batches[b];
        if (batchDone[b]) {
            ctx.advanceReused(int64_t(batch.size()));
            continue;
        }
        std::vector<std::vector<int64_t>> batchRows;
        for (int64_t i : batch)
            batchRows.push_back(rows[size_t(i)]);
        timer.start();
        const auto result = embedFitting(ctx, runner, batchRows, w.tokenCap, w.stats, stage);
        w.stats.seconds += double(timer.nsecsElapsed()) / 1e9;
        for (size_t j = 0; j < batch.size(); ++j)
            std::copy(result[j].begin(), result[j].end(), embeddings.begin() + batch[j] * runner.width);
        batchDone[b] = true;
        ctx.advance(int64_t(batch.size()));
        if (stopNow()) { // after a batch: every attempt makes progress
            stopped = std::find(batchDone.begin(), batchDone.end(), false) != batchDone.end();
            break;
        }
    }
    w.stats.realTokens += batches.realTokens;
    w.stats.paddedTokens += batches.paddedTokens;
    w.stats.frames += int64_t(shard.frames.size());
    QJsonArray doneList;
    for (bool d : batchDone)
        doneList.append(d);
    core::SafetensorsWriter tensors;
    orThrow(tensors.add(QStringLiteral("embeddings"), core::DType::F32, {qint64(shard.frames.size()), runner.width}, floatBytes(embeddings)));
    QJsonObject state{{QStringLiteral("digest"), digest},
                      {QStringLiteral("rows"), double(shard.frames.size())},
                      {QStringLiteral("width"), double(runner.width)},
                      {QStringLiteral("real_tokens"), double(batches.realTokens)},
                      {QStringLiteral("padded_tokens"), double(batches.paddedTokens)}};
    if (stopped) {
        state.insert(QStringLiteral("partial"), true);
        state.insert(QStringLiteral("batches_done"), doneList);
    }
    orThrow(store.save(key, state, &tensors));
    releaseFreeMemory();
    return stopNow() ? ShardOutcome::Stopped : ShardOutcome::Done; // the shard is saved, whole or partial
}

} // namespace

std::optional<EmbeddingStats> runEmbeddingStage(core::JobContext& ctx, Encoder encoder, const PredictSettings& settings,
                                                const std::vector<EncoderDevice>& devices, const FrameIndex& index)
{
    if (devices.empty())
        throw JobFailure(QStringLiteral("%1 stage: no device to run on").arg(QLatin1String(encoderStage(encoder))));
    ctx.beginStage(QLatin1String(encoderStage(encoder)), std::max<int64_t>(1, index.frames));
    std::vector<Worker> workers(devices.size());
    for (size_t i = 0; i < devices.size(); ++i)
        workers[i].device = devices[i];
    // Worker i starts with shard i, then shards are handed out in order to whichever device is
    // free; each shard's result depends on the shard alone (the batch cap an out-of-memory lowers
    // is reset at each shard), so the split does not change the output.
    std::atomic<int> next{int(workers.size())};
    std::atomic<bool> stopped{false}, failed{false};
    std::mutex errorMutex;
    std::exception_ptr error;
    auto work = [&](Worker& w, int first) {
        try {
            for (int s = first; !failed.load() && !stopped.load() && s < index.shards; s = next.fetch_add(1))
                if (embedShard(ctx, encoder, settings, s, w, failed) == ShardOutcome::Stopped) {
                    stopped = true;
                    break;
                }
        } catch (...) { // the first failure is the run's; the other devices stop after their batch
            std::lock_guard lock(errorMutex);
            if (!error)
                error = std::current_exception();
            failed = true;
        }
    };
    if (workers.size() == 1) {
        work(workers.front(), 0);
    } else {
        std::vector<std::thread> threads;
        for (size_t i = 0; i < workers.size(); ++i)
            threads.emplace_back(work, std::ref(workers[i]), int(i));
        for (std::thread& t : threads)
            t.join();
    }
    if (error)
        std::rethrow_exception(error);
    EmbeddingStats stats;
    for (const Worker& w : workers) {
        stats.realTokens += w.stats.realTokens;
        stats.paddedTokens += w.stats.paddedTokens;
        stats.seconds += w.stats.seconds;
        stats.frames += w.stats.frames;
        stats.outOfMemorySplits += w.stats.outOfMemorySplits;
        stats.warnings += w.stats.warnings;
    }
    reportWarnings(ctx, stats.warnings);
    if (stopped)
        return std::nullopt;
    return stats;
}

} // namespace bioforge::viral
