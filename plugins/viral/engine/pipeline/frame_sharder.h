#pragma once

// The one cut of a run's contigs into frame shards: read the FASTA files,
// chunk each contig, translate the six frames, and close a shard once it
// holds `framesPerShard` frames (a long contig goes on in the next shard).
// The frame stage checkpoints these shards; a cluster plan (shard_plan.h)
// splits the run between them, so a shard run batches exactly the frames a
// single-machine run batches and computes the same bits.

#include "pipeline/frame_shard.h"
#include "pipeline/predict_settings.h"

#include <QString>

#include <functional>

namespace bioforge::viral {

class ContigSource;
class ResultCache;

struct FrameSharding {
    // A shard is complete (`number` counts from 0). Return false to stop reading.
    std::function<bool(int number, FrameShard& shard)> onShard;
    // A record skipped or renamed (names its file and line).
    std::function<void(const QString& warning)> onWarning;
    // After each contig, with the bytes read so far. Return false to stop (a pause).
    std::function<bool(qint64 bytesRead)> onContig;
};

struct FrameShardingOutcome {
    int shards = 0;       // shards handed to onShard
    int64_t contigs = 0;  // usable contigs read
    bool stopped = false; // a callback stopped the reading
};

// Throws core::JobFailure when a file cannot be read (core::FastaReader's errors).
FrameShardingOutcome cutFrameShards(const PredictSettings& settings, const ResultCache& cache, ContigSource& source, const FrameSharding& callbacks);

} // namespace bioforge::viral
