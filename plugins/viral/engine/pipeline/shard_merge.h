#pragma once

// The merge of a cluster run's `viral predict` shards (shard_plan.h): each
// shard's tables are a contiguous slice of the single-machine tables, so
// prediction_results.txt, frames.tsv, chunks.tsv and contigs.tsv are the
// shards' rows in shard order under the one header (every shard's header
// must be the same), and summary.json sums the counts; its warnings are the
// shards' warnings in input order, each once (a shard reads the input up to
// its end, so a later shard's list extends an earlier one's). The result is
// byte-identical to a single-machine run of the same input and settings.

#include "plugin/iplugin.h"
#include "util/expected.h"

#include <QStringList>

namespace bioforge::viral {

core::Expected<QList<core::MergedOutput>> mergePredictOutputs(const QStringList& shardOutputDirs, const QString& outputDir);
// The cluster run's warnings from its shards' (`byShard`, in shard order) as a single-machine run
// says them: each once, in the order of the run's stages (the input's and the models', each encoder's
// out-of-memory splits, the tokenizer's, the contigs without a call); the tokenizer's listed up to
// kTokenizerWarningsShown with the shards' own "… and N more" added up ("at most": they may repeat);
// the shards' "contigs without a call" (each of its own part) replaced by the whole run's from the
// merged summary.json in `mergedDir` (kUnscoredWarning).
QStringList mergePredictWarnings(const QList<QStringList>& byShard, const QString& mergedDir);

} // namespace bioforge::viral
