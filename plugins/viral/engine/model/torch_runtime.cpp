#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include "model/torch_runtime.h"

#include <thread>

namespace bioforge::viral {

std::string torchVersion() { return TORCH_VERSION; }

void setTorchThreads(int threads)
{
    const unsigned cores = std::thread::hardware_concurrency();
    at::set_num_threads(threads > 0 ? threads : int(cores ? cores : 1));
}

int torchThreads() { return at::get_num_threads(); }

bool torchHasCuda() { return at::hasCUDA(); }

} // namespace bioforge::viral
