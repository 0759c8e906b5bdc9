// The C ABI of a layer's non-matrix work (llm_gpu_api.h, "A layer's non-matrix work"):
// device memory owned by the handle and the launches of llm_layer_kernels.cuh on the
// handle's stream. Included at the end of llm_gpu_api.cu (one translation unit).

#pragma once

#include "gpu/llm_gpu_handle.cuh"
#include "gpu/llm_flash_attention.cuh"
#include "gpu/llm_layer_kernels.cuh"

#include <algorithm>
#include <cmath>

#define BF_API extern "C" __attribute__((visibility("default")))

namespace {

unsigned elementGrid(int64_t n) { return unsigned(std::min<int64_t>(std::max<int64_t>(1, (n + gpu::kLayerThreads - 1) / gpu::kLayerThreads), 65535)); }

} // namespace

BF_API int bf_llm_gpu_alloc(bf_llm_gpu* h, size_t bytes, void** ptr, char* msg, size_t len)
{
    if (!h || !ptr || bytes == 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "alloc: a handle, a pointer and a size above 0 are needed");
    *ptr = nullptr;
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfMalloc, ptr, bytes);
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
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfStreamSynchronize, h->stream); // no queued work still reads it
    BF_TRY(h->device, bfFree, ptr);
    return 0;
}

BF_API int bf_llm_gpu_upload_bytes(bf_llm_gpu* h, void* dst, const void* src, size_t bytes, char* msg, size_t len)
{
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfMemcpyAsync, dst, src, bytes, bfMemcpyHostToDevice, h->stream);
    BF_TRY(h->device, bfStreamSynchronize, h->stream); // the host buffer may be reused at once
    return 0;
}

BF_API int bf_llm_gpu_download(bf_llm_gpu* h, void* dst, const void* src, size_t bytes, char* msg, size_t len)
{
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfMemcpyAsync, dst, src, bytes, bfMemcpyDeviceToHost, h->stream);
    BF_TRY(h->device, bfStreamSynchronize, h->stream);
    return 0;
}

BF_API int bf_llm_gpu_copy_device(bf_llm_gpu* h, void* dst, const void* src, size_t bytes, char* msg, size_t len)
{
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfMemcpyAsync, dst, src, bytes, bfMemcpyDeviceToDevice, h->stream);
    return 0;
}

namespace {

// matmul_device and matmul_device_shared: y = W · x on device memory, x converted to the weight's
// activation type into act unless `shared` and act already holds x's conversion (*reused = 1).
int matmulOnDevice(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, bool shared, int* reused, char* msg, size_t len)
{
    if (reused)
        *reused = 0;
    const Tensor* weight = nullptr;
    if (const int code = productWeight(h, id, tokens, weight, msg, len))
        return code;
    const Tensor& w = *weight;
    Format f, a;
    formatOf(w.type, f);
    activationFormat(f.activation, a);
    const size_t actRowBytes = rowBytesOf(a, w.cols);
    const uint8_t* act = reinterpret_cast<const uint8_t*>(x);
    if (f.activation != kF32) {
        const bf_llm_gpu::ActivationTag& tag = h->actTag;
        if (shared && tag.from == x && tag.tokens == tokens && tag.cols == w.cols && tag.type == f.activation) {
            if (reused)
                *reused = 1;
        } else {
            if (const int code = grow(h, h->act, size_t(tokens) * actRowBytes, msg, len))
                return code;
            if (const int code = convertOnDevice(h, f.activation, tokens, w.cols, msg, len, x))
                return code;
            h->actTag = {x, tokens, w.cols, f.activation};
        }
        act = static_cast<const uint8_t*>(h->act.data);
    }
    return enqueueMatvecs(h, w, act, actRowBytes, tokens, y, msg, len);
}

} // namespace

BF_API int bf_llm_gpu_matmul_device(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, char* msg, size_t len)
{
    return matmulOnDevice(h, id, x, tokens, y, false, nullptr, msg, len);
}

