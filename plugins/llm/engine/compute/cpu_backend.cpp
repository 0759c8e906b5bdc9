#include "compute/cpu_backend.h"

#include "compute/attention_kernels.h"
#include "model/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace bioforge::llm {

namespace {
constexpr int64_t kElementGrain = 4096; // smallest element-wise chunk worth a thread
}

CpuBackend::CpuBackend(int threads, KernelPath path) : m_pool(threads), m_matmul(m_pool, path) {}

std::string CpuBackend::name() const
{
    return std::string("cpu ") + kernelPathName(kernelPath());
}

void CpuBackend::matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y)
{
    m_matmul.run(w, x, tokens, y);
}

void CpuBackend::rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out)
{
    m_pool.parallelFor(rows, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t)
            llm::rmsNorm(x + t * width, weight, width, eps, out + t * width);
    });
}

void CpuBackend::ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                              int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache)
{
    const int64_t qw = shape.queryWidth(), kw = shape.kvWidth();
    m_pool.parallelFor(tokens, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            float* qt = q + t * qw;
            float* kt = k + t * kw;
            float* vt = v + t * kw;
            if (bias.query)
                addInPlace(qt, bias.query, qw);
            if (bias.key)
                addInPlace(kt, bias.key, kw);
            if (bias.value)
                addInPlace(vt, bias.value, kw);
            applyRope(qt, int(shape.heads), int(shape.headSize), float(firstPos + t), rope);
            applyRope(kt, int(shape.kvHeads), int(shape.headSize), float(firstPos + t), rope);
            std::memcpy(cache.key(layer, firstPos + t), kt, size_t(kw) * sizeof(float));
            std::memcpy(cache.value(layer, firstPos + t), vt, size_t(kw) * sizeof(float));
        }
    });
}

void CpuBackend::attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                           int64_t firstPos, float* out)
{
    const int64_t headSize = shape.headSize, heads = shape.heads, groups = shape.heads / shape.kvHeads;
    const int64_t qw = shape.queryWidth();
    const float scale = 1.0f / std::sqrt(float(headSize));
    const int64_t span = firstPos + tokens; // keys visible to the last token
    const AttendFn attend = attendKernel(kernelPath());
    const int64_t stride = cache.width();
    m_pool.parallelFor(tokens * heads, [&](int64_t begin, int64_t end) {
        thread_local std::vector<float> scoreBuffer; // each thread its own
        scoreBuffer.resize(size_t(span) + 8);
        for (int64_t job = begin; job < end; ++job) {
            // Causal work grows with the token: pair early and late tokens so
            // that every thread's contiguous share costs about the same.
            const int64_t k = job / heads, h = job % heads, kvh = h / groups;
            const int64_t t = k % 2 == 0 ? k / 2 : tokens - 1 - k / 2;
            const int64_t visible = firstPos + t + 1; // causal: positions 0..firstPos+t
            attend(q + t * qw + h * headSize, cache.key(layer, 0) + kvh * headSize, cache.value(layer, 0) + kvh * headSize, stride,
                   visible, headSize, scale, scoreBuffer.data(), out + t * qw + h * headSize);
        }
    });
}

void CpuBackend::siluMultiply(float* a, const float* b, int64_t n)
{
    const bool avx512 = (kernelPath() == KernelPath::Avx512 || kernelPath() == KernelPath::Amx) && kernelPathAvailable(KernelPath::Avx512);
    const auto silu = avx512 ? avx512::siluMultiply : llm::siluMultiply;
    m_pool.parallelFor(
        n, [&](int64_t begin, int64_t end) { silu(a + begin, b + begin, end - begin); }, kElementGrain);
}

void CpuBackend::add(float* x, const float* y, int64_t n)
{
    m_pool.parallelFor(
        n, [&](int64_t begin, int64_t end) { addInPlace(x + begin, y + begin, end - begin); }, kElementGrain);
}

} // namespace bioforge::llm
