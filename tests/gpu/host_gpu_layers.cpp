// The host emulation's layer operations (llm_gpu_api.h, "A layer's non-matrix
// work"): the kernels of gpu/llm_layer_kernels.cuh run serially on the host,
// block by block and thread by thread in the same shape and with the same
// per-element math (gpu/gpu_layer_math.h): RMSNorm rows, SwiGLU, the add, RoPE
// into the cache, attention in chunks of 256 positions merged with the
// online-softmax rule. With it tst_gpu_kernels runs its layer checks in the
// CPU suite, so the checks themselves, the C ABI and GpuDevice's wrappers are
// tested where no GPU is; the device run tests the real kernels.

#include "gpu/gpu_layer_math.h"
#include "gpu/llm_gpu_api.h"
#include "host_gpu_handle.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace bioforge::llm;

#define BF_API extern "C" __attribute__((visibility("default")))

namespace {

constexpr int64_t kChunk = hd::kAttentionChunk, kMaxHeadSize = hd::kMaxHeadSize;

// ropeStoreKernel's ropeHead: one head vector, bias added, pairs rotated, the rest copied.
void ropeHead(const float* in, const float* bias, float* out, int headSize, float pos, const hd::RopeScalars& rope, float thetaScale,
              const float* factors)
{
    for (int i = 0; i < headSize; ++i) {
        if (i >= rope.dims) {
            out[i] = bias ? hd::addRn(in[i], bias[i]) : in[i];
            continue;
        }
        const int pair = rope.neox ? (i < rope.dims / 2 ? i : -1) : (i % 2 == 0 ? i / 2 : -1);
        if (pair < 0)
            continue;
        int a = 0, b = 0;
        hd::ropePairIndices(rope, pair, a, b);
        const float x0 = bias ? hd::addRn(in[a], bias[a]) : in[a], x1 = bias ? hd::addRn(in[b], bias[b]) : in[b];
        float c = 0, s = 0;
        hd::ropeCosSin(rope, pair, hd::ropeThetaBase(pos, thetaScale, pair), factors ? factors[pair] : 1.0f, c, s);
        hd::ropeRotate(x0, x1, c, s, out[a], out[b]);
    }
}

} // namespace

BF_API int bf_llm_gpu_alloc(bf_llm_gpu* h, size_t bytes, void** ptr, char* msg, size_t len)
{
    if (!h || !ptr || bytes == 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "alloc: a handle, a pointer and a size above 0 are needed");
    *ptr = std::malloc(bytes);
    if (!*ptr)
        return say(msg, len, BF_LLM_GPU_OUT_OF_MEMORY, "cuda:0: cudaMalloc: out of memory (host emulation, %zu bytes)", bytes);
    h->allocations.push_back(*ptr);
    return 0;
}

BF_API int bf_llm_gpu_free(bf_llm_gpu* h, void* ptr, char* msg, size_t len)
{
    if (!h)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "free: no handle");
    const auto it = std::find(h->allocations.begin(), h->allocations.end(), ptr);
    if (it == h->allocations.end())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "free: %p was not allocated by this handle", ptr);
    h->allocations.erase(it);
    std::free(ptr);
    return 0;
}

BF_API int bf_llm_gpu_upload_bytes(bf_llm_gpu*, void* dst, const void* src, size_t bytes, char*, size_t)
{
    std::memcpy(dst, src, bytes);
    return 0;
}

BF_API int bf_llm_gpu_download(bf_llm_gpu*, void* dst, const void* src, size_t bytes, char*, size_t)
{
    std::memcpy(dst, src, bytes);
    return 0;
}

BF_API int bf_llm_gpu_copy_device(bf_llm_gpu*, void* dst, const void* src, size_t bytes, char*, size_t)
{
    std::memcpy(dst, src, bytes);
    return 0;
}

BF_API int bf_llm_gpu_rms_norm(bf_llm_gpu*, const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out, char* msg, size_t len)
{
    if (rows <= 0 || width <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "rms_norm: %lld rows of %lld", (long long)rows, (long long)width);
    for (int64_t r = 0; r < rows; ++r) {
        const float* row = x + r * width;
        double sum = 0;
        for (int64_t i = 0; i < width; ++i)
            sum += double(hd::mulRn(row[i], row[i]));
        const float scale = hd::rmsScale(sum, width, eps);
        for (int64_t i = 0; i < width; ++i)
            out[r * width + i] = hd::rmsNormed(row[i], scale, weight[i]);
    }
    return 0;
}

BF_API int bf_llm_gpu_silu_multiply(bf_llm_gpu*, float* a, const float* b, int64_t n, char* msg, size_t len)
{
    if (n <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "silu_multiply: %lld floats", (long long)n);
    for (int64_t i = 0; i < n; ++i)
        a[i] = hd::siluTimes(a[i], b[i]);
    return 0;
}

BF_API int bf_llm_gpu_add(bf_llm_gpu*, float* x, const float* y, int64_t n, char* msg, size_t len)
{
    if (n <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "add: %lld floats", (long long)n);
    for (int64_t i = 0; i < n; ++i)
        x[i] = hd::addRn(x[i], y[i]);
    return 0;
}