BF_API int bf_llm_gpu_matmul_device_shared(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, int* reused, char* msg, size_t len)
{
    return matmulOnDevice(h, id, x, tokens, y, true, reused, msg, len);
}

BF_API int bf_llm_gpu_rms_norm(bf_llm_gpu* h, const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out, char* msg,
                               size_t len)
{
    if (rows <= 0 || width <= 0 || rows > 2147483647)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "rms_norm: %lld rows of %lld", (long long)rows, (long long)width);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_LAUNCH(unsigned(rows), gpu::kLayerThreads, 0, h->stream, gpu::rmsNormKernel)(x, weight, width, eps, out);
    BF_LAUNCHED(h->device, "rmsNormKernel");
    return 0;
}

BF_API int bf_llm_gpu_silu_multiply(bf_llm_gpu* h, float* a, const float* b, int64_t n, char* msg, size_t len)
{
    if (n <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "silu_multiply: %lld floats", (long long)n);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_LAUNCH(elementGrid(n), gpu::kLayerThreads, 0, h->stream, gpu::siluMultiplyKernel)(a, b, n);
    BF_LAUNCHED(h->device, "siluMultiplyKernel");
    return 0;
}

BF_API int bf_llm_gpu_add(bf_llm_gpu* h, float* x, const float* y, int64_t n, char* msg, size_t len)
{
    if (n <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "add: %lld floats", (long long)n);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_LAUNCH(elementGrid(n), gpu::kLayerThreads, 0, h->stream, gpu::addKernel)(x, y, n);
    BF_LAUNCHED(h->device, "addKernel");
    return 0;
}

