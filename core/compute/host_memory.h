#pragma once

// How much of this machine's memory a new allocation can still take, for
// refusing a buffer up front with its size instead of meeting it as an
// allocation failure or, worse, the kernel's out-of-memory killer (Linux
// overcommits: a zero-filled vector that does not fit is killed while it is
// being filled, not refused).

#include <QString>
#include <QtGlobal>

#include <optional>

namespace bioforge::core {

// Bytes of memory available to a new allocation without swapping: Linux's
// MemAvailable (/proc/meminfo, kernel ≥ 3.14; page cache that can be dropped
// counts as available), else free physical pages (sysconf _SC_AVPHYS_PAGES),
// and no more than the memory cgroups of this process still allow (limit −
// usage on its cgroup path, v2 or v1: a Slurm job's --mem, a container's
// --memory), which MemAvailable does not see. nullopt when nothing can be read.
std::optional<qint64> availableMemoryBytes();

// What the memory cgroups of a process still allow: the smallest limit − usage along its cgroup
// path (a limit can be set on any ancestor), from `cgroupFile` (/proc/<pid>/cgroup) and the
// hierarchy mounted at `root` (v2 there; v1's memory controller at root/memory). nullopt when no
// limit is set (v2 "max", v1's huge default) or nothing can be read.
std::optional<qint64> cgroupMemoryHeadroom(const QString& cgroupFile = QStringLiteral("/proc/self/cgroup"),
                                           const QString& root = QStringLiteral("/sys/fs/cgroup"));

// Linux's MemAvailable (/proc/meminfo), else free physical pages; nullopt when neither can be read.
std::optional<qint64> hostAvailableBytes();

// Bytes of [address, address + length) in physical memory now (mincore(2), whole pages; the
// address is rounded down to its page). nullopt where the call fails (an unmapped range).
std::optional<qint64> residentBytes(const void* address, qint64 length);

// Memory a new allocation can take while a file mapping of `length` bytes, `resident` of them in
// memory, must stay resident too (a model's weights, read on every token). MemAvailable counts
// the resident pages as free (page cache) and the rest still has to come in, so `host` loses the
// whole length; a memory cgroup has charged the resident pages already, so its `headroom` loses
// only the rest. nullopt where neither figure is known. Never below 0.
std::optional<qint64> availableBesideMapping(std::optional<qint64> host, std::optional<qint64> headroom, qint64 length, qint64 resident);
// The same for a mapping of this process, from this machine's figures.
std::optional<qint64> availableBesideMapping(const void* address, qint64 length);

// `bytes` for a person: "512 B", "3.4 MiB", "17.0 GiB" (binary units).
QString memorySizeText(qint64 bytes);

} // namespace bioforge::core
