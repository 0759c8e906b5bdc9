#pragma once

// Splitting an ordered list of work units into contiguous shards of about
// equal weight, for cluster runs (a shard is one Slurm array task). Units
// keep their order, so shard outputs concatenate to the single-machine
// output; a shard may only end where a unit allows it (e.g. at the end of a
// contig, never inside one).

#include "util/expected.h"

#include <QString>
#include <QtGlobal>

#include <vector>

namespace bioforge::core {

struct ShardUnit {
    qint64 weight = 0;    // e.g. bases of the contigs that start in the unit
    bool cutAfter = true; // a shard may end after this unit
};

struct ShardRange {
    qint64 begin = 0; // first unit
    qint64 end = 0;   // one past the last unit
    qint64 weight = 0;
};

// At most `shards` ranges covering [0, units.size()) in order. Cut j (of
// shards − 1) is the allowed cut whose cumulative weight is nearest to
// j·total/shards, after the previous cut; fewer ranges when fewer cuts are
// allowed. Empty input: no range. `shards` < 1 counts as 1.
std::vector<ShardRange> splitBalanced(const std::vector<ShardUnit>& units, int shards);

// A shard run's "shard" parameter, "i/N" (1 ≤ i ≤ N, as IPlugin::shardParameters writes it): `index`
// is i − 1. Error, naming `verb` ("viral predict") and the text: anything else.
struct ShardSpec {
    int index = 0; // 0-based
    int count = 1;
};
Expected<ShardSpec> parseShardSpec(const QString& text, const QString& verb);

// Largest shard weight over the mean (1 = perfect balance); 0 without shards.
double shardImbalance(const std::vector<ShardRange>& ranges);

} // namespace bioforge::core
