#pragma once

// The last stage of a prediction run: frames and their class probabilities,
// shard by shard, into the result tables (prediction_tables.h); contigs
// reused from earlier runs are written from the project's result cache, and
// newly computed contigs are added to it. Writes summary.json (counts and
// the call rule: deterministic, so a resumed run gives the same bytes) and
// run_stats.json (timings and padding: not part of the results).

#include "pipeline/predict_settings.h"

namespace bioforge::core {
class JobContext;
}

namespace bioforge::viral {

struct FrameIndex;

void runResultsStage(core::JobContext& ctx, const PredictSettings& settings, const FrameIndex& index);

} // namespace bioforge::viral
