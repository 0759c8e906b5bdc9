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

// `bytes` for a person: "512 B", "3.4 MiB", "17.0 GiB" (binary units).
QString memorySizeText(qint64 bytes);

} // namespace bioforge::core
