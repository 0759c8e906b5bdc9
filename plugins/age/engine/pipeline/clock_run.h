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

// What the clocks are trained on (each from its reference cohort, when given).
struct ClockReferences {
    std::optional<KdmModel> kdm;
    std::optional<RetrainedPhenoAgeFit> phenoAge;
    std::optional<HdModel> hd;
};
// Stage "train": reads each reference table and trains its clock.
ClockReferences trainReferences(core::JobContext& ctx, const ClockSettings& settings, const ColumnMapping& mapping);
// PhenoAge, then KDM and re-trained PhenoAge when trained, for every row of `cohort` (a whole table or a chunk).
QList<ClockValues> computeClocks(const Cohort& cohort, const ClockSettings& settings, const ClockReferences& references);

struct ClockRun {
    ColumnMapping mapping;
    Cohort cohort;
    CohortReadReport report;
    QMap<QString, qint64> imputed;
    // The cohort as read, before `--missing impute` filled it, where HENAW runs beside the clocks:
    // HENAW fills a missing marker with its own training mean, never with the clocks' medians.
    std::optional<Cohort> measured;
    ClockReferences references;
    QList<ClockValues> clocks;                // phenoage, then those with a reference
    std::optional<HdValues> hd;

    const ClockValues* clock(const QString& name) const;
};

// The whole table in memory: stages "read", "train", "compute". Throws
// core::JobFailure on unusable input.
ClockRun runClocks(core::JobContext& ctx, const ClockSettings& settings);

// Reads a table for a run: the file goes into the provenance as `role`, a
// cancel stops a long read, and the first problems become warnings. `used`: the
// markers the run reads from this table (a mapped column it lacks is warned of
// only when one of them is there; empty: every marker); `absentMeans`, what such a
// column's absence means for the run (default: the clocks that need it are empty).
Cohort readRunTable(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, CohortReadReport* report, const QString& role,
                    const QStringList& used = {}, const QString& absentMeans = {});
// The markers the clocks of a clocks or evaluate run read from its table (PhenoAge's, KDM's set
// when a KDM reference is given, HD's when an HD reference is, a trained HENAW model's from its
// config.json); empty (every marker) when HENAW is trained in the run, on what the table has.
QStringList clockMarkers(const ClockSettings& settings);
// The column mapping a run reads its tables with (a file, or a shipped mapping's name), recorded
// in the run's provenance as the mapping it parsed (its columns, units and codes: the SHA-256 of
// its JSON), so that two runs with other units never share one record. Throws JobFailure.
ColumnMapping loadRunMapping(core::JobContext& ctx, const QString& fileOrName);
// Warnings for what the table lacks or holds badly: the mapped marker columns it has not (one
// line naming each column and its marker), then the first 200 problems of validation.tsv.
void warnTableIssues(core::JobContext& ctx, const QString& path, const ColumnMapping& mapping, const CohortReadReport& report,
                     const QStringList& used = {}, const QString& absentMeans = {});
// A marker column of `used` (empty: every marker) most of whose rows lie outside the plausible
// range (CohortReadReport::columnWide, on the rows read so far) is read in a unit it is not in: the
// run stops before another value is computed with it (a streamed run asks before each chunk and at
// the end) — the rows that happen to fall in range would be converted wrongly too
// (a 26-year-old got PhenoAge 128 from glucose 55 mg/dL read as mmol/L: trial 23 T23-2). Throws
// core::JobFailure::needingNewRun naming each such column, what it holds and the fix.
void refuseColumnsInAWrongUnit(const QString& path, const ColumnMapping& mapping, const CohortReadReport& report, const QStringList& used = {});

} // namespace bioforge::age
