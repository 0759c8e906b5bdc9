#pragma once

// What the rest of the code needs to know about LibTorch, without including
// it: its version, its thread count, and whether it can use a GPU.

#include "model/encoder_device.h"
#include "model/encoder_precision.h"
#include "util/expected.h"

#include <QString>

#include <string>

namespace bioforge::viral {

std::string torchVersion();
// threads <= 0: every core. precision: the encoders' (encoder_precision.h). BFloat16's products
// are oneDNN's on OpenMP's threads on a CPU with AMX bfloat16 tiles; elsewhere they are widened to
// float32 products on OpenBLAS (torch_layers.h widensBFloat16Products), and the threads are split
// as for float32. Int8's linear layers (our VNNI kernel or oneDNN's) and attention run on OpenMP's
// threads, OpenBLAS gets one.
void setTorchThreads(int threads, EncoderPrecision precision = EncoderPrecision::Float32);
int torchThreads();
QString torchThreadPools();        // for provenance: " (OpenBLAS)" (other operations on one thread),
                                   // " (OpenBLAS and OpenMP)" or empty (OpenMP's)
void configureTorchHeap();         // large tensors stay in the heap (no page faults per use); process-wide
bool torchHasCuda();               // built with CUDA and a device present
int torchCudaDeviceCount();        // CUDA devices this LibTorch sees (0 without CUDA)
core::TorchCudaSupport torchCudaSupport(); // built with CUDA, devices seen, version

// The device a run computes on (encoder_device.h): auto becomes CUDA (device
// `leasedCudaIndex` when the job holds a GPU lease, else 0) where this LibTorch
// sees a CUDA device, else the CPU; cuda[:N] is checked against what LibTorch
// sees. On CUDA, float32 products are kept in float32 (TF32 off), as on the CPU.
// Errors name the device asked for and what LibTorch offers.
core::Expected<EncoderDevice> resolveEncoderDevice(const EncoderDevice& requested, int leasedCudaIndex = -1);

} // namespace bioforge::viral
