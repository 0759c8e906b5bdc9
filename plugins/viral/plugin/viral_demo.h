#pragma once

// The demo of the viral plugin: synthetic contigs and TEST models made on the
// spot (no download, no test fixtures): tiny random-weight DNABERT-S and ESM-2
// encoders at the real layouts (engine/model/encoder_templates.h) and a
// seeded random classifier. The calls mean nothing; the run says so.

#include "plugin/iplugin.h"

#include <QString>

namespace bioforge::viral {

// Writes the demo FASTA and the test models under `dataDir` (once), registers
// the models in `registry` (when given) as test models — so the Viral page
// offers them afterwards, labelled — and returns the run; when they cannot be
// written, a run whose `unavailable` says why.
core::DemoRun viralDemoRun(const QString& dataDir, core::ModelRegistry* registry = nullptr);

} // namespace bioforge::viral
