#pragma once

// The files of an annotate run, streamed gene by gene from the run store
// (memory does not grow with the list), each saved atomically:
//   resolution.tsv   every input: line, input, status, via, gene key, symbol, candidates, reason
//   annotations.tsv  one row per gene: key, symbol, then per source its status and summary columns ("gnomad.loeuf")
//   annotations.json [{key, symbol, gene, sources: {id: {status, joined_on, symbol_fallback, value, releases, fetched_at, error}}}]
//   coverage.tsv     every (gene, source) without a value, and why
//   summary.json     counts by resolution status; per source found/absent/failed/symbol fallbacks and its releases
// A source with failed values is warned of (count, first reason); when every value failed the
// files are written and the run fails (JobFailure): nothing was annotated, a resume asks again.

#include "identity/gene_resolver.h"
#include "pipeline/run_store.h"

namespace bioforge::core {
class JobContext;
}

namespace bioforge::annotation {

void writeAnnotationOutputs(core::JobContext& ctx, const RunStore& store, const GeneResolver& resolver, const QList<Resolution>& resolutions,
                            const QList<std::shared_ptr<const AnnotationSource>>& sources, const QStringList& skippedSources,
                            const QJsonObject& online = {});

// A value's field as a table cell: numbers in their shortest exact form, lists joined with ',', booleans true/false.
QString cellText(const QJsonValue& v);

} // namespace bioforge::annotation
