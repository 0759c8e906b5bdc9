#pragma once

// `age predict` as a cluster run (core/cluster): the table's usable rows are
// cut into shards of whole prediction chunks (HenawNetwork::kPredictChunkRows
// rows, counted from the first row), balanced by rows, so every shard runs
// the network on exactly the chunks a whole-table run does and writes the
// same bits. The merge concatenates henaw.csv in shard order and rebuilds
// summary.json: rows summed, the table's validation (the same in every
// shard: each reads the whole table), and the check (age error, C-index,
// interval coverage) recomputed over all rows from the merged predictions
// (written shortest round-trip, so read back exactly).

#include "pipeline/henaw_jobs.h"
#include "plugin/iplugin.h"
#include "util/expected.h"

#include <QJsonObject>

#include <utility>
#include <vector>

namespace bioforge::core {
class ProvenanceRecorder;
}

namespace bioforge::age {

struct HenawShardPlan {
    QJsonObject madeFrom;                             // inputs (the table, the model's model.json: core::plannedInput), column mapping, chunk rows
    qint64 rows = 0;                                  // usable rows of the table
    std::vector<std::pair<qint64, qint64>> shards;    // [first, end) rows

    QJsonObject toJson() const;
    static core::Expected<HenawShardPlan> fromJson(const QJsonObject& json, const QString& source);
};

// Reads the table once (no model runs); the checksums of the table and model.json too, unless
// `known` knows them (core::plannedInput).
core::Expected<HenawShardPlan> planHenawShards(const HenawRunSettings& settings, int shards, const core::ProvenanceRecorder* known = nullptr);
// Rows [first, end) of this run's shard, from settings.shardPlan (or planned here), checked against the table's row count.
// The plan's inputs (table, model.json) are compared with the files now: `known` (the run's recorder)
// gives the digests the run computed already, so that they are not read again.
core::Expected<std::pair<qsizetype, qsizetype>> henawShardRows(const HenawRunSettings& settings, qsizetype tableRows,
                                                                const core::ProvenanceRecorder* known = nullptr);
// Merges the shard runs' henaw.csv and summary.json into `outputDir`.
core::Expected<QList<core::MergedOutput>> mergeHenawPredictions(const HenawRunSettings& settings, const QStringList& shardOutputDirs,
                                                                const QString& outputDir);
// "N of M rows have no chronological age, no sex, or fewer than half of the model's K markers
// measured: …": a predict run's warning (a shard's counts its own rows). Empty when `unpredictable` is 0.
QString unpredictableRowsWarning(qint64 unpredictable, qint64 rows, qint64 markers);
// The cluster run's warnings from its shards' (`byShard`, in shard order): each once, and the shards'
// unpredictable-rows warnings replaced by the whole table's from the merged summary.json in `mergedDir`.
QStringList mergeHenawWarnings(const QList<QStringList>& byShard, const QString& mergedDir);

} // namespace bioforge::age
