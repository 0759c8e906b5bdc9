#pragma once

// What every benchmark program shares: its scratch folder, its options and
// the process's memory figures from /proc/self/status.

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

namespace bioforge::bench {

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
