// The llm GPU module's C ABI (llm_gpu_api.h) over llm_kernels.cuh: device
// buffers, one non-blocking stream per handle, pinned staging for the
// activations and results, every runtime call checked (llm_gpu_handle.cuh).

#include "gpu/llm_gpu_handle.cuh"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {

__attribute__((visibility("default"))) const char* bf_llm_gpu_runtime(void)
{
#if defined(BF_GPU_SIMT)
    return "SIMT host emulation (tests/gpu/simt)";
#elif defined(BF_GPU_HIP)
    static char text[32];
    std::snprintf(text, sizeof text, "HIP %d", HIP_VERSION);
    return text;
#else
    static char text[32];
    std::snprintf(text, sizeof text, "CUDA %d", CUDART_VERSION);
    return text;
#endif
}

__attribute__((visibility("default"))) int bf_llm_gpu_device_count(int* count, char* msg, size_t len)
{
    *count = 0;
    const bfError_t e = bfGetDeviceCount(count);
    if (e != bfSuccess) {
        *count = 0;
        return say(msg, len, BF_LLM_GPU_NO_DEVICE, "no %s device: %s (%s %d)", kDevicePrefix, bfGetErrorString(e), bfGetErrorName(e), int(e));
    }
    if (*count == 0)
        return say(msg, len, BF_LLM_GPU_NO_DEVICE, "no %s device: the runtime lists none", kDevicePrefix);
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_open(int device, bf_llm_gpu** handle, char* msg, size_t len)
{
    *handle = nullptr;
    int count = 0;
    if (const int code = bf_llm_gpu_device_count(&count, msg, len))
        return code;
    if (device < 0 || device >= count)
        return say(msg, len, BF_LLM_GPU_NO_DEVICE, "%s:%d does not exist: the runtime lists %d device%s (%s:0%s)", kDevicePrefix, device, count,
                   count == 1 ? "" : "s", kDevicePrefix, count > 1 ? " …" : "");
    BF_TRY(device, bfSetDevice, device);
    auto* h = new bf_llm_gpu;
    h->device = device;
    const bfError_t e = bfStreamCreateWithFlags(&h->stream, bfStreamNonBlocking);
    if (e != bfSuccess) {
        delete h;
        return runtimeError(device, msg, len, BF_STR(bfStreamCreateWithFlags), e);
    }
    *handle = h;
    return 0;
}

__attribute__((visibility("default"))) void bf_llm_gpu_close(bf_llm_gpu* h)
{
    if (!h)
        return;
    // Errors here cannot be acted on; the process is told nothing more.
    (void)bfSetDevice(h->device);
    (void)bfStreamSynchronize(h->stream);
    for (Tensor& t : h->tensors)
        (void)bfFree(t.data);
    for (DeviceBuffer* b : {&h->x, &h->act, &h->y})
        if (b->data)
            (void)bfFree(b->data);
    for (void* p : h->allocations)
        (void)bfFree(p);
    if (h->hostStage)
        (void)bfFreeHost(h->hostStage);
    if (h->position)
        (void)bfFree(h->position);
    if (h->positionHost)
        (void)bfFreeHost(h->positionHost);
    for (const auto& g : h->graphs)
        (void)bfGraphExecDestroy(g.exec);
    (void)bfStreamDestroy(h->stream);
    delete h;
}

__attribute__((visibility("default"))) int bf_llm_gpu_describe(bf_llm_gpu* h, char* name, size_t nameLen, uint64_t* freeBytes,
                                                               uint64_t* totalBytes, char* msg, size_t len)
{
    BF_TRY(h->device, bfSetDevice, h->device);
    bfDeviceProp prop;
    BF_TRY(h->device, bfGetDeviceProperties, &prop, h->device);
    std::snprintf(name, nameLen, "%s", prop.name);
    size_t freeMem = 0, totalMem = 0;
    BF_TRY(h->device, bfMemGetInfo, &freeMem, &totalMem);
    *freeBytes = freeMem;
    *totalBytes = totalMem;
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_upload(bf_llm_gpu* h, int type, int64_t rows, int64_t cols, size_t rowBytes,
                                                             const void* host, int* id, char* msg, size_t len)
{
    Format f;
    if (!formatOf(type, f))
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "ggml type %d has no GPU kernel (F32, F16, BF16, Q4_0, Q8_0, Q4_K, Q5_K, Q6_K have)", type);
    if (rows <= 0 || cols <= 0 || cols % f.elements != 0 || rowBytes != rowBytesOf(f, cols) || !host)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "a %lld × %lld matrix of type %d needs %lld columns a multiple of %d and %zu bytes per row, not %zu",
                   (long long)rows, (long long)cols, type, (long long)cols, f.elements, rowBytesOf(f, cols), rowBytes);
    BF_TRY(h->device, bfSetDevice, h->device);
    const size_t bytes = size_t(rows) * rowBytes;
    size_t freeMem = 0, totalMem = 0;
    BF_TRY(h->device, bfMemGetInfo, &freeMem, &totalMem);
    if (bytes > freeMem)
        return say(msg, len, BF_LLM_GPU_OUT_OF_MEMORY, "%s:%d: a %lld × %lld weight matrix needs %.1f MiB, the device has %.1f MiB free of %.1f MiB",
                   kDevicePrefix, h->device, (long long)rows, (long long)cols, bytes / 1048576.0, freeMem / 1048576.0, totalMem / 1048576.0);
    Tensor t{type, rows, cols, rowBytes, nullptr};
    BF_TRY(h->device, bfMalloc, reinterpret_cast<void**>(&t.data), bytes);
    const bfError_t copied = bfMemcpyAsync(t.data, host, bytes, bfMemcpyHostToDevice, h->stream);
    const bfError_t synced = copied == bfSuccess ? bfStreamSynchronize(h->stream) : copied;
    if (synced != bfSuccess) {
        (void)bfFree(t.data);
        return runtimeError(h->device, msg, len, copied != bfSuccess ? BF_STR(bfMemcpyAsync) : BF_STR(bfStreamSynchronize), synced);
    }
    h->tensors.push_back(t);
    *id = int(h->tensors.size() - 1);
    return 0;
}

