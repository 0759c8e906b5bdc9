#pragma once

// The age plugin's verbs and their parameters (the contract scripts rely on:
// docs/age.md).

#include "plugin/parameter_spec.h"

namespace bioforge::age {

core::VerbSpec clocksVerb();
core::VerbSpec evaluateVerb();
core::VerbSpec trainVerb();
core::VerbSpec predictVerb();

} // namespace bioforge::age
