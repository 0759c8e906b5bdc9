#pragma once

// How long the idle threads of LibTorch's two CPU pools wait before they sleep.
//
// Debian's LibTorch runs float32 products on OpenBLAS's thread pool and everything else on
// OpenMP's (libgomp). An idle OpenBLAS thread spins (sched_yield) for 2^28 cycles (about 0.1 s)
// before it sleeps, an idle libgomp thread for 300,000 spins: with both pools at N threads on N
// cores each takes the others' cores between operations. Measured on an AMD Zen 3 (AVX2),
// 2 cores, 2 interleaved rounds each (docs/performance.md, 2026-12-03): HENAW training (its
// layers narrow, operations many) 3,284–5,236 samples/s as it was, 11,310–12,842 with both waits
// bounded; DNABERT-S and ESM-2 150M batches 5–15 % faster with the waits bounded and both pools at
// N threads than with the split of torch_runtime.cpp (OpenBLAS N, OpenMP 1) that avoided the
// contention before. Either variable alone gained about half.
//
// So the process sets, before any plugin (and so OpenBLAS and libgomp, which read them once when
// they load) is loaded: OPENBLAS_THREAD_TIMEOUT=4 (OpenBLAS's documented range 4–30, a wait of 2^n
// cycles: its threads sleep at once and are woken for the next product) and GOMP_SPINCOUNT=10000
// (libgomp's, a few microseconds: enough for back-to-back parallel regions, as oneDNN runs in
// bfloat16, which this machine could not measure — no AVX-512 BF16). A value the user set is kept.
// The values do not depend on the CPU, so a child process keeps what it inherits.

#include <QString>

namespace bioforge::core {

struct ThreadWaitChoice {
    QString description;    // "GOMP_SPINCOUNT=10000, OPENBLAS_THREAD_TIMEOUT=4"
    bool setByUser = false; // at least one of them was already in the environment, and kept
};

// Sets the two variables for this process and the processes it starts, where unset. Call first in
// main(), before a plugin that links LibTorch is loaded.
ThreadWaitChoice chooseThreadWaits();
// Logs the choice (info), once logging is up.
void logThreadWaitChoice(const ThreadWaitChoice& choice);
// Whether both variables are set in this process (by chooseThreadWaits or the user): then LibTorch's
// two pools can both have every core without spinning against each other (torch_runtime.cpp).
bool threadWaitsBounded();
// What a job's provenance says: the two settings, or "not set: the libraries' defaults".
QString describeThreadWaits();

} // namespace bioforge::core
