#pragma once

// The report of a viral run, from its result files: the summary and call
// rule, the contigs table (highest scores first), the score histogram and
// score-vs-length scatter, and any warnings.

#include "report/report_content.h"
#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

core::Expected<core::ReportContent> predictReport(const QString& runDir, const QString& title);
core::Expected<core::ReportContent> validateReport(const QString& runDir);

} // namespace bioforge::viral
