#pragma once

// The layer kernels on a device against the CPU engine (gpu_layer_checks.cpp), for tst_gpu_kernels.

#include "gpu/llm_gpu_module.h"

#include <random>

namespace bioforge::llm::layercheck {

// Prints "ok …" / "FAIL …" per check; returns the number that failed.
int checkLayerOps(GpuDevice& device, std::mt19937& rng);

} // namespace bioforge::llm::layercheck
