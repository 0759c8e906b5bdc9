#pragma once

// The demo of the viral plugin: synthetic contigs and the TEST models — the
// tiny random-weight DNABERT-S and ESM-2 of ../shared/fixtures/viral and a
// seeded random classifier. The calls mean nothing; the run says so.

#include "plugin/iplugin.h"

#include <QString>

namespace bioforge::viral {

// The fixture folder (BIOFORGE_FIXTURES_DIR, else the one this build was configured with), or empty.
QString viralFixturesDir();
// Writes the demo FASTA and classifier under `dataDir` (once) and returns the run, or nullopt without fixtures.
std::optional<core::DemoRun> viralDemoRun(const QString& dataDir);

} // namespace bioforge::viral
