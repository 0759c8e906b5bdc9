#pragma once

// One kernel source, two GPU back-ends: this header maps the few runtime
// calls the kernels use onto CUDA or HIP, chosen by the compiler
// (__HIP_PLATFORM_AMD__ under hipcc, nvcc otherwise).

#if defined(__HIP_PLATFORM_AMD__) || defined(__HIPCC__)
#include <hip/hip_runtime.h>
#define BF_GPU_BACKEND "HIP"
using bfError_t = hipError_t;
inline constexpr bfError_t bfSuccess = hipSuccess;
#define bfGetDeviceCount hipGetDeviceCount
#define bfSetDevice hipSetDevice
#define bfMalloc hipMalloc
#define bfFree hipFree
#define bfMemcpy hipMemcpy
#define bfMemcpyHostToDevice hipMemcpyHostToDevice
#define bfMemcpyDeviceToHost hipMemcpyDeviceToHost
#define bfDeviceSynchronize hipDeviceSynchronize
#define bfGetLastError hipGetLastError
#define bfGetErrorString hipGetErrorString
#else
#include <cuda_runtime.h>
#define BF_GPU_BACKEND "CUDA"
using bfError_t = cudaError_t;
inline constexpr bfError_t bfSuccess = cudaSuccess;
#define bfGetDeviceCount cudaGetDeviceCount
#define bfSetDevice cudaSetDevice
#define bfMalloc cudaMalloc
#define bfFree cudaFree
#define bfMemcpy cudaMemcpy
#define bfMemcpyHostToDevice cudaMemcpyHostToDevice
#define bfMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define bfDeviceSynchronize cudaDeviceSynchronize
#define bfGetLastError cudaGetLastError
#define bfGetErrorString cudaGetErrorString
#endif
