#pragma once

// The parameters of the viral plugin's runs, declared once for the CLI, the
// page and validation.

#include "plugin/parameter_spec.h"

namespace bioforge::viral {

core::VerbSpec predictVerb();
core::VerbSpec validateVerb();

} // namespace bioforge::viral
