#include "compute/thread_budget.h"

#include <QThread>

#include <algorithm>

namespace bioforge::core {

namespace {

int hardwareThreads() { return std::max(1, QThread::idealThreadCount()); }

int slurmCpusPerTask() { return qEnvironmentVariableIntValue("SLURM_CPUS_PER_TASK"); }

} // namespace

int availableCpuThreads()
{
    const int slurm = slurmCpusPerTask();
    return slurm > 0 ? std::min(slurm, hardwareThreads()) : hardwareThreads();
}

int usableThreads(int asked, QString* note)
{
    const int available = availableCpuThreads();
    if (note)
        note->clear();
    if (asked <= 0) // every core (it was one: `--threads 0`, documented as all cores, ran on one)
        return available;
    if (asked <= available)
        return asked;
    if (note)
        *note = slurmCpusPerTask() > 0 && available < hardwareThreads()
                    ? QStringLiteral("%1 threads asked for, this Slurm task was given %2 (--cpus-per-task): using %3")
                          .arg(QString::number(asked), available == 1 ? QStringLiteral("1 CPU") : QStringLiteral("%1 CPUs").arg(available), QString::number(available))
                    : QStringLiteral("%1 threads asked for, this machine has %2 hardware threads: using %2 (more would only wait for each other)")
                          .arg(QString::number(asked), QString::number(available));
    return available;
}

} // namespace bioforge::core
