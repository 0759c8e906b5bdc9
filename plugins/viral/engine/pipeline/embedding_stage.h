#pragma once

// Stages 2 and 3 of a prediction run: the DNABERT-S embedding of every
// frame's nucleotide span and the ESM-2 embedding of its protein, shard by
// shard, in length-sorted batches within a token budget. Each shard's
// embeddings are checkpointed as a [frames, width] float32 tensor with the
// shard's digest. A pause lands between batches: the batches done so far are
// checkpointed as a partial shard and a resume continues after them, so no
// finished batch is computed twice.

#include "pipeline/predict_settings.h"

#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::viral {

struct FrameIndex;

struct EmbeddingStats {
    int64_t realTokens = 0;
    int64_t paddedTokens = 0;
    double seconds = 0;
    int64_t frames = 0;
    QStringList warnings;          // residues the protein alphabet does not know (reported to the run, each once)
    int64_t outOfMemorySplits = 0; // batches split because the device had no memory for them
};

enum class Encoder { Dnabert, Esm2 };

// Returns nullopt when a stop was requested (the partial shards are saved). With several
// `devices` (the GPUs of the job's lease) each runs its own copy of the model on a thread of
// its own and takes the next shard when it finishes one; the output is the same.
std::optional<EmbeddingStats> runEmbeddingStage(core::JobContext& ctx, Encoder encoder, const PredictSettings& settings,
                                                const std::vector<EncoderDevice>& devices, const FrameIndex& index);

const char* encoderStage(Encoder encoder); // "dnabert" / "esm"

} // namespace bioforge::viral
