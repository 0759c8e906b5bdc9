// SIMT host emulation (simt_runtime.h): the runtime calls — one device whose memory is host
// memory (exact sizes, 256-byte aligned, NaN-filled), streams that run in order at the call,
// events on the host clock, and graphs that replay what a capture recorded.

#include "simt_internal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

using namespace bfsimt;

namespace {

std::mutex g_memoryMutex;
std::unordered_map<void*, size_t> g_allocations;
size_t g_allocated = 0;

// The stream capturing on this thread (at most one: the module captures one pass at a time).
thread_local bfStream_t tlCapturing = nullptr;

bool failCapture(const char* what)
{
    const char* env = std::getenv("BF_SIMT_FAIL_CAPTURE");
    return env && std::strcmp(env, what) == 0;
}

size_t deviceBytes()
{
    const char* env = std::getenv("BF_SIMT_MEMORY_MIB");
    const long long mib = env ? std::atoll(env) : 4096;
    return size_t(mib > 0 ? mib : 4096) << 20;
}

} // namespace

bfError_t bfsimt::unrecordable(bfStream_t stream)
{
    if (!tlCapturing || stream)
        return bfSuccess;
    tlCapturing->invalidated = true;
    return record(bfErrorStreamCaptureUnsupported);
}

bfError_t bfGetDeviceCount(int* count)
{
    *count = 1;
    return bfSuccess;
}

bfError_t bfSetDevice(int device) { return record(device == 0 ? bfSuccess : bfErrorInvalidDevice); }

bfError_t bfGetDeviceProperties(bfDeviceProp* prop, int device)
{
    if (device != 0)
        return record(bfErrorInvalidDevice);
    *prop = {};
    std::snprintf(prop->name, sizeof prop->name, "SIMT host emulation");
    prop->totalGlobalMem = deviceBytes();
    prop->multiProcessorCount = int(std::thread::hardware_concurrency());
    return bfSuccess;
}

bfError_t bfMemGetInfo(size_t* freeBytes, size_t* totalBytes)
{
    std::lock_guard lock(g_memoryMutex);
    *totalBytes = deviceBytes();
    *freeBytes = *totalBytes > g_allocated ? *totalBytes - g_allocated : 0;
    return bfSuccess;
}

bfError_t bfMalloc(void** p, size_t bytes)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    *p = nullptr;
    {
        std::lock_guard lock(g_memoryMutex);
        if (g_allocated + bytes > deviceBytes())
            return record(bfErrorMemoryAllocation);
        g_allocated += bytes;
    }
    // The exact size (256-byte aligned, as cudaMalloc's): under AddressSanitizer a read past the
    // end of a buffer is reported.
    void* m = nullptr;
    if (posix_memalign(&m, 256, std::max<size_t>(bytes, 1)) != 0)
        m = nullptr;
    if (!m) {
        std::lock_guard lock(g_memoryMutex);
        g_allocated -= bytes;
        return record(bfErrorMemoryAllocation);
    }
    std::memset(m, 0xFF, bytes);
    std::lock_guard lock(g_memoryMutex);
    g_allocations[m] = bytes;
    *p = m;
    return bfSuccess;
}

bfError_t bfFree(void* p)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    if (!p)
        return bfSuccess;
    std::lock_guard lock(g_memoryMutex);
    const auto it = g_allocations.find(p);
    if (it == g_allocations.end())
        return record(bfErrorInvalidValue);
    g_allocated -= it->second;
    g_allocations.erase(it);
    std::free(p);
    return bfSuccess;
}

bfError_t bfMallocHost(void** p, size_t bytes)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    *p = std::aligned_alloc(256, (std::max<size_t>(bytes, 1) + 255) / 256 * 256);
    return *p ? bfSuccess : record(bfErrorMemoryAllocation);
}

bfError_t bfFreeHost(void* p)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    std::free(p);
    return bfSuccess;
}

bfError_t bfMemcpy(void* dst, const void* src, size_t bytes, bfMemcpyKind)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    if (sticky() != bfSuccess)
        return sticky();
    if (bytes)
        std::memmove(dst, src, bytes);
    return bfSuccess;
}

bfError_t bfMemcpyAsync(void* dst, const void* src, size_t bytes, bfMemcpyKind, bfStream_t stream)
{
    if (const bfError_t e = unrecordable(stream); e != bfSuccess)
        return e;
    if (sticky() != bfSuccess)
        return sticky();
    enqueue(stream, [=] {
        if (bytes && sticky() == bfSuccess)
            std::memmove(dst, src, bytes);
    });
    return bfSuccess;
}

bfError_t bfMemsetAsync(void* p, int value, size_t bytes, bfStream_t stream)
{
    if (const bfError_t e = unrecordable(stream); e != bfSuccess)
        return e;
    if (sticky() != bfSuccess)
        return sticky();
    enqueue(stream, [=] {
        if (sticky() == bfSuccess)
            std::memset(p, value, bytes);
    });
    return bfSuccess;
}

bfError_t bfDeviceSynchronize()
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    return record(sticky());
}

bfError_t bfGetLastError() { return takeLastError(); }

