#include "pipeline/frame_sharder.h"

#include "io/sha256.h"
#include "jobs/job.h"
#include "pipeline/contig_source.h"
#include "pipeline/result_cache.h"
#include "sequence/chunker.h"

namespace bioforge::viral {

FrameShardingOutcome cutFrameShards(const PredictSettings& settings, const ResultCache& cache, ContigSource& source, const FrameSharding& cb)
{
    FrameShardingOutcome out;
    FrameShard shard;
    bool go = true;
    auto flush = [&] {
        if (shard.contigs.empty())
            return;
        go = cb.onShard(out.shards++, shard) && go;
        shard = FrameShard();
    };
    auto takeWarnings = [&] {
        for (const QString& w : source.takeWarnings())
            cb.onWarning(w);
    };
    for (;;) {
        auto next = source.next();
        takeWarnings();
        if (!next)
            throw source.inputAtFault() ? core::JobFailure::needingNewRun(next.error().message()) : core::JobFailure(next.error());
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
        ++out.contigs;
        if (!entry.reused) {
            // A contig that fits in a shard never spans two: when its frames
            // would overflow the open shard, that shard is closed first. So
            // shards end at contig ends, where a cluster plan may cut.
            int64_t contigFrames = 0;
            for (const ChunkSpan& chunk : chunks)
                contigFrames += int64_t(translateSixFrames(std::string_view(contig.sequence).substr(size_t(chunk.start), size_t(chunk.length)), settings.span).size());
            if (shard.contigs.size() > 1 && int64_t(shard.frames.size()) + contigFrames > settings.framesPerShard) {
                const ShardContig current = shard.contigs.back();
                shard.contigs.pop_back();
                flush();
                shard.contigs.push_back(current);
                if (!go) {
                    out.stopped = true;
                    return out;
                }
            }
            // Frames go into the shard chunk by chunk; a contig longer than a
            // shard is cut in the middle and goes on in the next one.
            for (size_t c = 0; c < chunks.size() && go; ++c) {
                for (TranslatedFrame& f : translateSixFrames(std::string_view(contig.sequence).substr(size_t(chunks[c].start), size_t(chunks[c].length)), settings.span))
                    shard.frames.push_back({int(shard.contigs.size()) - 1, chunks[c].index, std::move(f.name), std::move(f.nucleotide), std::move(f.protein)});
                if (int(shard.frames.size()) >= settings.framesPerShard && c + 1 < chunks.size()) {
                    shard.contigs.back().continues = true;
                    flush();
                    ShardContig rest = entry;
                    rest.continued = true;
                    shard.contigs.push_back(rest);
                    (void)cb.onContig(source.bytesRead()); // progress; a pause waits for the end of the contig
                }
            }
        }
        if (!go) {
            out.stopped = true;
            return out;
        }
        if (int(shard.frames.size()) >= settings.framesPerShard)
            flush();
        if (!go || !cb.onContig(source.bytesRead())) {
            out.stopped = true;
            return out;
        }
    }
    flush();
    out.stopped = !go;
    return out;
}

} // namespace bioforge::viral
