#pragma once

// The self-test on a cluster (`bioforge run workbench selftest --cluster
// slurm`): a check of a cluster setup end to end that needs no model and no
// data. Shard i of N generates units [first, end) of the single-machine run;
// the merge concatenates the shards' units.tsv and values.safetensors and
// recomputes summary.json, so the outputs are byte for byte those of the same
// run on one machine.
//
// Plan file (JSON): {"schema": "bioforge-selftest-shards/1", "units": U,
// "shards": [[first, end], ...]} — contiguous ranges covering [0, U).

#include "plugin/iplugin.h"
#include "util/expected.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace bioforge::core {

struct SelfTestShardPlan {
    int units = 0;
    QList<std::pair<int, int>> ranges; // [first, end) per shard

    QJsonObject toJson() const;
    // Errors name `source` and what is wrong (schema, ranges not contiguous from 0 to `units`).
    static Expected<SelfTestShardPlan> fromJson(const QJsonObject& json, const QString& source);
};

// At most `shards` ranges of whole units, sizes differing by at most one; fewer when there are fewer units.
SelfTestShardPlan planSelfTestShards(int units, int shards);

// The units [first, end) a run with these parameters generates: all of them without "shard"; with it,
// the range of shard i in the plan file "shard_plan" (which must be for `units` units and N shards).
Expected<std::pair<int, int>> selfTestUnitRange(const QJsonObject& parameters, int units);

// Concatenates the shards' outputs (in shard order) into `outputDir`: units.tsv, values.safetensors,
// summary.json. Errors name the shard folder and file (missing, unreadable, another header, another
// number of values per unit or seed), or say that the shards hold another number of units than the
// run's `units` (a shard folder of another run).
Expected<QList<MergedOutput>> mergeSelfTestShards(const QStringList& shardOutputDirs, const QString& outputDir, int units);

} // namespace bioforge::core