const char* bfGetErrorString(bfError_t e)
{
    switch (e) {
    case bfSuccess: return "no error";
    case bfErrorInvalidValue: return "invalid argument";
    case bfErrorMemoryAllocation: return "out of memory";
    case bfErrorInvalidConfiguration: return "invalid configuration argument";
    case bfErrorInvalidDevice: return "invalid device ordinal";
    case bfErrorNoDevice: return "no SIMT device";
    case bfErrorLaunchFailure: return "unspecified launch failure (see the simt: line on stderr)";
    case bfErrorNotSupported: return "operation not supported";
    case bfErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
    case bfErrorStreamCaptureInvalidated: return "operation failed due to a previous error during capture";
    }
    return "unknown error";
}

const char* bfGetErrorName(bfError_t e)
{
    switch (e) {
    case bfSuccess: return "simtSuccess";
    case bfErrorInvalidValue: return "simtErrorInvalidValue";
    case bfErrorMemoryAllocation: return "simtErrorMemoryAllocation";
    case bfErrorInvalidConfiguration: return "simtErrorInvalidConfiguration";
    case bfErrorInvalidDevice: return "simtErrorInvalidDevice";
    case bfErrorNoDevice: return "simtErrorNoDevice";
    case bfErrorLaunchFailure: return "simtErrorLaunchFailure";
    case bfErrorNotSupported: return "simtErrorNotSupported";
    case bfErrorStreamCaptureUnsupported: return "simtErrorStreamCaptureUnsupported";
    case bfErrorStreamCaptureInvalidated: return "simtErrorStreamCaptureInvalidated";
    }
    return "simtErrorUnknown";
}

bfError_t bfStreamCreateWithFlags(bfStream_t* stream, unsigned)
{
    *stream = new Stream;
    return bfSuccess;
}

bfError_t bfStreamDestroy(bfStream_t stream)
{
    if (tlCapturing == stream) // destroyed while capturing: the capture ends with it
        tlCapturing = nullptr;
    delete stream;
    return bfSuccess;
}

bfError_t bfStreamSynchronize(bfStream_t stream)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    return record(sticky());
}

bfError_t bfEventCreate(bfEvent_t* event)
{
    *event = new Event;
    return bfSuccess;
}

bfError_t bfEventDestroy(bfEvent_t event)
{
    delete event;
    return bfSuccess;
}

bfError_t bfEventRecord(bfEvent_t event, bfStream_t stream)
{
    if (stream && stream->capturing) { // a GPU records it as a graph node; not emulated
        stream->invalidated = true;
        return record(bfErrorStreamCaptureUnsupported);
    }
    event->at = std::chrono::steady_clock::now();
    return bfSuccess;
}

bfError_t bfEventSynchronize(bfEvent_t)
{
    if (const bfError_t e = unrecordable(); e != bfSuccess)
        return e;
    return record(sticky());
}

bfError_t bfEventElapsedTime(float* ms, bfEvent_t start, bfEvent_t stop)
{
    *ms = std::chrono::duration<float, std::milli>(stop->at - start->at).count();
    return bfSuccess;
}

bfError_t bfStreamBeginCapture(bfStream_t stream, int)
{
    if (!stream || stream->capturing || tlCapturing)
        return record(bfErrorInvalidValue);
    stream->capturing = true;
    stream->invalidated = false;
    stream->captured.clear();
    tlCapturing = stream;
    return bfSuccess;
}

bfError_t bfStreamEndCapture(bfStream_t stream, bfGraph_t* graph)
{
    *graph = nullptr;
    if (!stream || !stream->capturing)
        return record(bfErrorInvalidValue);
    stream->capturing = false;
    if (tlCapturing == stream)
        tlCapturing = nullptr;
    std::vector<std::function<void()>> steps = std::move(stream->captured);
    stream->captured.clear();
    if (stream->invalidated || failCapture("end")) {
        stream->invalidated = false;
        return record(bfErrorStreamCaptureInvalidated);
    }
    *graph = new Graph{std::move(steps)};
    return bfSuccess;
}

bfError_t bfGraphInstantiateWithFlags(bfGraphExec_t* exec, bfGraph_t graph, unsigned long long)
{
    *exec = nullptr;
    if (!graph)
        return record(bfErrorInvalidValue);
    if (failCapture("instantiate"))
        return record(bfErrorNotSupported);
    *exec = new Graph{graph->steps};
    return bfSuccess;
}

bfError_t bfGraphLaunch(bfGraphExec_t exec, bfStream_t stream)
{
    if (!exec)
        return record(bfErrorInvalidValue);
    if (const bfError_t e = unrecordable(stream); e != bfSuccess)
        return e;
    for (const auto& step : exec->steps)
        enqueue(stream, step);
    return bfSuccess;
}

bfError_t bfGraphExecDestroy(bfGraphExec_t exec)
{
    delete exec;
    return bfSuccess;
}

bfError_t bfGraphDestroy(bfGraph_t graph)
{
    delete graph;
    return bfSuccess;
}

bfError_t bfDeviceReset()
{
    resetErrors();
    return bfSuccess;
}