__attribute__((visibility("default"))) int bf_llm_gpu_convert(bf_llm_gpu* h, int activationType, const float* x, int64_t tokens, int64_t cols,
                                                              void* out, char* msg, size_t len)
{
    Format f;
    if (!activationFormat(activationType, f) || tokens <= 0 || cols <= 0 || cols % f.elements != 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "cannot convert %lld × %lld floats to activation type %d", (long long)tokens, (long long)cols,
                   activationType);
    BF_TRY(h->device, bfSetDevice, h->device);
    const size_t inBytes = size_t(tokens * cols) * 4, outBytes = size_t(tokens) * rowBytesOf(f, cols);
    if (const int code = grow(h, h->x, inBytes, msg, len))
        return code;
    if (const int code = grow(h, h->act, outBytes, msg, len))
        return code;
    BF_TRY(h->device, bfMemcpyAsync, h->x.data, x, inBytes, bfMemcpyHostToDevice, h->stream);
    // Poison (0xFF bytes) first: a byte the kernel never writes shows, instead of an old value.
    h->actTag = {};
    BF_TRY(h->device, bfMemsetAsync, h->act.data, 0xFF, outBytes, h->stream);
    if (activationType == kF32)
        BF_TRY(h->device, bfMemcpyAsync, h->act.data, h->x.data, inBytes, bfMemcpyDeviceToDevice, h->stream);
    else if (const int code = convertOnDevice(h, activationType, tokens, cols, msg, len))
        return code;
    BF_TRY(h->device, bfMemcpyAsync, out, h->act.data, outBytes, bfMemcpyDeviceToHost, h->stream);
    BF_TRY(h->device, bfStreamSynchronize, h->stream);
    return 0;
}

} // extern "C"

namespace {

// The weight matrix `id` of a product over `tokens` rows into w, with the handle's device made
// current; BF_LLM_GPU_BAD_ARGUMENT (said into msg) for an unknown id or no token.
int productWeight(bf_llm_gpu* h, int id, int64_t tokens, const Tensor*& w, char* msg, size_t len)
{
    if (id < 0 || size_t(id) >= h->tensors.size())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "%s:%d holds no weight matrix %d (%zu uploaded)", kDevicePrefix, h->device, id,
                   h->tensors.size());
    if (tokens <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "a matrix product needs at least one token, not %lld", (long long)tokens);
    w = &h->tensors[size_t(id)];
    BF_TRY(h->device, bfSetDevice, h->device);
    return 0;
}