BF_API int bf_llm_gpu_rope_store(bf_llm_gpu*, float* q, const float* k, const float* v, const float* biasQ, const float* biasK, const float* biasV,
                                 int64_t heads, int64_t kvHeads, int64_t headSize, const bf_llm_gpu_rope* rope, int64_t tokens, int64_t firstPos,
                                 float* cacheKeys, float* cacheValues, char* msg, size_t len)
{
    if (!rope || !hd::attentionShapeValid(heads, kvHeads, headSize, tokens, firstPos) || rope->dims < 0 || rope->dims > headSize || rope->dims % 2 != 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "rope_store: %lld heads, %lld kv heads of %lld (head size ≤ %lld)", (long long)heads,
                   (long long)kvHeads, (long long)headSize, (long long)kMaxHeadSize);
    hd::RopeScalars r;
    r.dims = rope->dims;
    r.freqBase = rope->freq_base;
    r.freqScale = rope->freq_scale;
    r.neox = rope->neox;
    r.extFactor = rope->ext_factor;
    r.attnFactor = rope->attn_factor;
    r.correction0 = rope->correction_dims[0];
    r.correction1 = rope->correction_dims[1];
    r.rotationOnly = rope->rotation_only;
    const float thetaScale = r.dims > 0 ? hd::ropeThetaScale(r) : 1.0f;
    const int64_t qw = heads * headSize, kw = kvHeads * headSize;
    for (int64_t t = 0; t < tokens; ++t) {
        const float pos = float(firstPos + t);
        for (int64_t h = 0; h < heads; ++h)
            ropeHead(q + t * qw + h * headSize, biasQ ? biasQ + h * headSize : nullptr, q + t * qw + h * headSize, int(headSize), pos, r, thetaScale,
                     rope->freq_factors);
        for (int64_t h = 0; h < kvHeads; ++h) {
            ropeHead(k + t * kw + h * headSize, biasK ? biasK + h * headSize : nullptr, cacheKeys + (firstPos + t) * kw + h * headSize, int(headSize), pos,
                     r, thetaScale, rope->freq_factors);
            for (int64_t i = 0; i < headSize; ++i) {
                const float value = v[t * kw + h * headSize + i];
                cacheValues[(firstPos + t) * kw + h * headSize + i] = biasV ? hd::addRn(value, biasV[h * headSize + i]) : value;
            }
        }
    }
    return 0;
}

BF_API int bf_llm_gpu_attention(bf_llm_gpu*, const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads,
                                int64_t headSize, int64_t tokens, int64_t firstPos, float* out, char* msg, size_t len)
{
    if (!hd::attentionShapeValid(heads, kvHeads, headSize, tokens, firstPos))
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "attention: %lld heads, %lld kv heads of %lld (head size ≤ %lld)", (long long)heads,
                   (long long)kvHeads, (long long)headSize, (long long)kMaxHeadSize);
    const int64_t kw = kvHeads * headSize;
    const float scale = 1.0f / std::sqrt(float(headSize));
    std::vector<float> scores(kChunk), acc(static_cast<size_t>(headSize)), part(static_cast<size_t>(headSize));
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t h = 0; h < heads; ++h) {
            const int64_t kvh = hd::kvHeadOf(h, heads, kvHeads), visible = firstPos + t + 1;
            const float* qh = q + (t * heads + h) * headSize;
            hd::SoftmaxPart merged{-INFINITY, 0.0f};
            std::fill(acc.begin(), acc.end(), 0.0f);
            for (int64_t begin = 0; begin < visible; begin += kChunk) { // attentionChunkKernel, then the merge
                const int64_t end = std::min(visible, begin + kChunk);
                float max = -INFINITY, sum = 0.0f;
                for (int64_t j = begin; j < end; ++j) {
                    float dot = 0.0f;
                    for (int64_t d = 0; d < headSize; ++d)
                        dot = hd::addRn(dot, hd::mulRn(qh[d], cacheKeys[j * kw + kvh * headSize + d]));
                    max = hd::maxf(max, scores[size_t(j - begin)] = hd::mulRn(dot, scale));
                }
                for (int64_t j = begin; j < end; ++j)
                    sum = hd::addRn(sum, scores[size_t(j - begin)] = std::exp(hd::subRn(scores[size_t(j - begin)], max)));
                for (int64_t d = 0; d < headSize; ++d) {
                    float s = 0.0f;
                    for (int64_t j = begin; j < end; ++j)
                        s = hd::addRn(s, hd::mulRn(scores[size_t(j - begin)], cacheValues[j * kw + kvh * headSize + d]));
                    part[size_t(d)] = s;
                }
                float scaleMerged = 0, scalePart = 0;
                merged = hd::mergeSoftmaxParts(merged, {max, sum}, scaleMerged, scalePart);
                for (int64_t d = 0; d < headSize; ++d)
                    acc[size_t(d)] = hd::addRn(hd::mulRn(acc[size_t(d)], scaleMerged), hd::mulRn(part[size_t(d)], scalePart));
            }
            for (int64_t d = 0; d < headSize; ++d)
                out[(t * heads + h) * headSize + d] = hd::divRn(acc[size_t(d)], merged.sum);
        }
    return 0;
}

#undef BF_API
