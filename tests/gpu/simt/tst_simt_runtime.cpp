// The SIMT host emulation itself (simt_runtime.h): what the kernels rely on — shared memory and
// __syncthreads across a block, warp shuffles (xor, with a width), every block of a grid once —
// and what it must refuse: barriers that cannot complete, a shuffle after lanes exited, a launch
// of a bad shape, a call a stream capture cannot record. Without these, a kernel test passing on the emulation would mean little.

#include "simt_runtime.h"

#include <cfenv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#define bfShflXor32(value, mask) ::bfsimt::shflXor((value), (mask), 32, BF_SIMT_SITE)
#define BF_LAUNCH(grid, block, sharedBytes, stream, ...) ::bfsimt::launcher((grid), (block), (sharedBytes), (stream), #__VA_ARGS__, &__VA_ARGS__)

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what)
{
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    g_failures += ok ? 0 : 1;
}

constexpr int kThreads = 256;

// out[b] = Σ in[b · kThreads + i]: a tree in shared memory, as the layer kernels reduce.
__global__ void blockSum(const int* in, int* out)
{
    __shared__ int partial[kThreads];
    partial[threadIdx.x] = in[blockIdx.x * kThreads + threadIdx.x];
    __syncthreads();
    for (int stride = kThreads / 2; stride > 0; stride >>= 1) {
        if (int(threadIdx.x) < stride)
            partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        out[blockIdx.x] = partial[0];
}

// Each lane's value is its lane + 1; a butterfly of `width` lanes sums its segment.
__global__ void butterfly(int width, int* out)
{
    int v = int(threadIdx.x % 32) + 1;
    for (int mask = width / 2; mask > 0; mask >>= 1)
        v += ::bfsimt::shflXor(v, mask, width, BF_SIMT_SITE);
    out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}

// Which lane a shuffle reads: every lane takes its xor partner's index, across a width of 32.
__global__ void partner(int mask, int* out)
{
    out[threadIdx.x] = bfShflXor32(int(threadIdx.x), mask);
}

__global__ void partnerWidth16(int* out)
{
    out[threadIdx.x] = ::bfsimt::shflXor(int(threadIdx.x), 16, 16, BF_SIMT_SITE);
}

// Every lane takes lane `source`'s value (its thread index) within segments of `width`.
__global__ void broadcast(int source, int width, int* out)
{
    out[threadIdx.x] = ::bfsimt::shfl(int(threadIdx.x), source, width, BF_SIMT_SITE);
}

// Odd and even lanes shuffle at different places (different branches).
__global__ void divergentShuffles(int* out)
{
    int v = 0;
    if (threadIdx.x % 2)
        v = bfShflXor32(1, 1);
    else
        v = bfShflXor32(2, 1);
    out[threadIdx.x] = v;
}

// Σ of the block's thread indices: each warp's butterfly, the 8 warps' sums through shared memory
// and __syncthreads, then warp 0's butterfly over them (warp and block barriers mixed, as the
// attention kernels mix them).
__global__ void warpsThenBlock(int* out)
{
    __shared__ int perWarp[8];
    int v = int(threadIdx.x);
    for (int mask = 16; mask > 0; mask >>= 1)
        v += bfShflXor32(v, mask);
    if (threadIdx.x % 32 == 0)
        perWarp[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x < 32) {
        int w = threadIdx.x < 8 ? perWarp[threadIdx.x] : 0;
        for (int mask = 16; mask > 0; mask >>= 1)
            w += bfShflXor32(w, mask);
        if (threadIdx.x == 0)
            out[blockIdx.x] = w;
    }
}

// Thread 0 rounds downward; the others keep the default: the rounding mode (MXCSR) is each thread's.
__global__ void roundingModes(const float* three, float* out)
{
    if (threadIdx.x == 0)
        std::fesetround(FE_DOWNWARD);
    __syncthreads(); // the others run after thread 0 changed its mode
    out[threadIdx.x] = 1.0f / three[0];
    __syncthreads();
    if (threadIdx.x == 0)
        std::fesetround(FE_TONEAREST);
}

// Odd threads wait at __syncthreads, even ones at a shuffle: neither barrier can complete.
__global__ void divergentBarriers(int* out)
{
    if (threadIdx.x % 2)
        __syncthreads();
    else
        out[threadIdx.x] = bfShflXor32(1, 2);
}

// Half a warp leaves, the other half shuffles.
__global__ void shuffleAfterExit(int* out)
{
    if (threadIdx.x < 16)
        return;
    out[threadIdx.x] = bfShflXor32(1, 1);
}

__global__ void increment(int* x, int n)
{
    const int i = int(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n)
        x[i] += 1;
}

template <class T>
T* deviceArray(size_t n)
{
    T* p = nullptr;
    if (bfMalloc(&p, n * sizeof(T)) != bfSuccess)
        std::abort();
    return p;
}

void sharedMemoryAndBlocks()
{
    const int blocks = 37;
    int* in = deviceArray<int>(size_t(blocks) * kThreads);
    int* out = deviceArray<int>(blocks);
    for (int i = 0; i < blocks * kThreads; ++i)
        in[i] = i % 1000;
    BF_LAUNCH(blocks, kThreads, 0, nullptr, blockSum)(in, out);
    check(bfGetLastError() == bfSuccess && bfDeviceSynchronize() == bfSuccess, "a reduction in shared memory launches and runs");
    bool all = true;
    for (int b = 0; b < blocks; ++b) {
        long long want = 0;
        for (int i = 0; i < kThreads; ++i)
            want += (b * kThreads + i) % 1000;
        all = all && out[b] == want;
    }
    check(all, "each of 37 blocks sums its 256 values through __shared__ and __syncthreads");
    bfFree(in);
    bfFree(out);
}

void shuffles()
{
    int* out = deviceArray<int>(4 * 128);
    BF_LAUNCH(4, 128, 0, nullptr, butterfly)(32, out);
    bool all = true;
    for (int i = 0; i < 4 * 128; ++i)
        all = all && out[i] == 32 * 33 / 2;
    check(all, "a butterfly of xor shuffles sums the 32 lanes of every warp");
    BF_LAUNCH(2, 64, 0, nullptr, butterfly)(16, out);
    all = true;
    for (int i = 0; i < 128; ++i) {
        const int segment = i % 32 / 16;
        int want = 0;
        for (int l = 16 * segment; l < 16 * segment + 16; ++l)
            want += l + 1;
        all = all && out[i] == want;
    }
    check(all, "with width 16 each half-warp sums its own lanes");
    for (int mask : {1, 5, 16, 31}) {
        BF_LAUNCH(1, 64, 0, nullptr, partner)(mask, out);
        all = true;
        for (int i = 0; i < 64; ++i)
            all = all && out[i] == (i / 32) * 32 + ((i % 32) ^ mask);
        check(all, "shuffle xor " + std::to_string(mask) + " reads the partner lane of the same warp");
    }
    // Width 16, mask 16: the partner lies in the other half; the upper half may read the lower
    // (an earlier segment), the lower half gets its own value (CUDA's rule).
    BF_LAUNCH(1, 32, 0, nullptr, partnerWidth16)(out);
    all = true;
    for (int i = 0; i < 32; ++i)
        all = all && out[i] == (i < 16 ? i : i - 16);
    check(all, "xor 16 within width 16: the upper half reads the lower, the lower keeps its own");
    BF_LAUNCH(3, 256, 0, nullptr, warpsThenBlock)(out);
    check(out[0] == 255 * 256 / 2 && out[1] == out[0] && out[2] == out[0], "warp shuffles, shared memory and __syncthreads mixed over 8 warps");
    for (const auto& [source, width] : {std::pair<int, int>{7, 32}, {3, 8}, {-1, 8}}) {
        BF_LAUNCH(1, 64, 0, nullptr, broadcast)(source, width, out);
        all = true;
        for (int i = 0; i < 64; ++i)
            all = all && out[i] == i / width * width + (source % width + width) % width;
        check(all, "shuffle from lane " + std::to_string(source) + " (width " + std::to_string(width) + ") gives each segment that lane's value");
    }
    bfFree(out);
}

void refusals()
{
    int* out = deviceArray<int>(256);
    BF_LAUNCH(1, 2048, 0, nullptr, increment)(out, 256);
    check(bfGetLastError() == bfErrorInvalidConfiguration, "2048 threads a block is a configuration error");
    check(bfGetLastError() == bfSuccess, "the last error is cleared once read");

    BF_LAUNCH(1, 64, 0, nullptr, divergentBarriers)(out);
    check(bfDeviceSynchronize() == bfErrorLaunchFailure, "threads split between __syncthreads and a shuffle fail the launch");
    out[0] = 41;
    BF_LAUNCH(1, 32, 0, nullptr, increment)(out, 32);
    check(bfDeviceSynchronize() == bfErrorLaunchFailure && out[0] == 41, "after a failed launch the error is sticky and nothing more runs");
    bfDeviceReset();

    BF_LAUNCH(1, 32, 0, nullptr, divergentShuffles)(out);
    check(bfDeviceSynchronize() == bfErrorLaunchFailure, "lanes shuffling in different branches fail the launch");
    bfDeviceReset();

    BF_LAUNCH(1, 32, 0, nullptr, shuffleAfterExit)(out);
    check(bfDeviceSynchronize() == bfErrorLaunchFailure, "a shuffle after half the warp exited fails the launch");
    bfDeviceReset();

    BF_LAUNCH(1, 48, 0, nullptr, butterfly)(32, out);
    check(bfDeviceSynchronize() == bfErrorLaunchFailure, "a shuffle in a warp of 16 threads (48 a block) fails the launch");
    bfDeviceReset();
    bfFree(out);
}

void launchesFromTwoThreads()
{
    // Two host threads launching at once (two handles' streams): each launch runs whole, alone.
    bool ok[2] = {true, true};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([t, &ok] {
            int* in = deviceArray<int>(8 * kThreads);
            int* out = deviceArray<int>(8);
            for (int i = 0; i < 8 * kThreads; ++i)
                in[i] = (i + t) % 7;
            for (int round = 0; round < 20; ++round) {
                BF_LAUNCH(8, kThreads, 0, nullptr, blockSum)(in, out);
                for (int b = 0; b < 8; ++b) {
                    int want = 0;
                    for (int i = 0; i < kThreads; ++i)
                        want += (b * kThreads + i + t) % 7;
                    ok[t] = ok[t] && out[b] == want;
                }
            }
            bfFree(in);
            bfFree(out);
        });
    for (auto& th : threads)
        th.join();
    check(ok[0] && ok[1], "launches from two host threads at once each give their sums");
}

void roundingIsPerThread()
{
    float* three = deviceArray<float>(1);
    float* out = deviceArray<float>(64);
    three[0] = 3.0f;
    BF_LAUNCH(1, 64, 0, nullptr, roundingModes)(three, out);
    volatile float t = 3.0f;
    const float nearest = 1.0f / t;
    check(out[0] < nearest && out[1] == nearest && out[63] == nearest && std::fegetround() == FE_TONEAREST,
          "a thread's rounding mode (MXCSR) stays its own across barriers");
    bfFree(three);
    bfFree(out);
}

void memoryAndGraphs()
{
    float* f = deviceArray<float>(4);
    check(f[0] != f[0], "new device memory reads as NaN (0xFF bytes)");
    bfFree(f);
    size_t freeBytes = 0, totalBytes = 0;
    bfMemGetInfo(&freeBytes, &totalBytes);
    void* tooLarge = nullptr;
    check(bfMalloc(&tooLarge, totalBytes + 1) == bfErrorMemoryAllocation && !tooLarge, "more than the device holds is out of memory");
    bfGetLastError();

    int* x = deviceArray<int>(100);
    bfMemsetAsync(x, 0, 100 * sizeof(int), nullptr);
    bfStream_t stream = nullptr;
    bfStreamCreateWithFlags(&stream, bfStreamNonBlocking);
    bfGraph_t graph = nullptr;
    bfGraphExec_t exec = nullptr;
    bfStreamBeginCapture(stream, bfStreamCaptureModeThreadLocal);
    BF_LAUNCH(4, 32, 0, stream, increment)(x, 100);
    bfStreamEndCapture(stream, &graph);
    check(x[0] == 0 && x[99] == 0, "a captured launch does not run");
    bfGraphInstantiateWithFlags(&exec, graph, 0);
    bfGraphLaunch(exec, stream);
    bfGraphLaunch(exec, stream);
    bfStreamSynchronize(stream);
    check(x[0] == 2 && x[99] == 2, "its graph replays it at each launch");
    bfGraphExecDestroy(exec);
    bfGraphDestroy(graph);
    bfStreamDestroy(stream);
    bfFree(x);
}

// As CUDA's thread-local capture mode: a call the capture cannot record fails and invalidates
// it; its end says so; the stream then runs work again. The injected failures that the GPU
// back-end's recovery tests use (BF_SIMT_FAIL_CAPTURE) fail the end or the instantiation.
void capturesRefuseWhatTheyCannotRecord()
{
    int* x = deviceArray<int>(64);
    bfMemsetAsync(x, 0, 64 * sizeof(int), nullptr);
    bfStream_t stream = nullptr;
    bfStreamCreateWithFlags(&stream, bfStreamNonBlocking);
    for (const char* unrecordable : {"bfMalloc", "bfMemcpy", "bfStreamSynchronize", "a launch on the default stream"}) {
        const std::string what(unrecordable);
        bfStreamBeginCapture(stream, bfStreamCaptureModeThreadLocal);
        BF_LAUNCH(2, 32, 0, stream, increment)(x, 64);
        bfError_t refused = bfSuccess;
        void* p = nullptr;
        int host = 0;
        if (what == "bfMalloc")
            refused = bfMalloc(&p, 16);
        else if (what == "bfMemcpy")
            refused = bfMemcpy(&host, x, sizeof(int), bfMemcpyDeviceToHost);
        else if (what == "bfStreamSynchronize")
            refused = bfStreamSynchronize(stream);
        else {
            BF_LAUNCH(2, 32, 0, nullptr, increment)(x, 64);
            refused = bfGetLastError();
        }
        check(refused == bfErrorStreamCaptureUnsupported && !p, what + " while capturing is refused");
        (void)bfGetLastError();
        bfGraph_t graph = reinterpret_cast<bfGraph_t>(&host);
        check(bfStreamEndCapture(stream, &graph) == bfErrorStreamCaptureInvalidated && !graph, what + " invalidated the capture");
        (void)bfGetLastError();
        check(x[0] == 0, what + ": nothing of the invalidated capture ran");
    }
    BF_LAUNCH(2, 32, 0, stream, increment)(x, 64);
    bfStreamSynchronize(stream);
    check(x[0] == 1 && x[63] == 1 && bfGetLastError() == bfSuccess, "after an invalidated capture the stream runs work again");

    bfGraph_t graph = nullptr;
    bfGraphExec_t exec = nullptr;
    setenv("BF_SIMT_FAIL_CAPTURE", "end", 1);
    bfStreamBeginCapture(stream, bfStreamCaptureModeThreadLocal);
    BF_LAUNCH(2, 32, 0, stream, increment)(x, 64);
    check(bfStreamEndCapture(stream, &graph) == bfErrorStreamCaptureInvalidated && !graph, "BF_SIMT_FAIL_CAPTURE=end fails the end");
    setenv("BF_SIMT_FAIL_CAPTURE", "instantiate", 1);
    bfStreamBeginCapture(stream, bfStreamCaptureModeThreadLocal);
    BF_LAUNCH(2, 32, 0, stream, increment)(x, 64);
    check(bfStreamEndCapture(stream, &graph) == bfSuccess && graph, "BF_SIMT_FAIL_CAPTURE=instantiate leaves the end alone");
    check(bfGraphInstantiateWithFlags(&exec, graph, 0) == bfErrorNotSupported && !exec, "BF_SIMT_FAIL_CAPTURE=instantiate fails the instantiation");
    unsetenv("BF_SIMT_FAIL_CAPTURE");
    (void)bfGetLastError();
    bfGraphDestroy(graph);
    check(x[0] == 1, "nothing of the failed captures ran");
    bfStreamDestroy(stream);
    bfFree(x);
}

} // namespace

int main()
{
    sharedMemoryAndBlocks();
    shuffles();
    refusals();
    launchesFromTwoThreads();
    roundingIsPerThread();
    memoryAndGraphs();
    capturesRefuseWhatTheyCannotRecord();
    std::printf("tst_simt_runtime: %d failure%s\n", g_failures, g_failures == 1 ? "" : "s");
    return g_failures == 0 ? 0 : 1;
}