// The matrix-vector kernels of one product on device memory: act holds `tokens` rows of
// actRowBytes in the weight's activation format, out receives tokens × w.rows floats; up to
// gpu::kMaxTokens tokens in one launch, more (a prompt) in launches of gpu::kPromptTokens,
// queued on the handle's stream. Every output has the same bits whatever the grouping.
int enqueueMatvecs(bf_llm_gpu* h, const Tensor& w, const uint8_t* act, size_t actRowBytes, int64_t tokens, float* out, char* msg, size_t len)
{
    const int64_t group = tokens <= gpu::kMaxTokens ? gpu::kMaxTokens : gpu::kPromptTokens;
    for (int64_t t0 = 0; t0 < tokens; t0 += group) {
        const int n = int(tokens - t0 < group ? tokens - t0 : group);
        matvec(w, act + size_t(t0) * actRowBytes, actRowBytes, n, out + size_t(t0) * size_t(w.rows), h->stream);
        BF_LAUNCHED(h->device, "matvecKernel");
    }
    return 0;
}

// The copies and kernels of one product, queued on the handle's stream (y poisoned first).
int enqueueMatmul(bf_llm_gpu* h, const Tensor& w, const Format& f, size_t inBytes, size_t outBytes, size_t actRowBytes, int64_t tokens, char* msg,
                  size_t len)
{
    BF_TRY(h->device, bfMemcpyAsync, h->x.data, h->hostStage, inBytes, bfMemcpyHostToDevice, h->stream);
    // Poison (0xFF bytes: NaN) first: an output the kernels never write shows as NaN.
    BF_TRY(h->device, bfMemsetAsync, h->y.data, 0xFF, outBytes, h->stream);
    const uint8_t* act = static_cast<const uint8_t*>(h->x.data);
    if (f.activation != kF32) {
        if (const int code = convertOnDevice(h, f.activation, tokens, w.cols, msg, len))
            return code;
        act = static_cast<const uint8_t*>(h->act.data);
    }
    if (const int code = enqueueMatvecs(h, w, act, actRowBytes, tokens, static_cast<float*>(h->y.data), msg, len))
        return code;
    BF_TRY(h->device, bfMemcpyAsync, h->hostStage, h->y.data, outBytes, bfMemcpyDeviceToHost, h->stream);
    return 0;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int bf_llm_gpu_matmul(bf_llm_gpu* h, int id, const float* x, int64_t tokens, float* y, char* msg,
                                                             size_t len)
{
    const Tensor* weight = nullptr;
    if (const int code = productWeight(h, id, tokens, weight, msg, len))
        return code;
    const Tensor& w = *weight;
    Format f, a;
    formatOf(w.type, f);
    activationFormat(f.activation, a);
    const size_t inBytes = size_t(tokens * w.cols) * 4, outBytes = size_t(tokens * w.rows) * 4;
    const size_t actRowBytes = rowBytesOf(a, w.cols);
    if (int code = grow(h, h->x, inBytes, msg, len))
        return code;
    if (int code = grow(h, h->act, size_t(tokens) * actRowBytes, msg, len))
        return code;
    if (int code = grow(h, h->y, outBytes, msg, len))
        return code;
    if (int code = growHostStage(h, inBytes > outBytes ? inBytes : outBytes, msg, len))
        return code;
    std::memcpy(h->hostStage, x, inBytes);
    const int code = enqueueMatmul(h, w, f, inBytes, outBytes, actRowBytes, tokens, msg, len);
    // Always waited for, also after an error: the pinned staging buffer is reused by the next call.
    const bfError_t synced = bfStreamSynchronize(h->stream);
    if (code)
        return code;
    if (synced != bfSuccess)
        return runtimeError(h->device, msg, len, BF_STR(bfStreamSynchronize), synced);
    std::memcpy(y, h->hostStage, outBytes);
    return 0;
}

} // extern "C"

#include "gpu/llm_gpu_bench_api.cuh" // the benchmarks' C ABI (same translation unit)
#include "gpu/llm_gpu_layer_api.cuh"  // the layer operations' C ABI (same translation unit)
