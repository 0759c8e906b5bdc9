#pragma once

// Writes a VirNucPro-shaped classifier (safetensors + JSON) with seeded
// random weights: for tests, the demo and benchmarks. Its calls mean nothing;
// the JSON says so in "note".

#include "util/expected.h"

#include <QString>

#include <cstdint>

namespace bioforge::viral {

core::Status writeRandomClassifier(const QString& safetensorsPath, int64_t inputDim, int64_t hiddenDim, uint64_t seed);

} // namespace bioforge::viral
