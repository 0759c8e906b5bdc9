#pragma once

// Where a HENAW model is given (`age predict --model`, `age clocks --henaw`): its
// folder, as a train run writes it (henaw-model/), holding model.json and the
// files model.json names with their SHA-256 (henaw_model.h). Read before a run
// is recorded, so a path a user copied wrongly is refused at once (exit 6).

#include "util/expected.h"

#include <QString>
#include <QStringList>

namespace bioforge::age {

/// The folder a model path stands for: the path itself, or — for the model.json a train run
/// prints among its outputs — the folder holding it. Empty stays empty.
QString henawModelFolder(const QString& given);

/// Whether `folder` (after henawModelFolder) holds a whole model: an error (Kind::NotFound)
/// naming `option` when it is not there, is a file, holds no model.json, or lacks a file its
/// model.json names (a partial copy); Kind::Invalid when model.json is not a HENAW model's. The
/// files' checksums are checked when the model loads. `what` prefixes the message ("age predict").
core::Status checkHenawModelFolder(const QString& what, const QString& option, const QString& folder);

/// The markers a trained model reads (HenawConfig::markers, from `folder`/config.json), for the
/// checks made before a run (which columns' units and gaps matter); empty when config.json does
/// not read — the model itself is checked, with a clear error, as it loads.
QStringList henawModelMarkers(const QString& folder);

} // namespace bioforge::age
