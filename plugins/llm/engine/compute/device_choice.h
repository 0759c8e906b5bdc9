#pragma once

// Which device computes a model: `--device cpu|cuda[:N]|hip[:N]` of the llm
// commands and the generate run. A GPU device is opened through the llm GPU
// module beside libbioforge_core (gpu/llm_gpu_module.h); a build without the
// module, a machine without a device or a model larger than the device's free
// memory gets an error saying which (this build refuses a model that does not
// fit; it does not split layers between GPU and CPU).

#include "model/llama_model.h"
#include "compute/thread_budget.h"
#include "util/expected.h"

#include <QString>

#include <memory>

namespace bioforge::llm {

class GpuModule;

struct DeviceChoice {
    enum class Kind { Cpu, Cuda, Hip };
    Kind kind = Kind::Cpu;
    int index = 0;
    QString label() const; // "cpu", "cuda:0", "hip:1"
};

// "cpu", "cuda", "cuda:N", "hip", "hip:N" (N a decimal device number).
core::Expected<DeviceChoice> parseDevice(const QString& text);

// The CPU threads to run with (core/compute/thread_budget.h): `asked`, but at most this machine's
// hardware threads — the pool's workers spin between the hundreds of loops of a forward pass, so
// more threads than hardware ones only wait for each other (1,000 on 2 cores ran ~450× slower and
// looked hung).
using core::availableCpuThreads;
using core::usableThreads;

// Options that build the back-end for `device`; for a GPU the device is
// opened (and its free memory checked against `weightBytes`) now, so that
// every refusal comes before the model loads. `kernels`: the CPU kernel path
// (the CPU back-end's, and a GPU back-end's for what it runs on the CPU).
core::Expected<LlamaModel::Options> backendOptions(const DeviceChoice& device, int threads, size_t weightBytes,
                                                   KernelPath kernels = bestKernelPath());
// The same for the model in `file` (its tensors' bytes).
core::Expected<LlamaModel::Options> backendOptions(const DeviceChoice& device, int threads, const GgufFile& file,
                                                   KernelPath kernels = bestKernelPath());

// The same for device `index` of an already loaded GPU module (tests load a
// module of their own).
core::Expected<LlamaModel::Options> gpuBackendOptions(std::shared_ptr<const GpuModule> module, int index, int threads, size_t weightBytes,
                                                      KernelPath kernels = bestKernelPath());

} // namespace bioforge::llm
