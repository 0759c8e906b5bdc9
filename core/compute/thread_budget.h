#pragma once

// How many CPU threads a job may use: what was asked, at most this machine's
// hardware threads (QThread::idealThreadCount), or the CPUs a Slurm task was given. More only wait for each
// other (measured: `viral predict --threads 1000` 43 s against 1.2 s on two
// cores), so a larger request is capped and `note` says so.

#include <QString>

namespace bioforge::core {

// The CPU threads this process may use: the CPUs Slurm gave the task (SLURM_CPUS_PER_TASK, from
// --cpus-per-task; at most the hardware threads) inside a Slurm job, else the hardware threads. What
// a run told "every core" (threads 0) uses.
int availableCpuThreads();

// `asked` capped at availableCpuThreads(); 0 (or less) is every core, availableCpuThreads(), as a
// run's `--threads 0` and the `threads` setting's 0 say. `note`, when given, is set to a sentence
// for the user when it was capped, and cleared otherwise.
int usableThreads(int asked, QString* note);

} // namespace bioforge::core
