#include "pipeline/frame_stage.h"

#include "checkpoint/checkpoint_store.h"
#include "io/sha256.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "pipeline/contig_source.h"
#include "pipeline/frame_shard.h"
#include "pipeline/frame_sharder.h"
#include "pipeline/shard_plan.h"
#include "pipeline/result_cache.h"
#include "pipeline/shard_keys.h"
#include "sequence/chunker.h"

#include <QJsonArray>

#include <limits>
#include <tuple>

namespace bioforge::viral {

using core::JobFailure;

namespace {

const char* kFramesBlob = "frames.tsv";

FrameIndex indexFrom(const QJsonObject& state)
{
    FrameIndex index;
    index.shards = state.value(QLatin1String("shards")).toInt();
    index.frames = state.value(QLatin1String("frames")).toInteger();
    index.contigs = state.value(QLatin1String("contigs")).toInteger();
    for (const QJsonValue& w : state.value(QLatin1String("warnings")).toArray())
        index.warnings << w.toString();
    return index;
}

// Saves shard `number` (true), or checks it against the checkpoint a previous attempt wrote (false).
bool commitShard(core::CheckpointStore& store, int number, const FrameShard& shard)
{
    const QString key = shardKey("frames", number);
    if (auto previous = store.loadOrDiscard(key)) {
        if (previous->state.value(QLatin1String("digest")).toString() != shard.digest()
            || previous->state.value(QLatin1String("contigs")).toArray() != shard.state().value(QLatin1String("contigs")).toArray())
            throw JobFailure::needingNewRun(QStringLiteral("the input changed since this run began (shard %1 differs); start a new run").arg(number));
        return false;
    }
    core::orThrow(store.save(key, shard.state(), nullptr, {{QLatin1String(kFramesBlob), shard.framesBlob()}}));
    return true;
}

} // namespace

std::optional<FrameIndex> runFrameStage(core::JobContext& ctx, const PredictSettings& settings, const ResultCache& cache)
{
    core::CheckpointStore& store = ctx.checkpoints();
    if (auto done = store.loadOrDiscard(framesIndexKey())) {
        FrameIndex index = indexFrom(done->state);
        for (const QString& w : index.warnings) // this run's record gets them too
            ctx.warn(w);
        return index;
    }

    // A cluster shard run keeps the frame shards [first, end) of the single-machine layout.
    int first = 0, end = std::numeric_limits<int>::max();
    if (settings.sharded())
        std::tie(first, end) = core::orThrow(frameShardRange(settings, &ctx.provenance()));

    ContigSource source(settings.inputs);
    ctx.beginStage(QStringLiteral("frames"), std::max<qint64>(1, source.totalBytes()));
    FrameIndex index;
    qint64 reported = 0;
    // The unit of this stage is a shard: a stop is honoured once a new one is written.
    bool wroteShard = false;
    FrameSharding cb;
    cb.onShard = [&](int number, FrameShard& shard) {
        if (number < first)
            return true;
        if (number >= end)
            return false;
        if (settings.sharded() && ((number == first && shard.contigs.front().continued) || (number + 1 == end && shard.contigs.back().continues)))
            throw JobFailure::needingNewRun(QStringLiteral("shard %1/%2: frame shard %3 splits a contig, so the plan no longer fits the input; start the cluster run again")
                                 .arg(QString::number(settings.shardIndex + 1), QString::number(settings.shardCount), QString::number(number)));
        wroteShard = commitShard(store, index.shards++, shard) || wroteShard;
        index.frames += int64_t(shard.frames.size());
        for (const ShardContig& c : shard.contigs)
            index.contigs += c.continued ? 0 : 1;
        return number + 1 < end;
    };
    cb.onWarning = [&](const QString& w) {
        ctx.warn(w);
        index.warnings << w;
    };
    cb.onContig = [&](qint64 bytesRead) {
        ctx.advance(bytesRead - reported);
        reported = bytesRead;
        return !(wroteShard && ctx.stopRequested());
    };
    const FrameShardingOutcome outcome = cutFrameShards(settings, cache, source, cb);
    if (outcome.stopped && outcome.shards < end)
        return std::nullopt; // shards written so far are kept and checked on resume
    if (outcome.contigs == 0)
        throw JobFailure::needingNewRun(QStringLiteral("no usable contig in the input (%1)").arg(settings.inputs.join(QStringLiteral(", "))));
    if (index.shards == 0)
        throw JobFailure::needingNewRun(QStringLiteral("shard %1/%2 holds no frame shard of this input; start the cluster run again").arg(settings.shardIndex + 1).arg(settings.shardCount));
    QJsonArray warnings;
    for (const QString& w : index.warnings)
        warnings.append(w);
    core::orThrow(store.save(framesIndexKey(), {{QStringLiteral("shards"), index.shards},
                                                {QStringLiteral("frames"), double(index.frames)},
                                                {QStringLiteral("contigs"), double(index.contigs)},
                                                {QStringLiteral("warnings"), warnings}}));
    return index;
}

} // namespace bioforge::viral
