#pragma once

// The predict run's stages and their weights in its progress bar (core::ProgressModel), whose
// fraction the ETA extrapolates. The two encoder stages share their weight by what a frame costs in
// each: the forward pass's floating-point operations for the models' own configurations and the
// tokens a chunk makes (Kaplan et al. 2020, "Scaling laws for neural language models", §2.1: 2 per
// weight and token, plus 4·T·d per token and layer for attention over T tokens; a gated feed-forward,
// DNABERT-2's, has three d×I products instead of two). Fixed weights (0.30 / 0.56) gave an ETA of
// 7:10 where 3:00 was left with the demo's encoders, and would err the other way with the published
// ones, whose ESM-2 3B costs about thirty-six times DNABERT-S per frame.

#include "jobs/progress_model.h"
#include "pipeline/predict_settings.h"
#include "util/expected.h"

#include <QList>

#include <optional>

namespace bioforge::viral {

struct EncoderCosts {
    double dnabertPerFrame = 0; // FLOPs of one frame's forward pass
    double esmPerFrame = 0;
    double dnabertTokens = 0;   // tokens of a chunk (DNABERT-S's BPE of a synthetic chunk, specials included)
    double esmTokens = 0;       // residues of a chunk's translation, plus ESM-2's <cls> and <eos>
};

// One frame's forward FLOPs through `layers` layers of width `hidden` over `tokens` tokens: per
// token and layer 2·(4·d² + 2·d·I) for the projections (3·d·I with a gated feed-forward) and 4·T·d
// for attention's two T×d products.
double encoderForwardFlops(int64_t layers, int64_t hidden, int64_t intermediate, double tokens, bool gatedFeedForward);

// Per frame, from the models' config.json and DNABERT-S's tokenizer.json (errors name the file).
core::Expected<EncoderCosts> encoderCosts(const PredictSettings& settings);

// The stages with their weights: the encoders' 0.86 shared by `costs` (each at least 0.02 of the
// whole); without costs, 0.30 and 0.56.
QList<core::StageSpec> predictStages(const std::optional<EncoderCosts>& costs);

} // namespace bioforge::viral
