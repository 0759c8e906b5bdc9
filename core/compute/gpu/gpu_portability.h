#pragma once

// One kernel source, two GPU back-ends: this header maps the few runtime
// calls the kernels use onto CUDA or HIP, chosen by the compiler
// (__HIP_PLATFORM_AMD__ under hipcc for AMD, CUDA otherwise: hipcc on
// NVIDIA's platform gets the CUDA spelling, *_sync shuffles included).
// A third, for tests: BF_GPU_SIMT compiles the same source with the host
// compiler and runs its kernels on the CPU (tests/gpu/simt/simt_runtime.h).
//
// Kernels are launched with BF_LAUNCH(grid, block, sharedBytes, stream, kernel)(arguments…),
// the kernel last so that a template's commas need no parentheses.

#if defined(BF_GPU_SIMT)
#include "simt_runtime.h"
#define BF_GPU_BACKEND "SIMT"
#define bfShflXor32(value, mask) ::bfsimt::shflXor((value), (mask), 32, BF_SIMT_SITE)
#define bfShfl32(value, lane) ::bfsimt::shfl((value), (lane), 32, BF_SIMT_SITE)
#define BF_LAUNCH(grid, block, sharedBytes, stream, ...) ::bfsimt::launcher((grid), (block), (sharedBytes), (stream), #__VA_ARGS__, &__VA_ARGS__)
#elif defined(__HIP_PLATFORM_AMD__) || (defined(__HIPCC__) && !defined(__HIP_PLATFORM_NVIDIA__))
#define BF_GPU_HIP 1
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
#define bfMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#define bfDeviceSynchronize hipDeviceSynchronize
#define bfGetLastError hipGetLastError
#define bfGetErrorString hipGetErrorString
#define bfGetErrorName hipGetErrorName
using bfStream_t = hipStream_t;
using bfEvent_t = hipEvent_t;
#define bfStreamCreateWithFlags hipStreamCreateWithFlags
#define bfStreamNonBlocking hipStreamNonBlocking
#define bfStreamDestroy hipStreamDestroy
#define bfStreamSynchronize hipStreamSynchronize
#define bfMemcpyAsync hipMemcpyAsync
#define bfMemsetAsync hipMemsetAsync
#define bfMallocHost hipHostMalloc
#define bfFreeHost hipHostFree
#define bfMemGetInfo hipMemGetInfo
#define bfEventCreate hipEventCreate
#define bfEventDestroy hipEventDestroy
#define bfEventRecord hipEventRecord
#define bfEventSynchronize hipEventSynchronize
#define bfEventElapsedTime hipEventElapsedTime
#define bfDeviceProp hipDeviceProp_t
#define bfGetDeviceProperties hipGetDeviceProperties
using bfGraph_t = hipGraph_t;
using bfGraphExec_t = hipGraphExec_t;
#define bfStreamBeginCapture hipStreamBeginCapture
#define bfStreamCaptureModeThreadLocal hipStreamCaptureModeThreadLocal
#define bfStreamEndCapture hipStreamEndCapture
#define bfGraphInstantiateWithFlags hipGraphInstantiateWithFlags
#define bfGraphLaunch hipGraphLaunch
#define bfGraphExecDestroy hipGraphExecDestroy
#define bfGraphDestroy hipGraphDestroy
// Lanes of a 32-wide team: HIP 5.2 has no *_sync shuffles; `width` keeps a
// wave64 (gfx90a) split into two independent teams of 32.
#define bfShflXor32(value, mask) __shfl_xor((value), (mask), 32)
#define bfShfl32(value, lane) __shfl((value), (lane), 32)
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
#define bfMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define bfDeviceSynchronize cudaDeviceSynchronize
#define bfGetLastError cudaGetLastError
#define bfGetErrorString cudaGetErrorString
#define bfGetErrorName cudaGetErrorName
using bfStream_t = cudaStream_t;
using bfEvent_t = cudaEvent_t;
#define bfStreamCreateWithFlags cudaStreamCreateWithFlags
#define bfStreamNonBlocking cudaStreamNonBlocking
#define bfStreamDestroy cudaStreamDestroy
#define bfStreamSynchronize cudaStreamSynchronize
#define bfMemcpyAsync cudaMemcpyAsync
#define bfMemsetAsync cudaMemsetAsync
#define bfMallocHost cudaMallocHost
#define bfFreeHost cudaFreeHost
#define bfMemGetInfo cudaMemGetInfo
#define bfEventCreate cudaEventCreate
#define bfEventDestroy cudaEventDestroy
#define bfEventRecord cudaEventRecord
#define bfEventSynchronize cudaEventSynchronize
#define bfEventElapsedTime cudaEventElapsedTime
#define bfDeviceProp cudaDeviceProp
#define bfGetDeviceProperties cudaGetDeviceProperties
using bfGraph_t = cudaGraph_t;
using bfGraphExec_t = cudaGraphExec_t;
#define bfStreamBeginCapture cudaStreamBeginCapture
#define bfStreamCaptureModeThreadLocal cudaStreamCaptureModeThreadLocal
#define bfStreamEndCapture cudaStreamEndCapture
#define bfGraphInstantiateWithFlags cudaGraphInstantiateWithFlags
#define bfGraphLaunch cudaGraphLaunch
#define bfGraphExecDestroy cudaGraphExecDestroy
#define bfGraphDestroy cudaGraphDestroy
// Lanes of a 32-wide team (a full warp on NVIDIA).
#define bfShflXor32(value, mask) __shfl_xor_sync(0xffffffffu, (value), (mask), 32)
#define bfShfl32(value, lane) __shfl_sync(0xffffffffu, (value), (lane), 32)
#endif

// Teams of 32 lanes cooperate on one output row. On NVIDIA a team is a warp;
// on AMD's wave64 parts a wave holds two teams (shuffles take width 32), on
// wave32 parts one. Never assume more than 32 lanes shuffle together.
#define BF_TEAM 32

#ifndef BF_LAUNCH
#define BF_LAUNCH(grid, block, sharedBytes, stream, ...) __VA_ARGS__<<<(grid), (block), (sharedBytes), (stream)>>>
#endif
