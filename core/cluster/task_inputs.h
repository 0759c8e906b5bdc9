#pragma once

// The inputs a cluster run's tasks recorded (each task's provenance.json), checked to agree before
// their parts are merged into one result.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QList>

namespace bioforge::core {

// `inputsByTask[i]`: the inputs task i recorded. Fails when two tasks read one input file (the same
// path) at different contents — edited while the cluster ran, or between a run and its resume:
// their parts do not belong to one result. The error names the file, both tasks (from 1) and the
// first 12 digits of each SHA-256. Inputs without a path (pasted data) are not compared.
Status checkTaskInputsAgree(const QList<QList<FileRef>>& inputsByTask);

} // namespace bioforge::core
