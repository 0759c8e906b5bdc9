#pragma once

// The demo of the age plugin: the shipped NHANES subsets (resources/age/demo,
// real public-domain data) copied to the user's data folder, and an
// `evaluate` run: PhenoAge, KDM (blood markers) and re-trained PhenoAge
// trained on NHANES III, compared against mortality on NHANES IV.

#include "plugin/iplugin.h"

namespace bioforge::age {

core::DemoRun ageDemoRun(const QString& dataDir);

} // namespace bioforge::age
