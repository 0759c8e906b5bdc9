#pragma once

// The CPU back-end: a thread pool, the quantised matrix kernels of one
// KernelPath (reference, AVX2 or AVX-512, chosen from the CPU's features) and
// the element-wise operations of ops.h, computed as llama.cpp's CPU back-end
// computes them.

#include "compute/backend.h"
#include "compute/matmul.h"
#include "compute/thread_pool.h"

namespace bioforge::llm {

class CpuBackend final : public Backend {
public:
    CpuBackend(int threads, KernelPath path);

    KernelPath kernelPath() const { return m_matmul.path(); }

    std::string name() const override;
    int threads() const override { return m_pool.size(); }
    void matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y) override;
    void rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out) override;
    void ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                      int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache) override;
    void attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                   int64_t firstPos, float* out) override;
    void siluMultiply(float* a, const float* b, int64_t n) override;
    void add(float* x, const float* y, int64_t n) override;

private:
    ThreadPool m_pool;
    MatMul m_matmul;
};

} // namespace bioforge::llm
