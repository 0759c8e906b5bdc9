#pragma once

// Which people and markers a HENAW run uses, and what it checks of them:
// the configuration file, the markers to train on, HENAW's rule for usable
// rows, the refusals that keep it from making up values (a marker column
// with no value, a cohort of one age), whether a table is the model's own
// training table, and the check of a prediction against chronological age
// and mortality. Every refusal throws core::JobFailure naming the table.

#include "henaw/henaw_config.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::age {

class HenawModel;
struct Cohort;
struct ColumnMapping;
struct HenawPrediction;

// A HENAW configuration file (`train --config FILE`): a JSON object whose keys are those of
// HenawConfig::toJson (henaw_config.h), each overriding the default. A key the format does not
// have (a misspelt "epoch", "learningrate") is refused naming it and the keys taken — it was
// ignored, and the run trained with the default. The values are checked (types, ranges) when the
// run builds its configuration. Errors name the file.
core::Expected<QJsonObject> readHenawConfigFile(const QString& path);

// The defaults for `markers`, then the file's keys, then the command line's `overrides`
// (epochs, ensemble, batch_size, seed); checked by HenawConfig::fromJson.
HenawConfig configureHenaw(const QStringList& markers, const QString& configFile, const QJsonObject& overrides);
// The same, before a run is recorded and its table read: every key, type and range the file and the
// command line set (a "dropout" of 1.5 was a failed run). The markers are the file's, or the
// schema's when it names none (the table's are not known yet). Error (Kind::Invalid) naming the key.
core::Status checkHenawConfiguration(const QString& configFile, const QJsonObject& overrides);

// The markers to train on: `given` (each must be a column of the table), else every mapped one
// the table has for at least `minimumCoverage` of its rows (two at least).
QStringList chooseHenawMarkers(const Cohort& c, const QStringList& given, double minimumCoverage);

// The rows HenawModel::predictable accepts for `markers`, in table order.
std::vector<qsizetype> henawUsableRows(const Cohort& c, const QStringList& markers);

// A marker the model reads whose column is there but empty in every row (a cohort that did not
// measure it, exported with the sheet's whole header) is as absent as a missing column: each
// person's value would be the training mean, silently. Refused, naming the markers and columns.
void requireMeasuredMarkers(const Cohort& c, const HenawModel& model, const ColumnMapping& mapping);

// The age head learns the spread of chronological age: training rows whose ages span less than
// kMinimumAgeSpanYears (a single-age birth cohort, or a mapping that names the wrong column)
// are refused; an SD below kNarrowAgeSdYears is warned of (the age error then says little).
void requireAgeSpread(core::JobContext& ctx, const Cohort& c, const std::vector<qsizetype>& rows, const QString& table);
inline constexpr double kMinimumAgeSpanYears = 1.0;
inline constexpr double kNarrowAgeSdYears = 5.0;

// Whether the table at `path` (recorded in the run's provenance, so hashed once) is the table
// `model` was trained on (model.json's SHA-256 of it); if so, warns that the figures on it are
// in-sample. False for models that kept no SHA-256.
bool warnIfTrainingTable(core::JobContext& ctx, const HenawModel& model, const QString& path);
// The SHA-256 the run's provenance recorded for the input file at `path` (empty if none).
QString recordedInputSha256(const core::JobContext& ctx, const QString& path);

// Age error (with the SD of chronological age beside it), mortality discrimination (Harrell's
// C-index of the head, and of the acceleration: the residual of HENAW on chronological age) and
// interval coverage of a prediction of `rows` (those with a chronological age and a value).
QJsonObject checkPrediction(const Cohort& c, const std::vector<qsizetype>& rows, const HenawPrediction& p);

// What the encoder filled in a prediction (HenawPrediction::imputedByMarker): {"rows": the people
// with a value and at least one marker set to the training mean, "values": the values so set,
// "by_marker": {marker: values}} (summary.json's "henaw_imputed" of predict and evaluate, docs/age.md).
QJsonObject henawImputedJson(const HenawPrediction& p);
// The same counts summed over the summaries of a cluster run's shards.
QJsonObject sumHenawImputed(const QList<QJsonObject>& parts);

} // namespace bioforge::age
