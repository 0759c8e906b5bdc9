#pragma once

// A back-end whose matrix products run on a GPU (CUDA or HIP, through the
// llm GPU module, gpu/llm_gpu_module.h): each weight matrix is copied to the
// device once, still quantised, the first time it is used; activations are
// converted on the device as the CPU converts them (gpu/gpu_math.h), so
// logits differ from the CPU back-end's only by the order of float sums.
// Normalisation, RoPE, attention over the KV cache and the element-wise
// operations run on an owned CpuBackend (issue 15, first slice: device-
// resident activations and KV cache are the next one). A device error
// becomes a std::runtime_error naming the device and call (the engine turns
// it into the request's error); nothing aborts.

#include "compute/backend.h"
#include "compute/cpu_backend.h"

#include <memory>
#include <string>
#include <unordered_map>

namespace bioforge::llm {

class GpuDevice;

class GpuBackend final : public Backend {
public:
    // `deviceName`: the device's own name for name() ("NVIDIA H200").
    GpuBackend(std::shared_ptr<GpuDevice> device, std::string deviceName, int threads, KernelPath path);
    ~GpuBackend() override;

    // "cuda:0 NVIDIA H200 (matrix products) + cpu avx512".
    bool readsMappedWeights() const override { return false; } // uploaded once
    std::string name() const override;
    int threads() const override { return m_cpu.threads(); }
    void matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y) override;
    void rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out) override;
    void ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                      int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache) override;
    void attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                   int64_t firstPos, float* out) override;
    void siluMultiply(float* a, const float* b, int64_t n) override;
    void add(float* x, const float* y, int64_t n) override;

    // Weight matrices on the device so far.
    size_t uploadedMatrices() const { return m_ids.size(); }

private:
    std::shared_ptr<GpuDevice> m_device;
    std::string m_deviceName;
    CpuBackend m_cpu;
    std::unordered_map<const uint8_t*, int> m_ids; // weight data in the mapped file -> device matrix
};

} // namespace bioforge::llm
