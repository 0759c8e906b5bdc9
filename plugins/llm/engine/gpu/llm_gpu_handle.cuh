// Internals of the llm GPU module (one translation unit: included by llm_gpu_api.cu only):
// the weight formats and their block sizes, checked runtime calls that turn a failure into a
// message naming the device, the call and the code, the handle (device buffers that only grow,
// one non-blocking stream, pinned staging), activation conversion and the matrix-vector launch.

#pragma once

#include "gpu/llm_gpu_api.h"
#include "gpu/llm_kernels.cuh"

#include <cstdarg>
#include <cstdio>
#include <vector>

using namespace bioforge::llm;

namespace {

constexpr int kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_0 = 8, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kQ8_K = 15, kBF16 = 30;

struct Format {
    int elements;   // per block
    size_t bytes;   // per block
    int activation; // the type activations are converted to
};

bool formatOf(int type, Format& f)
{
    switch (type) {
    case kF32: f = {1, 4, kF32}; return true;
    case kF16: f = {1, 2, kF16}; return true;
    case kBF16: f = {1, 2, kBF16}; return true;
    case kQ4_0: f = {kQK4_0, sizeof(BlockQ4_0), kQ8_0}; return true;
    case kQ8_0: f = {kQK8_0, sizeof(BlockQ8_0), kQ8_0}; return true;
    case kQ4_K: f = {kQK_K, sizeof(BlockQ4_K), kQ8_K}; return true;
    case kQ5_K: f = {kQK_K, sizeof(BlockQ5_K), kQ8_K}; return true;
    case kQ6_K: f = {kQK_K, sizeof(BlockQ6_K), kQ8_K}; return true;
    default: return false;
    }
}

bool activationFormat(int type, Format& f)
{
    switch (type) {
    case kF32: f = {1, 4, kF32}; return true;
    case kF16: f = {1, 2, kF16}; return true;
    case kBF16: f = {1, 2, kBF16}; return true;
    case kQ8_0: f = {kQK8_0, sizeof(BlockQ8_0), kQ8_0}; return true;
    case kQ8_K: f = {kQK_K, sizeof(BlockQ8_K), kQ8_K}; return true;
    default: return false;
    }
}

size_t rowBytesOf(const Format& f, int64_t cols) { return size_t(cols / f.elements) * f.bytes; }

struct Tensor {
    int type = 0;
    int64_t rows = 0, cols = 0;
    size_t rowBytes = 0;
    uint8_t* data = nullptr;
};

int say(char* msg, size_t len, int code, const char* format, ...)
{
    if (msg && len) {
        va_list args;
        va_start(args, format);
        std::vsnprintf(msg, len, format, args);
        va_end(args);
    }
    return code;
}

#if defined(BF_GPU_SIMT) // the host emulation the CPU suite runs the kernels on (tests/gpu/simt)
constexpr const char* kDevicePrefix = "simt";
bool isOutOfMemory(bfError_t e) { return e == bfErrorMemoryAllocation; }
bool isNoDevice(bfError_t e) { return e == bfErrorNoDevice; }
#elif defined(BF_GPU_HIP)
constexpr const char* kDevicePrefix = "hip";
bool isOutOfMemory(bfError_t e) { return e == hipErrorOutOfMemory; }
bool isNoDevice(bfError_t e) { return e == hipErrorNoDevice || e == hipErrorInsufficientDriver; }
#else
constexpr const char* kDevicePrefix = "cuda";
bool isOutOfMemory(bfError_t e) { return e == cudaErrorMemoryAllocation; }
bool isNoDevice(bfError_t e) { return e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver; }
#endif

// A failed runtime call's error for the caller. The runtime also keeps it as the thread's last
// error, which the next launch's check (BF_LAUNCHED) would report as its own: a graph that could
// not be instantiated would fail the kernel-by-kernel pass run in its place. Read here, it no
// longer does; an execution fault stays (the runtime's sticky error), as it should.
int runtimeError(int device, char* msg, size_t len, const char* call, bfError_t e)
{
    (void)bfGetLastError();
    const int code = isOutOfMemory(e) ? BF_LLM_GPU_OUT_OF_MEMORY : isNoDevice(e) ? BF_LLM_GPU_NO_DEVICE : BF_LLM_GPU_RUNTIME;
    return say(msg, len, code, "%s:%d: %s: %s (%s %d)", kDevicePrefix, device, call, bfGetErrorString(e), bfGetErrorName(e), int(e));
}

#define BF_STR2(x) #x
#define BF_STR(x) BF_STR2(x)
// Runs a runtime call; on failure returns its error, naming the call.
#define BF_TRY(device, fn, ...)                                                                                                     \
    do {                                                                                                                           \
        const bfError_t e_ = fn(__VA_ARGS__);                                                                                      \
        if (e_ != bfSuccess)                                                                                                       \
            return runtimeError((device), msg, len, BF_STR(fn), e_);                                                               \
    } while (0)
// After a launch: a bad configuration shows here, an execution error at the next synchronisation.
#define BF_LAUNCHED(device, kernel)                                                                                                \
    do {                                                                                                                           \
        const bfError_t e_ = bfGetLastError();                                                                                     \
        if (e_ != bfSuccess)                                                                                                       \
            return runtimeError((device), msg, len, "launch " kernel, e_);                                                         \
    } while (0)

// A device buffer that only grows.
struct DeviceBuffer {
    void* data = nullptr;
    size_t bytes = 0;
};

unsigned gridFor(int64_t units, int64_t perBlock) { return unsigned((units + perBlock - 1) / perBlock); }

} // namespace

