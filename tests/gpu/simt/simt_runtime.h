#pragma once

// SIMT host emulation: the GPU module's own kernel source, compiled by the
// host compiler, run on the CPU with the execution model the kernels assume,
// so that the CPU suite runs the real kernels (their indexing, shared memory,
// barriers and warp shuffles), not a re-implementation of them.
//
// - Each thread block runs on one worker thread of a pool; each of its GPU
//   threads is a fiber (glibc ucontext) with a stack of its own. Fibers run
//   one at a time, in thread order, until a barrier: `__syncthreads()` (every
//   live thread of the block) or a warp shuffle (every lane of the warp).
//   A barrier that can never complete — some threads at `__syncthreads`,
//   others at a shuffle or finished inside a warp that shuffles — fails the
//   launch with a message (on a GPU that is a hang or undefined behaviour).
// - `__shared__` is `static thread_local`: one copy per worker, shared by the
//   fibers of the block it runs.
// - Streams execute in order at the call (no concurrency to model); capture
//   records launches and copies into a graph that a launch replays. As with
//   cudaStreamCaptureModeThreadLocal, a call that a capture cannot record
//   (an allocation or free, a synchronous copy, a synchronisation, work on the
//   default stream), made on the capturing thread, fails with
//   bfErrorStreamCaptureUnsupported and invalidates the capture: its end
//   fails with bfErrorStreamCaptureInvalidated (the stream records no more).
// - Device memory is host memory, filled with 0xFF bytes when allocated (a
//   float NaN, an int −1) so that reading what no kernel wrote shows.
//
// Activated by BF_GPU_SIMT (gpu_portability.h includes this header).
// Environment: BF_SIMT_MEMORY_MIB (the memory the one device reports, default 4096);
// BF_SIMT_FAIL_CAPTURE, for tests of a caller's recovery: "end" fails every
// capture's end as an invalidated one, "instantiate" every instantiation of a
// captured graph (bfErrorNotSupported).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static thread_local
#define __launch_bounds__(...)

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) uint4 {
    unsigned x, y, z, w;
};

// The executing thread's coordinates (set by the scheduler before each fiber runs).
extern thread_local dim3 threadIdx;
extern thread_local dim3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;

void __syncthreads();

// ---- runtime ------------------------------------------------------------------------------

enum bfError_t : int {
    bfSuccess = 0,
    bfErrorInvalidValue = 1,
    bfErrorMemoryAllocation = 2,
    bfErrorInvalidConfiguration = 9,
    bfErrorInvalidDevice = 101,
    bfErrorNoDevice = 100,
    bfErrorLaunchFailure = 719,
    bfErrorNotSupported = 801,
    bfErrorStreamCaptureUnsupported = 900,
    bfErrorStreamCaptureInvalidated = 901,
};

namespace bfsimt {
struct Stream;
struct Event;
struct Graph;
} // namespace bfsimt
using bfStream_t = bfsimt::Stream*;
using bfEvent_t = bfsimt::Event*;
using bfGraph_t = bfsimt::Graph*;
using bfGraphExec_t = bfsimt::Graph*;

enum bfMemcpyKind : int { bfMemcpyHostToDevice = 1, bfMemcpyDeviceToHost = 2, bfMemcpyDeviceToDevice = 3 };
constexpr unsigned bfStreamNonBlocking = 1;
constexpr int bfStreamCaptureModeThreadLocal = 1;

struct bfDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int multiProcessorCount;
    int major, minor;
};

