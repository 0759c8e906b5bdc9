#include "compute/gpu_backend.h"

#include "gpu/llm_gpu_module.h"

#include <stdexcept>

namespace bioforge::llm {

GpuBackend::GpuBackend(std::shared_ptr<GpuDevice> device, std::string deviceName, int threads, KernelPath path)
    : m_device(std::move(device)), m_deviceName(std::move(deviceName)), m_cpu(threads, path)
{
}

GpuBackend::~GpuBackend() = default;

std::string GpuBackend::name() const { return m_device->label() + " " + m_deviceName + " (matrix products) + " + m_cpu.name(); }

void GpuBackend::matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y)
{
    std::string error;
    auto found = m_ids.find(w.data);
    if (found == m_ids.end()) {
        int id = -1;
        if (!m_device->upload(w, &id, &error))
            throw std::runtime_error(error);
        found = m_ids.emplace(w.data, id).first;
    }
    if (!m_device->matmul(found->second, x, tokens, y, &error))
        throw std::runtime_error(error);
}

void GpuBackend::rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out)
{
    m_cpu.rmsNorm(x, weight, rows, width, eps, out);
}

void GpuBackend::ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                              int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache)
{
    m_cpu.ropeAndStore(q, k, v, bias, shape, rope, tokens, firstPos, layer, cache);
}

void GpuBackend::attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                           int64_t firstPos, float* out)
{
    m_cpu.attention(q, cache, shape, layer, tokens, firstPos, out);
}

void GpuBackend::siluMultiply(float* a, const float* b, int64_t n) { m_cpu.siluMultiply(a, b, n); }

void GpuBackend::add(float* x, const float* y, int64_t n) { m_cpu.add(x, y, n); }

} // namespace bioforge::llm
