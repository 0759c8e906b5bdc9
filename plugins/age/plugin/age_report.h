#pragma once

// The report of an age run, from its files: what was computed and why rows
// lack a clock, the settings that decide the values, biological against
// chronological age and the acceleration's distribution; for `evaluate`, the
// side-by-side comparison (C-index, hazard ratio, correlation with age, all
// with intervals) and Kaplan-Meier curves by quartile of acceleration.

#include "report/report_content.h"
#include "util/expected.h"

#include <QString>

namespace bioforge::age {

core::Expected<core::ReportContent> ageReport(const QString& runDir, const QString& verb, const QString& title);

} // namespace bioforge::age