bfError_t bfGetDeviceCount(int* count);
bfError_t bfSetDevice(int device);
bfError_t bfGetDeviceProperties(bfDeviceProp* prop, int device);
bfError_t bfMemGetInfo(size_t* freeBytes, size_t* totalBytes);
bfError_t bfMalloc(void** p, size_t bytes);
template <class T>
bfError_t bfMalloc(T** p, size_t bytes)
{
    void* v = nullptr;
    const bfError_t e = bfMalloc(&v, bytes);
    *p = static_cast<T*>(v);
    return e;
}
bfError_t bfFree(void* p);
bfError_t bfMallocHost(void** p, size_t bytes);
bfError_t bfFreeHost(void* p);
bfError_t bfMemcpy(void* dst, const void* src, size_t bytes, bfMemcpyKind kind);
bfError_t bfMemcpyAsync(void* dst, const void* src, size_t bytes, bfMemcpyKind kind, bfStream_t stream);
bfError_t bfMemsetAsync(void* p, int value, size_t bytes, bfStream_t stream);
bfError_t bfDeviceSynchronize();
bfError_t bfGetLastError();
const char* bfGetErrorString(bfError_t e);
const char* bfGetErrorName(bfError_t e);
bfError_t bfStreamCreateWithFlags(bfStream_t* stream, unsigned flags);
bfError_t bfStreamDestroy(bfStream_t stream);
bfError_t bfStreamSynchronize(bfStream_t stream);
bfError_t bfEventCreate(bfEvent_t* event);
bfError_t bfEventDestroy(bfEvent_t event);
bfError_t bfEventRecord(bfEvent_t event, bfStream_t stream);
bfError_t bfEventSynchronize(bfEvent_t event);
bfError_t bfEventElapsedTime(float* ms, bfEvent_t start, bfEvent_t stop);
bfError_t bfStreamBeginCapture(bfStream_t stream, int mode);
bfError_t bfStreamEndCapture(bfStream_t stream, bfGraph_t* graph);
bfError_t bfGraphInstantiateWithFlags(bfGraphExec_t* exec, bfGraph_t graph, unsigned long long flags);
bfError_t bfGraphLaunch(bfGraphExec_t exec, bfStream_t stream);
bfError_t bfGraphExecDestroy(bfGraphExec_t exec);
bfError_t bfGraphDestroy(bfGraph_t graph);
// Clears a failed launch's sticky error (as cudaDeviceReset would, without freeing memory): tests only.
bfError_t bfDeviceReset();

namespace bfsimt {

// Runs `kernel` over grid × block now, or records it when the stream is capturing. A bad
// configuration (a dimension of 0, more than 1024 threads a block) is bfGetLastError's.
void launch(dim3 grid, dim3 block, bfStream_t stream, const char* name, std::function<void()> kernel);

// Exchanges one 64-bit value among the 32 lanes of the calling thread's warp: returns the value
// lane `source` (0 … 31) gave. Every lane of the warp must call it from the same place (`site`,
// a string literal naming the source line: lanes at shuffles in different branches fail the
// launch, where a GPU would be undefined).
uint64_t exchange(uint64_t bits, int source, const char* site);
int laneId();

// exchange() for any value of up to 8 bytes.
template <class T>
T exchangeValue(T value, int source, const char* site)
{
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8, "a shuffle moves up to 8 bytes");
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    const uint64_t out = exchange(bits, source, site);
    T result;
    std::memcpy(&result, &out, sizeof(T));
    return result;
}

// __shfl_xor_sync: the value of lane ^ mask; where that lies in a later segment of `width` lanes,
// the caller's own (CUDA's rule: a segment may read earlier segments, not later ones).
template <class T>
T shflXor(T value, int mask, int width, const char* site)
{
    const int lane = laneId();
    const int source = (lane ^ mask) % 32;
    return exchangeValue(value, source / width > lane / width ? lane : source, site);
}

// __shfl_sync: the value lane `source` of the caller's segment of `width` lanes gives (source
// taken modulo width, as CUDA takes it).
template <class T>
T shfl(T value, int source, int width, const char* site)
{
    return exchangeValue(value, laneId() / width * width + ((source % width) + width) % width, site);
}

#define BF_SIMT_STR2(x) #x
#define BF_SIMT_STR(x) BF_SIMT_STR2(x)
#define BF_SIMT_SITE __FILE__ ":" BF_SIMT_STR(__LINE__)

template <class... P>
struct Launcher {
    dim3 grid, block;
    bfStream_t stream;
    const char* name;
    void (*kernel)(P...);
    template <class... A>
    void operator()(A&&... args) const
    {
        // Arguments are copied at the launch, as a GPU launch copies them.
        launch(grid, block, stream, name,
               [k = kernel, values = std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)] { std::apply(k, values); });
    }
};

template <class... P>
Launcher<P...> launcher(dim3 grid, dim3 block, size_t sharedBytes, bfStream_t stream, const char* name, void (*kernel)(P...))
{
    (void)sharedBytes; // dynamic shared memory is not emulated (no kernel uses it)
    return {grid, block, stream, name, kernel};
}

} // namespace bfsimt
