#pragma once

// The common part of the `clocks` and `evaluate` runs: read the table (and
// the reference cohorts) with the mapping, apply the missing-value policy,
// train what must be trained, and compute every clock for every row. Progress
// and stops go through the job context; bad values become warnings.

#include "clocks/clock_values.h"
#include "pipeline/clock_settings.h"
#include "table/cohort_reader.h"

#include <QList>
#include <QMap>

#include <optional>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::age {

struct ClockRun {
    ColumnMapping mapping;
    Cohort cohort;
    CohortReadReport report;
    QMap<QString, qint64> imputed;
    QList<ClockValues> clocks;                // phenoage, then those with a reference
    std::optional<KdmModel> kdm;
    std::optional<RetrainedPhenoAgeFit> phenoAge;
    std::optional<HdValues> hd;

    const ClockValues* clock(const QString& name) const;
};

// Stages: "read", "train", "compute". Throws core::JobFailure on unusable input.
ClockRun runClocks(core::JobContext& ctx, const ClockSettings& settings);

// Reads a table for a run: the file goes into the provenance as `role`, a
// cancel stops a long read, and the first problems become warnings.
Cohort readRunTable(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, CohortReadReport* report, const QString& role);

} // namespace bioforge::age
