#pragma once

// The report of an annotate run, read from its files: the resolution of
// every input that did not resolve, per source what was found and from
// which release, the constraint distribution and kidney expression against
// constraint, the genes' main columns and what each gene lacks.

#include "report/report_content.h"
#include "util/expected.h"

namespace bioforge::annotation {

core::Expected<core::ReportContent> annotationReport(const QString& runDir, const QString& title);

} // namespace bioforge::annotation
