#pragma once

// The last step of a cluster run, after its merge job wrote result.json: the
// merged outputs come into the run folder (each verified by its SHA-256), with
// the two batch scripts the run used; the run's provenance takes the shards'
// inputs (once each), the first shard's models and libraries, and the
// warnings of the whole run (IPlugin::mergeShardWarnings).

#include <QJsonObject>
#include <QString>

namespace bioforge::core {

class ClusterWork;
class IPlugin;
class JobContext;

// Runs the job's "merge" stage (one step per merged output) for the run of `plugin`'s `verb`
// planned in `work` with `shards` shards. Returns the merge's result.json. Throws JobFailure when
// result.json cannot be read, an output name is not a plain file name, a copy does not match its
// SHA-256, or two tasks read different contents of one input.
QJsonObject bringClusterResultsHome(JobContext& ctx, IPlugin& plugin, const QString& verb, const ClusterWork& work, int shards);

} // namespace bioforge::core
