#pragma once

// A gene list's entries resolved to genes (the first stage of an annotate run), and what the run
// says of the entries that are not genes, were renamed or repeat (resolution.tsv holds every
// entry's reason in full: annotation_outputs.h).

#include "identity/gene_list.h"
#include "identity/gene_resolver.h"

#include <QList>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::annotation {

/// One Resolution per entry, in the list's order (stage "resolve", one unit per entry). An entry the
/// list reader refused is Unknown with its problem; an input repeated (case-insensitively), or a
/// second name of a gene already listed, is a Duplicate naming the first line. Throws
/// core::JobFailure when the resolver's library cannot be read.
QList<Resolution> resolveGeneList(core::JobContext& ctx, const GeneResolver& resolver, const QList<GeneListEntry>& entries);

/// Warnings (JobContext::warn) for the entries that are not genes (unknown, ambiguous, withdrawn):
/// one line each in the list's order while a status has at most 8, else one line for that status
/// with the first few; then one line for the names annotated under their approved symbols (a
/// previous symbol or an alias) and one for the entries that repeat a gene listed before.
void warnOfGeneListResolutions(core::JobContext& ctx, const QList<Resolution>& resolutions);

} // namespace bioforge::annotation
