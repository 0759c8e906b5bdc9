#pragma once

// A run's state in words for a sentence (run_record.h holds the state's name).

#include "provenance/run_record.h"

namespace bioforge::core {

// "which failed", "which finished", "which was cancelled", "which is paused" (…): the state in a
// clause after a run's id ("resumed as run X, which failed").
QString whichRunState(RunState state);

} // namespace bioforge::core
