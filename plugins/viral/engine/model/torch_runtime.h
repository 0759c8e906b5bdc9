#pragma once

// What the rest of the code needs to know about LibTorch, without including
// it: its version, its thread count, and whether it can use a GPU.

#include <string>

namespace bioforge::viral {

std::string torchVersion();
// threads <= 0: every core. bfloat16Products: the encoders run in
// EncoderPrecision::BFloat16, whose products are oneDNN's on OpenMP's threads.
void setTorchThreads(int threads, bool bfloat16Products = false);
int torchThreads();
bool torchThreadsInBlas();         // the threads are OpenBLAS's (other operations run on one)
void configureTorchHeap();         // large tensors stay in the heap (no page faults per use); process-wide
bool torchHasCuda();               // built with CUDA and a device present

} // namespace bioforge::viral
