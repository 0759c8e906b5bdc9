#pragma once

// The report of a HENAW `train` or `predict` run, from its files: the test
// split's figures (age error, correlation, C-index of the mortality head
// and of the acceleration), the calibration of the uncertainty (observed
// against nominal coverage), the training curves of every member, the
// adaptive weight of every biomarker by system; for `predict`, biological
// against chronological age and the spread of the SDs.

#include "report/report_content.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace bioforge::age {

core::Expected<core::ReportContent> henawTrainReport(const QString& runDir, const QString& title);
core::Expected<core::ReportContent> henawPredictReport(const QString& runDir, const QString& title);
// One sentence on what HENAW's encoder set to the training mean, from summary.json's
// "henaw_imputed" object ({rows, values, by_marker}); empty for runs written before it.
QString henawImputedText(const QJsonObject& imputed);

} // namespace bioforge::age
