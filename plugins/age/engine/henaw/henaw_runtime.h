#pragma once

// What HENAW's LibTorch offers at run time: its thread pool, its version, the
// CUDA devices it sees and the device a run computes on. LibTorch stays in
// henaw_runtime.cpp. (viral has its own copy of the device part in
// plugins/viral/engine/torch_runtime.cpp: core links no LibTorch, so the shared
// half is core/compute/torch_device.h, which takes what LibTorch reports.)

#include "compute/torch_device.h"
#include "util/expected.h"

#include <string>

namespace bioforge::age {

void setHenawThreads(int threads); // <= 0: every core
int henawThreads();
std::string libTorchVersion();
int henawCudaDevices(); // CUDA devices this LibTorch sees (0 without CUDA)
core::TorchCudaSupport henawCudaSupport(); // built with CUDA, devices seen, version
// The device a HENAW run computes on (core/compute/torch_device.h) against this build's LibTorch;
// `leasedCudaIndex`: the job's GPU lease, -1 without one. On CUDA, TF32 is turned off.
core::Expected<core::TorchDevice> resolveHenawDevice(const core::TorchDevice& requested, int leasedCudaIndex = -1);

} // namespace bioforge::age
