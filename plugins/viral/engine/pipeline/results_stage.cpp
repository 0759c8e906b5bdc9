#include "pipeline/results_stage.h"

#include "checkpoint/checkpoint_store.h"
#include "io/atomic_file.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "model/virus_classifier.h"
#include "pipeline/frame_shard.h"
#include "pipeline/frame_stage.h"
#include "pipeline/prediction_tables.h"
#include "pipeline/result_cache.h"
#include "pipeline/shard_keys.h"
#include "provenance/environment_info.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

namespace bioforge::viral {

using core::JobFailure;
using core::orThrow;

namespace {

struct PaddingTotals {
    double real = 0, padded = 0;
};

void addPadding(const QJsonObject& state, PaddingTotals& t)
{
    t.real += state.value(QLatin1String("real_tokens")).toDouble();
    t.padded += state.value(QLatin1String("padded_tokens")).toDouble();
}

} // namespace

void runResultsStage(core::JobContext& ctx, const PredictSettings& settings, const FrameIndex& index)
{
    core::CheckpointStore& store = ctx.checkpoints();
    ctx.beginStage(QStringLiteral("results"), std::max(1, index.shards));
    const QFileInfo weights(settings.classifier.path);
    const ClassifierSpec spec = orThrow(ClassifierSpec::fromFile(weights.dir().filePath(weights.completeBaseName() + QStringLiteral(".json"))));
    const ResultCache cache(settings.resultsCacheable() ? ctx.cacheDir() : QString(), settings.cacheKey()); // stored always, read when reuse is on
    PredictionTables tables(ctx.outputDir(), spec.classes, spec.positiveClass, settings.call, settings.chunkLength);
    orThrow(tables.open(settings.inputs));
    PaddingTotals dnaPadding, proteinPadding;
    bool open = false; // a contig spans into the next shard
    ShardContig openContig;
    CachedContig toCache;
    QMap<QString, int> reusedFrom; // who computed the contigs taken from the cache -> how many
    for (int s = 0; s < index.shards; ++s) {
        const QString framesKey = shardKey("frames", s);
        auto framesCheckpoint = store.loadOrDiscard(framesKey);
        if (!framesCheckpoint)
            throw JobFailure(QStringLiteral("checkpoint %1 is missing or damaged; start the run again").arg(framesKey));
        const FrameShard shard = orThrow(FrameShard::fromCheckpoint(framesCheckpoint->state, framesCheckpoint->blobs.value(QStringLiteral("frames.tsv")), framesKey));
        const int64_t rows = int64_t(shard.frames.size());
        auto classified = store.loadOrDiscard(shardKey("classify", s));
        if (!classified || classified->state.value(QLatin1String("digest")).toString() != shard.digest())
            throw JobFailure(QStringLiteral("checkpoint %1 is missing or damaged; start the run again").arg(shardKey("classify", s)));
        const std::vector<float> probabilities = rows ? orThrow(classified->tensors ? classified->tensors->toFloat(QStringLiteral("probabilities"))
                                                                                   : core::Expected<std::vector<float>>(core::Error(QStringLiteral("no tensor"))))
                                                      : std::vector<float>();
        const size_t classes = size_t(spec.classes.size());
        if (probabilities.size() != size_t(rows) * classes)
            throw JobFailure(QStringLiteral("%1: %2 probabilities for %3 frames of %4 classes").arg(shardKey("classify", s),
                                                                                                    QString::number(probabilities.size()),
                                                                                                    QString::number(rows), QString::number(classes)));
        for (const char* stage : {"dnabert", "esm"})
            if (auto c = store.loadOrDiscard(shardKey(stage, s)))
                addPadding(c->state, stage[0] == 'd' ? dnaPadding : proteinPadding);

        size_t next = 0; // frames of a contig are consecutive in the shard
        for (size_t c = 0; c < shard.contigs.size(); ++c) {
            const ShardContig& contig = shard.contigs[c];
            if (contig.continued != open) // a contig continued from an earlier shard must be the open one, and only then
                throw JobFailure(QStringLiteral("%1: contig %2 does not continue the contig of the shard before; start the run again")
                                     .arg(framesKey, QString::fromStdString(contig.id)));
            if (contig.continued && (contig.id != openContig.id || contig.sha256 != openContig.sha256))
                throw JobFailure(QStringLiteral("%1: contig %2 continues contig %3; start the run again")
                                     .arg(framesKey, QString::fromStdString(contig.id), QString::fromStdString(openContig.id)));
            if (!contig.continued) {
                if (auto st = tables.beginContig(contig); !st)
                    throw JobFailure(st.error().withContext(framesKey).message() + QStringLiteral("; start the run again"));
                openContig = contig;
                toCache = CachedContig{contig.length, contig.chunks, {}, ctx.runId(), core::EnvironmentInfo::versionText()};
            }
            std::vector<FrameResult> frames;
            if (contig.reused) {
                const auto cached = cache.find(contig.sha256);
                if (!cached)
                    throw JobFailure(QStringLiteral("contig %1: its earlier result left the project cache during the run; run it again")
                                         .arg(QString::fromStdString(contig.id)));
                for (const CachedFrame& f : cached->frames)
                    frames.push_back({f.chunk, f.frame, f.nucleotideLength, f.proteinLength, f.probabilities});
                if (!contig.continued)
                    ++reusedFrom[cached->run.isEmpty() ? QStringLiteral("an earlier run (not recorded by the version that computed it)")
                                                       : QStringLiteral("run %1 (BioForge Workbench %2)").arg(cached->run, cached->program)];
            } else {
                for (; next < shard.frames.size() && shard.frames[next].contig == int(c); ++next) {
                    const ShardFrame& f = shard.frames[next];
                    std::vector<float> p(probabilities.begin() + int64_t(next * classes), probabilities.begin() + int64_t((next + 1) * classes));
                    frames.push_back({f.chunk, f.frame, int64_t(f.nucleotide.size()), int64_t(f.protein.size()), p});
                    if (cache.enabled())
                        toCache.frames.push_back({f.chunk, f.frame, int64_t(f.nucleotide.size()), int64_t(f.protein.size()), std::move(p)});
                }
            }
            orThrow(tables.addFrames(frames));
            open = contig.continues;
            if (!open) {
                if (!contig.reused && cache.enabled())
                    orThrow(cache.store(contig.sha256, toCache));
                toCache = CachedContig();
                orThrow(tables.endContig());
            }
        }
        ctx.advance();
    }
    if (open)
        throw JobFailure(QStringLiteral("the last shard ends inside contig %1; start the run again").arg(QString::fromStdString(openContig.id)));
    orThrow(tables.commit());

    const ContigSummary& sum = tables.summary();
    // Values this run did not compute: said where the run is read (its warnings, show, the report),
    // with the runs that computed them (only summary.json's count said so: trial 25 T25-16).
    QJsonArray reusedOrigin;
    if (sum.reused > 0) {
        QStringList from;
        for (auto it = reusedFrom.cbegin(); it != reusedFrom.cend(); ++it) {
            from << QStringLiteral("%1 from %2").arg(it.value()).arg(it.key());
            reusedOrigin.append(QJsonObject{{QStringLiteral("from"), it.key()}, {QStringLiteral("contigs"), it.value()}});
        }
        ctx.warn(QStringLiteral("%1 of %2 contigs' results were taken from earlier runs' results in the project cache, computed with the same models "
                                "and settings (--reuse_results): %3; give --reuse_results false to compute every contig in this run")
                     .arg(sum.reused)
                     .arg(sum.contigs)
                     .arg(from.join(QStringLiteral("; "))));
    }
    QJsonArray warnings;
    for (const QString& w : index.warnings)
        warnings.append(w);
    QStringList unscoredIds;
    for (const std::string& id : sum.firstUnscored)
        unscoredIds << QString::fromStdString(id);
    if (const QString w = unscoredWarning(sum.unscored, sum.contigs, unscoredIds); !w.isEmpty()) { // not only in contigs.tsv
        warnings.append(w);
        ctx.warn(w);
    }
    const QJsonObject summary{{QStringLiteral("contigs"), double(sum.contigs)},
                              {QStringLiteral("viral_contigs"), double(sum.viral)},
                              {QStringLiteral("unscored_contigs"), double(sum.unscored)},
                              {QStringLiteral("unscored_examples"), QJsonArray::fromStringList(unscoredIds)},
                              {QStringLiteral("reused_contigs"), double(sum.reused)},
                              {QStringLiteral("reused_from"), reusedOrigin},
                              {QStringLiteral("chunks"), double(sum.chunks)},
                              {QStringLiteral("frames"), double(sum.frames)},
                              {QStringLiteral("chunk_length"), settings.chunkLength},
                              {QStringLiteral("call_rule"), settings.call.describe()},
                              {QStringLiteral("rule"), CallRule::ruleName(settings.call.rule)},
                              {QStringLiteral("threshold"), settings.call.threshold}, // a chunk's score at or above it is viral
                              {QStringLiteral("encoder_precision"), precisionName(settings.precision)},
                              {QStringLiteral("classes"), QJsonArray::fromStringList(spec.classes)},
                              {QStringLiteral("warnings"), warnings}};
    orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson()));
    auto fraction = [](const PaddingTotals& t) { return t.padded > 0 ? 1.0 - t.real / t.padded : 0.0; };
    const QJsonObject stats{{QStringLiteral("dnabert_padding_fraction"), fraction(dnaPadding)},
                            {QStringLiteral("esm_padding_fraction"), fraction(proteinPadding)},
                            {QStringLiteral("dnabert_real_tokens"), dnaPadding.real},
                            {QStringLiteral("dnabert_padded_tokens"), dnaPadding.padded},
                            {QStringLiteral("esm_real_tokens"), proteinPadding.real},
                            {QStringLiteral("esm_padded_tokens"), proteinPadding.padded},
                            {QStringLiteral("elapsed_ms"), double(ctx.snapshot().elapsedMs)}};
    orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("run_stats.json")), QJsonDocument(stats).toJson()));
    for (const auto& [name, file] : {std::pair{"predictions (reference layout)", "prediction_results.txt"}, {"contig calls", "contigs.tsv"},
                                     {"chunk scores", "chunks.tsv"}, {"frame scores", "frames.tsv"}, {"summary", "summary.json"},
                                     {"run statistics (padding, elapsed time: vary from run to run)", "run_stats.json"}})
        ctx.provenance().addOutput(QLatin1String(name), QLatin1String(file));
}

} // namespace bioforge::viral
