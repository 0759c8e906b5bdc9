#include "pipeline/frame_stage.h"

#include "checkpoint/checkpoint_store.h"
#include "io/sha256.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "pipeline/contig_source.h"
#include "pipeline/frame_shard.h"
#include "pipeline/result_cache.h"
#include "pipeline/shard_keys.h"
#include "sequence/chunker.h"

#include <QJsonArray>

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
            throw JobFailure(QStringLiteral("the input changed since this run began (shard %1 differs); start a new run").arg(number));
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

    ContigSource source(settings.inputs);
    ctx.beginStage(QStringLiteral("frames"), std::max<qint64>(1, source.totalBytes()));
    FrameIndex index;
    FrameShard shard;
    qint64 reported = 0;
    // The unit of this stage is a shard: a stop is honoured once a new one is written.
    bool wroteShard = false;
    auto flush = [&] {
        if (shard.contigs.empty())
            return;
        wroteShard = commitShard(store, index.shards++, shard) || wroteShard;
        shard = FrameShard();
    };
    auto takeWarnings = [&] {
        for (const QString& w : source.takeWarnings()) {
            ctx.warn(w);
            index.warnings << w;
        }
    };
    for (;;) {
        auto next = source.next();
        takeWarnings();
        if (!next)
            throw JobFailure(next.error());
        if (!*next)
            break;
        const SourceContig& contig = **next;
        ShardContig entry{contig.file, contig.id, int64_t(contig.sequence.size()),
                          core::Sha256::ofData(QByteArray::fromRawData(contig.sequence.data(), qsizetype(contig.sequence.size()))), 0, false};
        const std::vector<ChunkSpan> chunks = chunkLayout(entry.length, settings.chunkLength);
        entry.chunks = int(chunks.size());
        if (settings.reuseResults)
            if (auto cached = cache.find(entry.sha256); cached && cached->length == entry.length && cached->chunks == entry.chunks)
                entry.reused = true;
        shard.contigs.push_back(entry);
        ++index.contigs;
        if (!entry.reused) {
            // Frames go into the shard chunk by chunk; a full shard is written
            // even in the middle of a contig, which goes on in the next one.
            for (size_t c = 0; c < chunks.size(); ++c) {
                for (TranslatedFrame& f : translateSixFrames(std::string_view(contig.sequence).substr(size_t(chunks[c].start), size_t(chunks[c].length)), settings.span)) {
                    shard.frames.push_back({int(shard.contigs.size()) - 1, chunks[c].index, std::move(f.name), std::move(f.nucleotide), std::move(f.protein)});
                    ++index.frames;
                }
                if (int(shard.frames.size()) >= settings.framesPerShard && c + 1 < chunks.size()) {
                    shard.contigs.back().continues = true;
                    flush();
                    ShardContig rest = entry;
                    rest.continued = true;
                    shard.contigs.push_back(rest);
                    ctx.advance(source.bytesRead() - reported);
                    reported = source.bytesRead();
                }
            }
        }
        if (int(shard.frames.size()) >= settings.framesPerShard)
            flush();
        ctx.advance(source.bytesRead() - reported);
        reported = source.bytesRead();
        if (wroteShard && ctx.stopRequested())
            return std::nullopt; // shards written so far are kept and checked on resume
    }
    if (index.contigs == 0)
        throw JobFailure(QStringLiteral("no usable contig in the input (%1)").arg(settings.inputs.join(QStringLiteral(", "))));
    flush();
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