struct bf_llm_gpu {
    int device = 0;
    bfStream_t stream = nullptr;
    std::vector<Tensor> tensors;
    DeviceBuffer x, act, y;
    void* hostStage = nullptr; // pinned: activations in, results out
    size_t hostStageBytes = 0;
    std::vector<void*> allocations; // bf_llm_gpu_alloc's, freed by bf_llm_gpu_close if not before
    // What act holds when it holds a device product's converted activations (matmul_device):
    // the source, its shape and the activation type; cleared by anything else that writes act.
    struct ActivationTag {
        const float* from = nullptr;
        int64_t tokens = 0, cols = 0;
        int type = -1;
    } actTag;
    // Captured passes (llm_gpu_graph_api.cuh): the step's position on the device, written from
    // pinned memory before each replay; the graphs instantiated so far.
    int64_t* position = nullptr;
    int64_t* positionHost = nullptr;
    bool capturing = false;
    // Each graph with the buffer epoch it was captured in: the split-K attention's graphs name
    // act and y, which grow() may move; a graph of an older epoch must not be launched.
    struct Graph {
        bfGraphExec_t exec;
        uint64_t epoch;
    };
    std::vector<Graph> graphs;
    uint64_t bufferEpoch = 0; // counts grow()'s reallocations of x, act and y
};

