#pragma once

// What every benchmark program shares: its scratch folder, its options and
// the process's memory figures from /proc/self/status.

#include "compute/blas_core.h"
#include "compute/thread_waits.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

#include <cstdio>

#include <unistd.h>

namespace bioforge::bench {

// The benchmarks link LibTorch, and so OpenBLAS, directly: it is loaded before main(), too early
// for the kernel choice the product makes before it loads its plugins (compute/blas_core.h). So a
// benchmark runs itself again, once, with the environment the product gives its plugins, and
// measures what the product runs. Call first in main(); says which BLAS kernels run on stderr.
inline void runWithProductBlasKernels(char** argv)
{
    core::chooseAtenCpuCapability(); // read at LibTorch's first operation: no rerun needed for it
    const bool waitsSet = core::threadWaitsBounded();
    core::chooseThreadWaits(); // read by OpenBLAS and libgomp when they load: a rerun if they were not set
    const core::BlasCoreChoice choice = core::chooseOpenBlasCore();
    const QString loaded = core::loadedOpenBlasCore();
    const bool otherKernels = !choice.setByUser && !choice.core.isEmpty() && !loaded.isEmpty() && loaded.compare(choice.core, Qt::CaseInsensitive) != 0;
    if ((otherKernels || !waitsSet) && !qEnvironmentVariableIsSet("BIOFORGE_BENCH_RERUN")) {
        qputenv("BIOFORGE_BENCH_RERUN", "1");
        execv("/proc/self/exe", argv); // returns only on failure: go on with the kernels loaded
    }
    const QString blas = core::describeLoadedBlas();
    std::fprintf(stderr, "BLAS: %s\n", blas.isEmpty() ? "no OpenBLAS in this process" : qPrintable(blas));
    std::fprintf(stderr, "idle compute threads: %s\n", qPrintable(core::describeThreadWaits()));
}

// $BIOFORGE_BENCH_DIR, else /tmp/bioforge-bench: synthesized inputs are kept there between runs.
inline QString benchDir()
{
    const QByteArray env = qgetenv("BIOFORGE_BENCH_DIR");
    return env.isEmpty() ? QStringLiteral("/tmp/bioforge-bench") : QString::fromLocal8Bit(env);
}

// "--name N" among the arguments, else `fallback`.
inline long option(const QStringList& args, const QString& name, long fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toLong() : fallback;
}

inline QString textOption(const QStringList& args, const QString& name, const QString& fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
}

// A field of /proc/self/status in KiB ("VmHWM:" is the peak resident set), or -1.
inline long statusKiB(const char* field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').first().toLong();
    return -1;
}

inline long peakRssKiB() { return statusKiB("VmHWM:"); }

} // namespace bioforge::bench
