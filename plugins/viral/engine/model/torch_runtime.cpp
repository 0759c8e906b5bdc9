#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include "model/torch_runtime.h"

namespace bioforge::viral {

std::string torchVersion() { return TORCH_VERSION; }

void setTorchThreads(int threads)
{
    if (threads > 0)
        at::set_num_threads(threads);
}

int torchThreads() { return at::get_num_threads(); }

bool torchHasCuda() { return at::hasCUDA(); }

} // namespace bioforge::viral
