#pragma once

// Training of a HENAW ensemble as a resumable job step (stage "henaw"). Each member trains
// with its own seed on the training split, batches from the age-stratified
// sampler, learning rate warmed up then cosine-annealed per epoch, gradients
// clipped, early stopping on the validation loss (the best epoch's weights
// are kept). Everything needed to continue is checkpointed every few
// batches and at every epoch's end: the network, Adam's moments, the random
// generator, epoch, position in the epoch, batch size, best weights — so a
// pause, a kill -9 or a crash resumes in the same epoch and ends with weights
// bit-identical to an uninterrupted run (same seed, same threads).
// Running out of device memory drops the batch cleanly (nothing applied),
// halves the batch size, goes on, and is recorded. Each member's epoch history
// (one line an epoch) is kept in its verified checkpoint entry with the epoch's
// state, and history.csv in the run folder is made from them when training
// ends: a resumed run's history has every epoch once, a member recomputed from
// a rejected entry its own epochs only (trial 24 T24-19).

#include "henaw/feature_encoder.h"
#include "henaw/henaw_config.h"
#include "henaw/henaw_network.h"

#include <QJsonArray>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::age {

struct HenawSplitData {
    EncodedRows rows;
    std::vector<float> time, event;  // follow-up months (NaN: none), 1 / 0
    std::vector<float> morbidity;    // rows x morbidities, NaN unknown
    double ageSd = 1.0;              // years per unit of the standardised age (the encoder's): the history's age error in years
};

struct HenawTrainingReport {
    QJsonArray members;      // per member: epochs, best epoch, best validation loss, batch size, out-of-memory events
    int outOfMemoryEvents = 0;
};

struct HenawTrainingHooks {
    int checkpointEveryBatches = 20;
    int64_t injectOutOfMemoryAtStep = -1; // tests: member 0's step n fails as out of memory
};

// The members, or nullopt when a stop was requested (all progress is checkpointed).
std::optional<std::vector<std::unique_ptr<HenawNetwork>>> trainHenawEnsemble(core::JobContext& ctx, const HenawConfig& config,
                                                                             const std::vector<double>& coefficientsOfVariation,
                                                                             const HenawSplitData& train, const HenawSplitData& validation,
                                                                             HenawTrainingReport* report, const HenawTrainingHooks& hooks = {},
                                                                             const core::TorchDevice& device = {});

// The learning rate of an epoch: linear warm-up, then cosine to the minimum.
double henawLearningRate(const HenawConfig& config, int epoch);

} // namespace bioforge::age
