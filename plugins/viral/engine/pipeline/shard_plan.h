#pragma once

// How a `viral predict` run splits into cluster shards: whole runs of frame
// shards (frame_sharder.h), cut only where no contig continues, balanced by
// bases (core::splitBalanced). A shard run therefore checkpoints and
// batches exactly the frames a single-machine run does, and its tables are a
// contiguous slice of the single-machine tables: concatenated in shard order
// they are byte-identical (shard_merge.h).
// The plan names what it was made from (inputs with sizes, chunk length,
// span, frames per shard); a shard run with other settings is refused.

#include "pipeline/predict_settings.h"
#include "util/expected.h"

#include <QJsonObject>

#include <vector>

namespace bioforge::core {
class ProvenanceRecorder;
}

namespace bioforge::viral {

struct ShardPlanEntry {
    int firstFrameShard = 0; // of the single-machine layout
    int endFrameShard = 0;   // one past the last
    int64_t contigs = 0;
    int64_t bases = 0;
};

struct ViralShardPlan {
    QJsonObject madeFrom;              // the settings the layout depends on
    int frameShards = 0;
    int64_t contigs = 0;
    int64_t bases = 0;
    std::vector<ShardPlanEntry> shards;

    QJsonObject toJson() const;
    static core::Expected<ViralShardPlan> fromJson(const QJsonObject& json, const QString& source);
    // Largest shard over the mean, in bases.
    double imbalance() const;
};

// What the layout depends on, for `settings`: the inputs with their checksums (read, unless `known`
// knows them: core::plannedInput), the models' checksums, the cutting settings.
QJsonObject layoutInputs(const PredictSettings& settings, const core::ProvenanceRecorder* known = nullptr);
// The models' checksums a plan was made with (`madeFrom`, read from `planFile`) against those
// `settings` hold now (a model given by path must have been checksummed: modelDigest): an error
// naming the model (dnabert, esm, classifier) and the first 12 digits of both SHA-256s when one
// changed. A plan that recorded no checksum for a model (made before they were) is not compared for it.
core::Status checkPlanModelsUnchanged(const QJsonObject& madeFrom, const PredictSettings& settings, const QString& planFile);
// Reads the whole input once (no model runs); its checksums too, unless `known` knows them
// (core::plannedInput). Throws core::JobFailure on unreadable input.
core::Expected<ViralShardPlan> planViralShards(const PredictSettings& settings, int shards, const core::ProvenanceRecorder* known = nullptr);
// The frame shards [first, end) of this run's shard (settings.shardIndex),
// from settings.shardPlan (its inputs and models checked unchanged; `known`: the run's recorder, whose
// pinned digests spare reading the inputs again) or, without one, planned here.
core::Expected<std::pair<int, int>> frameShardRange(const PredictSettings& settings, const core::ProvenanceRecorder* known = nullptr);

} // namespace bioforge::viral
