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

#include <memory>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::age {

// The files written, relative to the run folder.
struct ExtraColumn {
    QString name;
    std::vector<double> values; // per cohort row
};

// The same files written chunk by chunk (a table streamed through), then finished.
class ClockTableWriter {
public:
    ClockTableWriter(core::JobContext& ctx, const ClockSettings& settings, const ColumnMapping& mapping, const ClockReferences& references,
                     QStringList extraColumns = {});
    ~ClockTableWriter();
    void write(const Cohort& chunk, const QList<ClockValues>& clocks, const HdValues* hd, const std::vector<ExtraColumn>& extra = {});
    // validation.tsv and summary.json; commits every file. Returns the files written. Each key of
    // `extraSummary` is added to summary.json, but for "clocks", whose entries (a clock computed
    // outside this writer, as HENAW) join the published clocks' ones.
    QStringList finish(const CohortReadReport& report, const QMap<QString, qint64>& imputed, const QJsonObject& extraSummary = {});

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

QStringList writeClockOutputs(core::JobContext& ctx, const ClockRun& run, const ClockSettings& settings, const QJsonObject& extraSummary = {},
                              const std::vector<ExtraColumn>& extraColumns = {});

// "" for NaN, else the shortest text that reads back to the same double.
QString numberText(double v);

} // namespace bioforge::age
