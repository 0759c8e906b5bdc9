// What HENAW's LibTorch offers at run time (henaw_runtime.h).
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/torch.h>

#include "henaw/henaw_runtime.h"

#include "compute/thread_budget.h"

#include <QString>

#include <algorithm>

namespace bioforge::age {

void setHenawThreads(int threads)
{
    const int n = threads > 0 ? threads : core::availableCpuThreads(); // 0: every core this process may use
    if (at::get_num_threads() != n)
        at::set_num_threads(n);
}

int henawThreads() { return at::get_num_threads(); }

std::string libTorchVersion() { return TORCH_VERSION; }

// at::hasCUDA() is "a device is visible"; hasCUDART() is "built with CUDA" (false in a CPU LibTorch).
int henawCudaDevices() { return at::detail::getCUDAHooks().hasCUDART() ? int(at::detail::getCUDAHooks().getNumGPUs()) : 0; }

core::TorchCudaSupport henawCudaSupport()
{
    return {at::detail::getCUDAHooks().hasCUDART(), henawCudaDevices(), QString::fromLatin1(TORCH_VERSION)};
}

core::Expected<core::TorchDevice> resolveHenawDevice(const core::TorchDevice& requested, int leasedCudaIndex)
{
    auto d = core::resolveTorchDevice(requested, henawCudaSupport(), leasedCudaIndex);
    if (d && d->isCuda())
        at::globalContext().setAllowTF32CuBLAS(false); // float32 means float32, as on the CPU
    return d;
}

} // namespace bioforge::age
