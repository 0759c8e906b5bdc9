#pragma once

// Turns what a run names as a model — a name in the model registry or a path
// — into a ModelSource (path, checksum, revision). Registry entries bring
// their recorded checksum; a path is checksummed later by the job (off the
// UI thread). The classifier of a registry entry is its .safetensors file.

#include "pipeline/predict_settings.h"
#include "util/expected.h"

namespace bioforge::core {
class ModelRegistry;
}

namespace bioforge::viral {

enum class ModelRole { Dnabert, Esm, Classifier };

const char* modelKind(ModelRole role); // the registry kind: "dnabert-s", "esm2", "virnucpro-classifier"
const char* optionName(ModelRole role); // the verb's parameter: "dnabert", "esm", "classifier"
// Errors: NotFound for a name neither registered nor a path; Invalid for a registered model of
// another kind, or a path of the wrong type (a file where a folder is needed, or the reverse).
core::Expected<ModelSource> resolveModel(const QString& nameOrPath, ModelRole role, const core::ModelRegistry* registry);

} // namespace bioforge::viral
