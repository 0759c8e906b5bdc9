// The llm GPU module's own source (plugins/llm/engine/gpu/llm_gpu_api.cu and the kernels it
// includes), compiled by the host compiler with BF_GPU_SIMT: a module with the same C ABI whose
// kernels run on the CPU under the SIMT emulation (simt_runtime.h). The CPU suite runs the
// device tests against it (tst_gpu_kernels_simt, tst_gpu_backend), so the kernels' indexing,
// barriers and shuffles are exercised on every machine, not only on a GPU.
#include "gpu/llm_gpu_api.cu"
