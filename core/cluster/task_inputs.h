#pragma once

// The inputs and models a cluster run's tasks recorded (each task's provenance.json), checked to
// agree before their parts are merged into one result; a shard plan's inputs checked unchanged.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace bioforge::core {

class ProvenanceRecorder;

// `inputsByTask[i]`: the inputs task i recorded. Fails when two tasks read one input file (the same
// path) at different contents — edited while the cluster ran, or between a run and its resume:
// their parts do not belong to one result. The error names the file, both tasks (from 1) and the
// first 12 digits of each SHA-256. Inputs without a path (pasted data) are not compared.
Status checkTaskInputsAgree(const QList<QList<FileRef>>& inputsByTask);
// `modelsByTask[i]`: the models task i recorded. Fails, as checkTaskInputsAgree does, when two tasks
// recorded one model (the same name) with different checksums: a model re-imported or edited in place
// while the tasks ran. Models without a name are not compared.
Status checkTaskModelsAgree(const QList<QList<ModelRef>>& modelsByTask);

// What a shard plan records of an input file, so that each task can tell the file is still the one
// the plan was cut from: {"path": absolute path, "size": bytes, "sha256": hex of its bytes (empty
// when it cannot be read)}. Reads the whole file, unless `known` (a task's run, which pinned its
// inputs as it started) knows its SHA-256 for the size and time it has (S12: read once per task).
QJsonObject plannedInput(const QString& path, const ProvenanceRecorder* known = nullptr);

// The plan's inputs (plannedInput objects, `planned`) against the same files now (`now`): an error
// naming the file and the first 12 digits of both SHA-256s when one changed since the plan was made
// (edited while the run waited in the queue: the shards, and a model file's results, are of its
// earlier content), else ok. Files the two lists do not share are not compared here (the plan is
// then for other inputs).
Status checkInputsUnchangedSincePlan(const QJsonArray& planned, const QJsonArray& now, const QString& planFile);

// A plan's "made_from" without what is compared on its own (the inputs' checksums, the models):
// what is left — input paths and sizes, the cutting settings — must equal the run's now. A plan of
// an earlier version, which recorded neither, compares the same way.
QJsonObject planLayout(QJsonObject madeFrom);

// The inputs a shard plan file records ("made_from": {"inputs": [plannedInput …]}) read again and
// compared (checkInputsUnchangedSincePlan): a resume checks them before it submits anything, so that
// no task computes from a file changed or gone since (its results could never join the others').
// Reads every input; inputs a plan of an earlier version recorded without a checksum are not compared.
Status checkPlannedInputsUnchanged(const QString& planFile);

} // namespace bioforge::core
