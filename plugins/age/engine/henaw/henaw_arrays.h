#pragma once

// HENAW network arrays in safetensors files (F32), for trained models and
// training checkpoints.

#include "henaw/henaw_network.h"
#include "io/safetensors_reader.h"
#include "io/safetensors_writer.h"
#include "util/expected.h"

#include <QString>

#include <vector>

namespace bioforge::age {

core::Status addArrays(core::SafetensorsWriter& writer, const std::vector<NamedArray>& arrays, const QString& prefix = QString());
// Every tensor whose name starts with `prefix`, the prefix removed.
core::Expected<std::vector<NamedArray>> readArrays(const core::SafetensorsReader& reader, const QString& prefix = QString());

} // namespace bioforge::age
