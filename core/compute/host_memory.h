#pragma once

// How much of this machine's memory a new allocation can still take, for
// refusing a buffer up front with its size instead of meeting it as an
// allocation failure or, worse, the kernel's out-of-memory killer (Linux
// overcommits: a zero-filled vector that does not fit is killed while it is
// being filled, not refused).

#include <QtGlobal>

#include <optional>

namespace bioforge::core {

// Bytes of memory available to a new allocation without swapping: Linux's
// MemAvailable (/proc/meminfo, kernel ≥ 3.14; page cache that can be dropped
// counts as available), else free physical pages (sysconf _SC_AVPHYS_PAGES).
// nullopt when neither can be read.
std::optional<qint64> availableMemoryBytes();

// `bytes` for a person: "512 B", "3.4 MiB", "17.0 GiB" (binary units).
QString memorySizeText(qint64 bytes);

} // namespace bioforge::core
