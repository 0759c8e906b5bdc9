#pragma once

// The files a clock run leaves in its folder, written atomically:
//  - clocks.csv: the input's id column (named as in the table), then
//    phenoage, phenoage_advance, kdm, kdm_advance, and, when their reference
//    was given, phenoage_retrained(_advance), hd, hd_log; one row per input
//    row in input order; empty where a clock has no value;
//  - clock_notes.tsv: for each empty value, the row and the reason;
//  - validation.tsv: every problem the table had, by line and column;
//  - summary.json: counts, the settings, trained parameters.

#include "pipeline/clock_run.h"

#include <QJsonObject>
#include <QStringList>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::age {

// The files written, relative to the run folder.
struct ExtraColumn {
    QString name;
    std::vector<double> values; // per cohort row
};
QStringList writeClockOutputs(core::JobContext& ctx, const ClockRun& run, const ClockSettings& settings, const QJsonObject& extraSummary = {},
                              const std::vector<ExtraColumn>& extraColumns = {});

// "" for NaN, else the shortest text that reads back to the same double.
QString numberText(double v);

} // namespace bioforge::age
