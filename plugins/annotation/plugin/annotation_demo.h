#pragma once

#include "plugin/iplugin.h"

namespace bioforge::annotation {

// The demo: the kidney panel annotated from the shipped extracts (real HGNC
// rows; every other value synthesized in its provider's layout, see
// resources/annotation/demo/README.md), in a library of its own
// (<dataDir>/annotation/demo-library.sqlite) so the user's stays clean;
// NCBI Gene from org.Hs.eg.db too when Debian's package is installed.
core::DemoRun annotationDemoRun(const QString& dataDir);

} // namespace bioforge::annotation
