#pragma once

// Stage 1 of a prediction run: read the FASTA files, chunk each contig,
// translate the six frames, and cut the result into shards of
// `framesPerShard` frames (up to five more: the frames of one chunk stay
// together; a contig that fits in a shard never spans two, a longer one
// spans several, so memory does not grow with the longest contig), each
// checkpointed as it fills (frame_sharder.h). A cluster shard run
// (settings.shardIndex) keeps only its own run of shards (shard_plan.h). Skipped
// or renamed records are reported through JobContext::warn as they are met.
// An input with no usable contig fails the run.
// Contigs whose result an earlier run computed under the same settings are
// marked reused and contribute no frames. On resume, shards already
// checkpointed are checked against the re-read input (an input that changed
// since the run began is an error) and not written again; a finished stage
// is skipped through its index checkpoint.

#include "pipeline/predict_settings.h"

#include <QStringList>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::viral {

class ResultCache;

struct FrameIndex {
    int shards = 0;
    int64_t frames = 0;     // frames to compute (reused contigs excluded)
    int64_t contigs = 0;
    QStringList warnings;   // bad records, each naming its file and line
};

// Returns nullopt when a stop was requested before the stage finished.
std::optional<FrameIndex> runFrameStage(core::JobContext& ctx, const PredictSettings& settings, const ResultCache& cache);

} // namespace bioforge::viral
