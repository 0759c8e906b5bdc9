#pragma once

// Loads the llm GPU module (libbioforge_llm_cuda.so or libbioforge_llm_hip.so,
// engine/gpu/llm_gpu_api.h) with dlopen and wraps one opened device. Qt-free,
// so the GPU tests build on a machine without Qt. Errors are returned as text
// naming the module or device and what failed; nothing throws or aborts.

#include "compute/backend.h"
#include "compute/weight_tensor.h"
#include "gguf/gguf_types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct bf_llm_gpu;

namespace bioforge::llm {

enum class GpuVendor { Cuda, Hip };

struct GpuModuleApi;

class GpuModule {
public:
    // "libbioforge_llm_cuda.so" or "libbioforge_llm_hip.so".
    static std::string fileName(GpuVendor vendor);
    // nullptr with *error naming the file when it is missing, cannot be loaded
    // (no GPU runtime) or lacks a function. Never unloaded once loaded.
    static std::shared_ptr<const GpuModule> load(const std::string& path, GpuVendor vendor, std::string* error);

    GpuVendor vendor() const { return m_vendor; }
    std::string prefix() const { return m_vendor == GpuVendor::Cuda ? "cuda" : "hip"; }
    std::string runtime() const;
    // Devices the runtime sees; 0 with *error saying why there are none.
    int deviceCount(std::string* error) const;
    const GpuModuleApi& api() const { return *m_api; }

    ~GpuModule();

private:
    GpuModule() = default;
    GpuVendor m_vendor = GpuVendor::Cuda;
    std::unique_ptr<GpuModuleApi> m_api;
};

// One device opened through a module: weights uploaded once (still quantised),
// matrix products on the device. Not thread-safe.
class GpuDevice {
public:
    static std::unique_ptr<GpuDevice> open(std::shared_ptr<const GpuModule> module, int index, std::string* error);
    ~GpuDevice();
    GpuDevice(const GpuDevice&) = delete;
    GpuDevice& operator=(const GpuDevice&) = delete;

    // "cuda:0".
    std::string label() const;
    // The device's name ("NVIDIA H200"), its free and total memory in bytes.
    bool describe(std::string* name, uint64_t* freeBytes, uint64_t* totalBytes, std::string* error) const;
    // Copies w to the device; *id names it afterwards.
    bool upload(const WeightTensor& w, int* id, std::string* error);
    // y = W[id] · x for `tokens` rows (host memory; x tokens × cols, y tokens × rows).
    bool matmul(int id, const float* x, int64_t tokens, float* y, std::string* error);
    // Activations converted on the device (Q8_0, Q8_K, F16, BF16 bytes; F32 copied).
    bool convert(GgmlType activationType, const float* x, int64_t tokens, int64_t cols, void* out, std::string* error);
    // Benchmarks timed on the device (llm_gpu_api.h): copy bandwidth (bytes
    // read + written per second) and seconds per pass over `ids` (`convert`:
    // one flag per matrix, or empty for all; `graph`: replayed as one graph).
    bool copyBandwidth(size_t bytes, int reps, double* bytesPerSecond, std::string* error);
    bool timePass(const std::vector<int>& ids, const std::vector<int>& convert, int64_t tokens, int reps, bool graph, double* seconds,
                  std::string* error);

    // A layer's non-matrix work on device memory (llm_gpu_api.h; a module built before them
    // has none: hasLayerOps() is false and each call fails saying so). Pointers below are
    // device memory from alloc(), freed by free() or when the device closes; the work is
    // queued in order, toHost() waits for it. ropeStore's bias and freqFactors pointers are
    // device memory too (or null); the cache arrays are one layer's [capacity, kvWidth] floats.
    bool hasLayerOps() const;
    bool alloc(size_t bytes, void** devicePtr, std::string* error);
    bool free(void* devicePtr, std::string* error);
    bool toDevice(void* dst, const void* src, size_t bytes, std::string* error);
    bool toHost(void* dst, const void* src, size_t bytes, std::string* error);
    bool copyOnDevice(void* dst, const void* src, size_t bytes, std::string* error); // queued
    bool matmulDevice(int id, const float* x, int64_t tokens, float* y, std::string* error); // matmul() on device memory
    // matmulDevice() for an x the caller has not written since the last device product read it:
    // the module skips converting it again where it can (*reused; llm_gpu_api.h, matmul_device_shared).
    bool matmulDeviceShared(int id, const float* x, int64_t tokens, float* y, bool* reused, std::string* error);
    bool rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out, std::string* error);
    bool siluMultiply(float* a, const float* b, int64_t n, std::string* error);
    bool add(float* x, const float* y, int64_t n, std::string* error);
    // firstPosAt (device memory from setPosition) or null: see the captured passes below.
    bool ropeStore(float* q, const float* k, const float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope, int64_t tokens,
                   int64_t firstPos, float* cacheKeys, float* cacheValues, std::string* error, const int64_t* firstPosAt = nullptr);
    bool attention(const float* q, const float* cacheKeys, const float* cacheValues, const AttentionShape& shape, int64_t tokens, int64_t firstPos,
                   float* out, std::string* error, const int64_t* firstPosAt = nullptr);

    // Captured passes (llm_gpu_api.h; optional, hasGraphs()): a generated token's pass recorded
    // between captureBegin and captureEnd (nothing in between may wait for the device) and
    // replayed with graphLaunch; the position-dependent calls take the device position that
    // setPosition writes before each replay.
    bool hasGraphs() const;
    bool setPosition(int64_t firstPos, const int64_t** devicePosition, std::string* error);
    bool copyRowsAt(float* dst, const float* src, int64_t rowFloats, int64_t rows, const int64_t* firstRowAt, std::string* error); // queued
    bool captureBegin(std::string* error);
    bool captureEnd(bool keep, void** graph, std::string* error);
    bool graphLaunch(void* graph, std::string* error);
    bool graphFree(void* graph, std::string* error);
    bool graphCurrent(void* graph, bool* current, std::string* error); // false once the module moved a buffer it names

private:
    GpuDevice() = default;
    std::shared_ptr<const GpuModule> m_module;
    bf_llm_gpu* m_handle = nullptr;
    int m_index = 0;
};

} // namespace bioforge::llm