namespace {

// rope_store and rope_store_at (firstPosAt: where a captured pass reads its position; null: firstPos).
int ropeStore(bf_llm_gpu* h, float* q, const float* k, const float* v, const float* biasQ, const float* biasK, const float* biasV, int64_t heads,
              int64_t kvHeads, int64_t headSize, const bf_llm_gpu_rope* rope, int64_t tokens, int64_t firstPos, const int64_t* firstPosAt,
              float* cacheKeys, float* cacheValues, char* msg, size_t len)
{
    if (!rope || !hd::attentionShapeValid(heads, kvHeads, headSize, tokens, firstPos) || rope->dims < 0 || rope->dims > headSize || rope->dims % 2 != 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "rope_store: %lld heads, %lld kv heads of %lld, %lld tokens from %lld, rope dims %d (head size ≤ %d)",
                   (long long)heads, (long long)kvHeads, (long long)headSize, (long long)tokens, (long long)firstPos, rope ? rope->dims : -1,
                   gpu::kMaxHeadSize);
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
    BF_TRY(h->device, bfSetDevice, h->device);
    const dim3 grid(unsigned(heads + 2 * kvHeads), unsigned(tokens));
    BF_LAUNCH(grid, unsigned(std::min<int64_t>(headSize, gpu::kLayerThreads)), 0, h->stream, gpu::ropeStoreKernel)(
        q, k, v, biasQ, biasK, biasV, heads, kvHeads, int(headSize), r, r.dims > 0 ? hd::ropeThetaScale(r) : 1.0f, rope->freq_factors, firstPos,
        firstPosAt, cacheKeys, cacheValues);
    BF_LAUNCHED(h->device, "ropeStoreKernel");
    return 0;
}

// attention and attention_at (firstPosAt as for ropeStore; the split-K path only: its grid's
// chunks cover firstPos + tokens, and a replay's position must keep that chunk count).
int attention(bf_llm_gpu* h, const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads, int64_t headSize,
              int64_t tokens, int64_t firstPos, const int64_t* firstPosAt, float* out, char* msg, size_t len)
{
    if (!hd::attentionShapeValid(heads, kvHeads, headSize, tokens, firstPos))
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "attention: %lld heads, %lld kv heads of %lld, %lld tokens from %lld (head size ≤ %d)",
                   (long long)heads, (long long)kvHeads, (long long)headSize, (long long)tokens, (long long)firstPos, gpu::kMaxHeadSize);
    const float scale = 1.0f / std::sqrt(float(headSize));
    if (firstPosAt && tokens > gpu::kMaxTokens)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "attention_at: %lld tokens; a captured pass takes at most %d", (long long)tokens, gpu::kMaxTokens);
    if (tokens > gpu::kMaxTokens) { // a prompt: the fused kernel, no scratch (llm_flash_attention.cuh)
        BF_TRY(h->device, bfSetDevice, h->device);
        const dim3 grid(unsigned(heads), unsigned((tokens + gpu::kFlashQueries - 1) / gpu::kFlashQueries));
        BF_LAUNCH(grid, gpu::kFlashThreads, 0, h->stream, gpu::flashAttentionKernel)(q, cacheKeys, cacheValues, heads, kvHeads, int(headSize), tokens,
                                                                                     firstPos, scale, out);
        BF_LAUNCHED(h->device, "flashAttentionKernel");
        return 0;
    }
    // Generation (a few tokens): split over the positions, then merged.
    const int64_t span = firstPos + tokens, chunks = (span + gpu::kAttentionChunk - 1) / gpu::kAttentionChunk;
    if (chunks > 65535)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "attention: %lld positions is beyond this kernel", (long long)span);
    // The chunks' parts: (max, Σ exp) and the unnormalised sums, in the handle's scratch buffers.
    const size_t partBytes = size_t(tokens * heads * chunks) * sizeof(hd::SoftmaxPart);
    const size_t partialBytes = size_t(tokens * heads * chunks * headSize) * sizeof(float);
    BF_TRY(h->device, bfSetDevice, h->device);
    if (const int code = grow(h, h->act, partBytes, msg, len))
        return code;
    if (const int code = grow(h, h->y, partialBytes, msg, len))
        return code;
    auto* parts = static_cast<hd::SoftmaxPart*>(h->act.data);
    auto* partial = static_cast<float*>(h->y.data);
    BF_LAUNCH(dim3(unsigned(heads), unsigned(tokens), unsigned(chunks)), gpu::kLayerThreads, 0, h->stream, gpu::attentionChunkKernel)(
        q, cacheKeys, cacheValues, heads, kvHeads, int(headSize), firstPos, firstPosAt, scale, parts, partial);
    BF_LAUNCHED(h->device, "attentionChunkKernel");
    BF_LAUNCH(dim3(unsigned(heads), unsigned(tokens)), unsigned(std::min<int64_t>(headSize, gpu::kLayerThreads)), 0, h->stream, gpu::attentionMergeKernel)(
        parts, partial, heads, int(headSize), chunks, out);
    BF_LAUNCHED(h->device, "attentionMergeKernel");
    return 0;
}

} // namespace

BF_API int bf_llm_gpu_rope_store(bf_llm_gpu* h, float* q, const float* k, const float* v, const float* biasQ, const float* biasK, const float* biasV,
                                 int64_t heads, int64_t kvHeads, int64_t headSize, const bf_llm_gpu_rope* rope, int64_t tokens, int64_t firstPos,
                                 float* cacheKeys, float* cacheValues, char* msg, size_t len)
{
    return ropeStore(h, q, k, v, biasQ, biasK, biasV, heads, kvHeads, headSize, rope, tokens, firstPos, nullptr, cacheKeys, cacheValues, msg, len);
}

BF_API int bf_llm_gpu_attention(bf_llm_gpu* h, const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads,
                                int64_t headSize, int64_t tokens, int64_t firstPos, float* out, char* msg, size_t len)
{
    return attention(h, q, cacheKeys, cacheValues, heads, kvHeads, headSize, tokens, firstPos, nullptr, out, msg, len);
}

#include "gpu/llm_gpu_graph_api.cuh" // captured passes: positions on the device, graphs (same translation unit)

#undef BF_API