namespace {

int grow(bf_llm_gpu* h, DeviceBuffer& buffer, size_t bytes, char* msg, size_t len)
{
    if (&buffer == &h->act)
        h->actTag = {}; // its caller is about to write it
    if (buffer.bytes >= bytes)
        return 0;
    if (buffer.data) {
        // Work queued on the stream may still read it (bfFree happens to synchronise the whole
        // device on both runtimes, but nothing promises that).
        BF_TRY(h->device, bfStreamSynchronize, h->stream);
        BF_TRY(h->device, bfFree, buffer.data);
    }
    buffer = {};
    ++h->bufferEpoch; // a captured pass that named the old buffer is stale from here on
    BF_TRY(h->device, bfMalloc, &buffer.data, bytes);
    buffer.bytes = bytes;
    return 0;
}

int growHostStage(bf_llm_gpu* h, size_t bytes, char* msg, size_t len)
{
    if (h->hostStageBytes >= bytes)
        return 0;
    if (h->hostStage)
        BF_TRY(h->device, bfFreeHost, h->hostStage);
    h->hostStage = nullptr;
    h->hostStageBytes = 0;
    BF_TRY(h->device, bfMallocHost, &h->hostStage, bytes);
    h->hostStageBytes = bytes;
    return 0;
}

// Converts tokens × cols floats at `source` (device memory; h->x by default) to `activationType` in h->act.
int convertOnDevice(bf_llm_gpu* h, int activationType, int64_t tokens, int64_t cols, char* msg, size_t len, const float* source = nullptr)
{
    const auto* x = source ? source : static_cast<const float*>(h->x.data);
    h->actTag = {};
    constexpr int threads = gpu::kTeamsPerBlock * BF_TEAM;
    switch (activationType) {
    case kQ8_0:
        BF_LAUNCH(gridFor(tokens * (cols / kQK8_0), gpu::kTeamsPerBlock), threads, 0, h->stream, gpu::convertQ8_0Kernel)(
            x, cols, tokens, static_cast<BlockQ8_0*>(h->act.data));
        BF_LAUNCHED(h->device, "convertQ8_0Kernel");
        return 0;
    case kQ8_K:
        BF_LAUNCH(gridFor(tokens * (cols / kQK_K), gpu::kTeamsPerBlock), threads, 0, h->stream, gpu::convertQ8_KKernel)(
            x, cols, tokens, static_cast<BlockQ8_K*>(h->act.data));
        BF_LAUNCHED(h->device, "convertQ8_KKernel");
        return 0;
    case kF16:
        BF_LAUNCH(gridFor(tokens * cols, 256), 256, 0, h->stream, gpu::convertF16Kernel)(x, tokens * cols, static_cast<uint16_t*>(h->act.data));
        BF_LAUNCHED(h->device, "convertF16Kernel");
        return 0;
    case kBF16:
        BF_LAUNCH(gridFor(tokens * cols, 256), 256, 0, h->stream, gpu::convertBF16Kernel)(x, tokens * cols, static_cast<uint16_t*>(h->act.data));
        BF_LAUNCHED(h->device, "convertBF16Kernel");
        return 0;
    default: return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "activation type %d is not one the GPU module converts to", activationType);
    }
}

template <class Format, gpu::RowKind Kind>
void launchMatvec(const Tensor& w, const uint8_t* act, size_t actRowBytes, int tokens, float* y, bfStream_t stream)
{
    const unsigned grid = gridFor(w.rows, gpu::kTeamsPerBlock), threads = gpu::kTeamsPerBlock * BF_TEAM;
    if (tokens <= gpu::kMaxTokens)
        BF_LAUNCH(grid, threads, 0, stream, gpu::matvecKernel<Format, Kind, gpu::kMaxTokens>)(w.data, w.rowBytes, w.rows, w.cols, act,
                                                                                             actRowBytes, tokens, y);
    else
        BF_LAUNCH(grid, threads, 0, stream, gpu::matvecKernel<Format, Kind, gpu::kPromptTokens>)(w.data, w.rowBytes, w.rows, w.cols, act,
                                                                                                actRowBytes, tokens, y);
}

// y = W · act for 1 .. gpu::kPromptTokens tokens (one launch).
void matvec(const Tensor& w, const uint8_t* act, size_t actRowBytes, int tokens, float* y, bfStream_t stream)
{
    using gpu::RowKind;
    switch (w.type) {
    case kF32: launchMatvec<gpu::RowF32, RowKind::Elements>(w, act, actRowBytes, tokens, y, stream); break;
    case kF16: launchMatvec<gpu::RowF16, RowKind::Elements>(w, act, actRowBytes, tokens, y, stream); break;
    case kBF16: launchMatvec<gpu::RowBF16, RowKind::Elements>(w, act, actRowBytes, tokens, y, stream); break;
    case kQ4_0: launchMatvec<gpu::RowQ4_0, RowKind::Parts>(w, act, actRowBytes, tokens, y, stream); break;
    case kQ8_0: launchMatvec<gpu::RowQ8_0, RowKind::Parts>(w, act, actRowBytes, tokens, y, stream); break;
    case kQ4_K: launchMatvec<gpu::RowQ4_K, RowKind::Parts>(w, act, actRowBytes, tokens, y, stream); break;
    case kQ5_K: launchMatvec<gpu::RowQ5_K, RowKind::Parts>(w, act, actRowBytes, tokens, y, stream); break;
    case kQ6_K: launchMatvec<gpu::RowQ6_K, RowKind::Parts>(w, act, actRowBytes, tokens, y, stream); break;
    default: break; // refused at upload
    }
}

} // namespace
