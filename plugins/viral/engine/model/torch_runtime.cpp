#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include "model/torch_runtime.h"

#include "model/encoder_precision.h"

#include "compute/thread_budget.h"
#include "compute/thread_waits.h"

#include <dlfcn.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>

namespace bioforge::viral {

namespace {
std::atomic<int> g_threads{0};
// Which pools have the threads, as the provenance says it (torchThreadPools).
enum class Pools { OpenMp, OpenBlas, Both };
std::atomic<Pools> g_pools{Pools::OpenMp};
} // namespace

std::string torchVersion() { return TORCH_VERSION; }

// Debian's LibTorch runs matrix products on OpenBLAS's own thread pool and
// the other operations on OpenMP's. Both pools spin while they wait; with
// both at N threads on N cores each steals the other's cores between
// operations (measured on 2 cores, ESM-2 150M shape, batch 8 × 166:
// 4.5 s per batch against 3.1 s). So when OpenBLAS is the BLAS in the
// process, it gets the N threads and OpenMP one: the products, which are
// three quarters of the time, stay parallel, and nothing spins against them.
// In bfloat16 the products are oneDNN's, which runs on OpenMP's threads: then
// OpenMP gets the N threads and OpenBLAS one (nothing of the encoders' is
// left on it). Where the CPU has no AMX bfloat16 tiles the bfloat16 products are float32 products on
// OpenBLAS (torch_layers.h): the float32 split (bf16 ESM-2 150M batch on a Zen 3: 5.4 s with
// OpenBLAS on one thread). In int8 the linear layers (our VNNI kernel or oneDNN's) run on OpenMP's threads too, and
// OpenBLAS gets one: LibTorch's batched attention products then run their per-head GEMMs in
// parallel on OpenMP's threads, and no OpenBLAS thread waits against oneDNN's (Emerald Rapids VM,
// 2 threads, five alternating pairs: ESM-2 150M int8 1.24–1.58 s a batch against 1.41–1.59 s with
// both pools at N; DNABERT-S 1.03–1.26 against 1.05–1.24 s, no difference beyond the noise).
// Where the process bounded both pools' idle waits (compute/thread_waits.h: bioforge and the
// workbench do), nothing spins against the other pool, and both get the N threads: the
// element-wise work (GELU, LayerNorm, softmax, conversions) runs on every core too (Zen 3, 2
// cores: DNABERT-S 3.56 against 3.75 s a batch, ESM-2 150M 2.88 against 2.98–3.45 s).
void setTorchThreads(int threads, EncoderPrecision precision)
{
    // The products run on OpenMP's threads: bf16 on AMX tiles (oneDNN's), int8 (ours or oneDNN's).
    const bool oneDnnProducts = (precision == EncoderPrecision::BFloat16 && cpuHasBFloat16Tiles()) || precision == EncoderPrecision::Int8;
    const int n = threads > 0 ? threads : core::availableCpuThreads(); // 0: every core this process may use
    using SetThreads = void (*)(int);
    auto* setBlasThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (oneDnnProducts) {
        if (setBlasThreads)
            setBlasThreads(1);
        at::set_num_threads(n);
        g_pools = Pools::OpenMp;
    } else if (setBlasThreads) {
        setBlasThreads(n);
        g_pools = core::threadWaitsBounded() ? Pools::Both : Pools::OpenBlas;
        at::set_num_threads(g_pools == Pools::Both ? n : 1);
    } else {
        at::set_num_threads(n);
        g_pools = Pools::OpenMp;
    }
    g_threads = n;
}

// glibc serves blocks above 32 MiB with mmap and unmaps them when freed, so
// every large activation (DNABERT-S: a batch's [32, 70, 6144] feed-forward
// is 55 MB) was faulted in page by page, and zeroed by the kernel, on every
// use: 8 % of DNABERT-S's time in clear_page. Kept in the heap they are
// reused; the heap is handed back after each shard (malloc_trim in the
// embedding stage), so the resident set stays flat. Measured: DNABERT-S
// 4.0-4.3 -> 3.4 s per batch, ESM-2 150M 3 % faster.
void configureTorchHeap()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 512 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

int torchThreads() { return g_threads > 0 ? g_threads.load() : at::get_num_threads(); }

QString torchThreadPools()
{
    switch (g_pools.load()) {
    case Pools::Both: return QStringLiteral(" (OpenBLAS and OpenMP)");
    case Pools::OpenBlas: return QStringLiteral(" (OpenBLAS)");
    case Pools::OpenMp: break;
    }
    return QString();
}

bool torchHasCuda() { return at::hasCUDA(); }

// at::hasCUDA() is "a device is visible"; hasCUDART() is "built with CUDA" (false in a CPU LibTorch).
int torchCudaDeviceCount() { return at::detail::getCUDAHooks().hasCUDART() ? int(at::detail::getCUDAHooks().getNumGPUs()) : 0; }

core::TorchCudaSupport torchCudaSupport()
{
    return {at::detail::getCUDAHooks().hasCUDART(), torchCudaDeviceCount(), QString::fromStdString(torchVersion())};
}

core::Expected<EncoderDevice> resolveEncoderDevice(const EncoderDevice& requested, int leasedCudaIndex)
{
    auto resolved = core::resolveTorchDevice(requested, torchCudaSupport(), leasedCudaIndex);
    if (!resolved)
        return resolved.error();
    EncoderDevice d(*resolved);
    d.portableKernels = requested.portableKernels;
    d.outOfMemoryAboveTokens = requested.outOfMemoryAboveTokens;
    if (d.isCuda())
        at::globalContext().setAllowTF32CuBLAS(false); // float32 means float32 (cuBLAS would round inputs to TF32 otherwise)
    return d;
}

} // namespace bioforge::viral
