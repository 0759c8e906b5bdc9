#pragma once

// A run's input files pinned by SHA-256 when it first starts, and checked when it is resumed.
// A run continued on an input that changed since would mix what its checkpoints computed from
// the old content with what it computes from the new, and its provenance would give the new
// content's checksum for all of it (a new-user trial found exactly that: a resumed viral run kept
// an edited contig's old scores under the edited file's SHA-256).

#include "provenance/run_record.h"

#include <QHash>
#include <QList>
#include <QStringList>

namespace bioforge::core {

class JobContext;

// The checkpoint key the pins are kept under (state: {"files": [{path, sha256, bytes}]}).
inline constexpr const char* kInputPinsKey = "inputs/sha256";

// Hashes every file in `files` (the paths the run recorded: absolute for runs recorded since
// 2026-12-02) on the calling thread — the run's worker, before the job runs — in pieces, polling
// the run's stop flag: returns false when a pause or cancel came first (nothing saved; the job is
// not to run). Without pins among the run's checkpoints, saves them; with pins, compares, and a
// file whose SHA-256 differs or that is gone throws JobFailure naming the file and both
// checksums. A `resuming` run (one that continues another) without valid pins but with other
// checkpoints (it began before pins existed, or its pins were damaged) cannot be checked: it is
// pinned as it is now and the run's warnings say so — unless `recorded` (absolute path -> SHA-256,
// the inputs the run it continues recorded) holds them: its pins damaged or deleted, or its whole
// checkpoint folder gone, a resumed run is checked against those, and a changed file fails as
// above (a trial resumed a paused 20,000-gene run on a 2-gene file without a word). The digests go
// to the run's provenance, so its inputs are not hashed a second time. `movedFrom` (path now ->
// path the run began with; input_relocation.h) names inputs that moved: each is checked against
// its old path's pin, the pins are saved again under the paths now, and a warning says each move.
// `newlyPinned`, when given, receives the files pinned here where the run had no pins (its first
// start): the run's record keeps them from then on, so that a resume of a run killed before it
// recorded its inputs has them to check against (trial 24 T24-2).
bool pinInputs(JobContext& ctx, const QStringList& files, bool resuming, const QHash<QString, QString>& recorded = {},
               const QHash<QString, QString>& movedFrom = {}, QList<FileRef>* newlyPinned = nullptr);

} // namespace bioforge::core
