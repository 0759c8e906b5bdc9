#pragma once

// A run's input files pinned by SHA-256 when it first starts, and checked when it is resumed.
// A run continued on an input that changed since would mix what its checkpoints computed from
// the old content with what it computes from the new, and its provenance would give the new
// content's checksum for all of it (a new-user trial found exactly that: a resumed viral run kept
// an edited contig's old scores under the edited file's SHA-256).

#include <QStringList>

namespace bioforge::core {

class JobContext;

// The checkpoint key the pins are kept under (state: {"files": [{path, sha256, bytes}]}).
inline constexpr const char* kInputPinsKey = "inputs/sha256";

// Hashes every file in `files` (absolute paths, as a run records them) on the calling thread —
// the run's worker, before the job runs. On a run's first start (no pins among its checkpoints,
// or pins that fail verification) saves them; on a resume compares: a file whose SHA-256 differs,
// or that is gone, throws JobFailure naming the file and both checksums. Either way the digests
// are handed to the run's provenance, so its inputs are not hashed a second time.
void pinInputs(JobContext& ctx, const QStringList& files);

} // namespace bioforge::core
