#pragma once

// Which kernels OpenBLAS runs. OpenBLAS picks them from the CPU's family and
// model number when it is loaded; a CPU newer than the OpenBLAS build is not
// recognised and gets the generic "Prescott" (SSE3) kernels. Measured on
// Debian 12's OpenBLAS 0.3.21 on an Emerald Rapids Xeon (family 6, model 207,
// AVX-512), 2 threads: a [1344 × 640] · [640 × 1920] float32 product (ESM-2
// 150M's q/k/v shape) at 30 GFLOP/s with Prescott, 138 GFLOP/s with the
// SkylakeX kernels. LibTorch's float32 products on Debian run on OpenBLAS, so
// every viral and age job ran 4× slower there.
//
// The kernels are chosen from the CPU's instruction sets instead, through
// OPENBLAS_CORETYPE (OpenBLAS's documented override, read once when it
// loads): `chooseOpenBlasCore()` must run before a plugin that links LibTorch
// is loaded (the workbench's and bioforge's main() call it first). A value
// the user set is kept.

#include <QString>

namespace bioforge::core {

struct CpuVectorSupport {
    bool avx512 = false; // AVX-512 F, CD, BW, DQ and VL, enabled by the OS (what OpenBLAS's SkylakeX kernels use)
    bool avx2Fma = false; // AVX2 and FMA3 (Haswell kernels)
};

// This CPU's, from cpuid and the OS's enabled register state (__builtin_cpu_supports).
CpuVectorSupport cpuVectorSupport();

// The OpenBLAS core name for `cpu`: "SkylakeX", "Haswell", or empty (leave OpenBLAS's detection).
QString openBlasCoreFor(const CpuVectorSupport& cpu);

// Whether OpenBLAS's kernel set `core` runs on `cpu` (SkylakeX, Cooperlake and SapphireRapids need
// AVX-512; Haswell and Zen AVX2; the older sets run anywhere).
bool openBlasCoreRuns(const QString& core, const CpuVectorSupport& cpu);

struct BlasCoreChoice {
    QString core;           // what OPENBLAS_CORETYPE now holds (empty: OpenBLAS detects)
    bool setByUser = false; // it was already set in the environment, and kept
    QString replaced;       // a user's value this CPU cannot run, replaced by `core`
};

// Sets OPENBLAS_CORETYPE for this process and the processes it starts when the user
// has not set it and this CPU has AVX2 or AVX-512. A child process (a cluster task
// on another node) inherits the value marked as chosen, not as the user's, and
// chooses again for its own CPU: SkylakeX kernels on a node without AVX-512 would
// stop at the first illegal instruction. For the same reason a user's value this CPU
// cannot run is replaced (logged as a warning by logBlasCoreChoice).
BlasCoreChoice chooseOpenBlasCore();
// Logs the choice (info), once logging is up.
void logBlasCoreChoice(const BlasCoreChoice& choice);

// LibTorch's own CPU kernels (element-wise operations, LayerNorm, softmax, GELU, conversions):
// PyTorch 1.13 compiles AVX-512 versions but dispatches its AVX2 ones unless
// ATEN_CPU_CAPABILITY=avx512 (opt-in since pytorch/pytorch#80252, read once, at the first
// operation). Measured on an Emerald Rapids Xeon, 2 threads, 3 interleaved rounds: DNABERT-S
// and ESM-2 batches 3–14 % faster with avx512 in every precision; HENAW training unchanged
// (docs/performance.md). So a CPU with AVX-512 F/CD/BW/DQ/VL gets "avx512"; otherwise LibTorch
// chooses. A user's value is kept unless this CPU cannot run it, and a child process chooses
// again, exactly as for OPENBLAS_CORETYPE. Call before any LibTorch operation (main() does).
QString atenCapabilityFor(const CpuVectorSupport& cpu);
bool atenCapabilityRuns(const QString& capability, const CpuVectorSupport& cpu);
BlasCoreChoice chooseAtenCpuCapability(); // `core` holds the capability
void logAtenCapabilityChoice(const BlasCoreChoice& choice);
// What a job's provenance says: "ATEN_CPU_CAPABILITY=avx512", or "LibTorch's own choice".
QString describeAtenCapability();

// The kernels of the OpenBLAS loaded in this process ("SkylakeX", "Prescott", …),
// or empty when no OpenBLAS is loaded (another BLAS, or none yet).
QString loadedOpenBlasCore();

// What a job's provenance and log say about the BLAS its products ran on: "OpenBLAS, SkylakeX
// kernels", or empty without OpenBLAS. Logs a warning (once per process) when OpenBLAS runs
// generic kernels on a CPU that has AVX2 or AVX-512 (OpenBLAS was loaded before
// chooseOpenBlasCore, or the user's OPENBLAS_CORETYPE asks for them), naming the fix.
QString describeLoadedBlas();

} // namespace bioforge::core
