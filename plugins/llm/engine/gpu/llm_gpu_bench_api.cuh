// The llm GPU module's benchmarks (llm_gpu_api.h, "Benchmarks"): the device's copy bandwidth and
// one timed pass over weight matrices as a forward pass makes it, kernel by kernel or replayed as
// a captured graph. Included at the end of llm_gpu_api.cu (one translation unit).

#pragma once

#include "gpu/llm_gpu_handle.cuh"

#include <algorithm>
#include <vector>

extern "C" {

__attribute__((visibility("default"))) int bf_llm_gpu_copy_bandwidth(bf_llm_gpu* h, size_t bytes, int reps, double* bytesPerSecond, char* msg,
                                                                     size_t len)
{
    if (bytes == 0 || reps <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "a copy benchmark needs bytes and repetitions");
    BF_TRY(h->device, bfSetDevice, h->device);
    void *from = nullptr, *to = nullptr;
    BF_TRY(h->device, bfMalloc, &from, bytes);
    if (const bfError_t e = bfMalloc(&to, bytes); e != bfSuccess) {
        (void)bfFree(from);
        return runtimeError(h->device, msg, len, BF_STR(bfMalloc), e);
    }
    bfEvent_t start = nullptr, stop = nullptr;
    std::vector<float> ms;
    bfError_t e = bfEventCreate(&start);
    if (e == bfSuccess)
        e = bfEventCreate(&stop);
    if (e == bfSuccess)
        e = bfMemsetAsync(from, 1, bytes, h->stream);
    for (int i = 0; e == bfSuccess && i < reps + 3; ++i) {
        e = bfEventRecord(start, h->stream);
        if (e == bfSuccess)
            e = bfMemcpyAsync(to, from, bytes, bfMemcpyDeviceToDevice, h->stream);
        if (e == bfSuccess)
            e = bfEventRecord(stop, h->stream);
        if (e == bfSuccess)
            e = bfEventSynchronize(stop);
        float t = 0;
        if (e == bfSuccess)
            e = bfEventElapsedTime(&t, start, stop);
        if (e == bfSuccess && i >= 3)
            ms.push_back(t);
    }
    (void)bfFree(from);
    (void)bfFree(to);
    if (start)
        (void)bfEventDestroy(start);
    if (stop)
        (void)bfEventDestroy(stop);
    if (e != bfSuccess)
        return runtimeError(h->device, msg, len, "copy benchmark", e);
    std::sort(ms.begin(), ms.end());
    *bytesPerSecond = 2.0 * double(bytes) / (double(ms[ms.size() / 2]) * 1e-3);
    return 0;
}

} // extern "C"

namespace {

// One pass as time_pass defines it, queued on the stream (or captured into a graph).
int enqueuePass(bf_llm_gpu* h, const int* ids, const int* convert, int count, int64_t tokens, char* msg, size_t len)
{
    for (int i = 0; i < count; ++i) {
        const Tensor& w = h->tensors[size_t(ids[i])];
        Format f, a;
        formatOf(w.type, f);
        activationFormat(f.activation, a);
        const uint8_t* act = static_cast<const uint8_t*>(h->x.data);
        if (f.activation != kF32) {
            if (!convert || convert[i])
                if (const int code = convertOnDevice(h, f.activation, tokens, w.cols, msg, len))
                    return code;
            act = static_cast<const uint8_t*>(h->act.data);
        }
        matvec(w, act, rowBytesOf(a, w.cols), int(tokens), static_cast<float*>(h->y.data), h->stream);
        if (const bfError_t e = bfGetLastError(); e != bfSuccess)
            return runtimeError(h->device, msg, len, "launch matvecKernel", e);
    }
    return 0;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int bf_llm_gpu_time_pass(bf_llm_gpu* h, const int* ids, const int* convert, int count, int64_t tokens, int reps,
                                                                int graph, double* seconds, char* msg, size_t len)
{
    if (count <= 0 || reps <= 0 || tokens <= 0 || tokens > gpu::kPromptTokens)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "a pass needs matrices, repetitions and 1..%d tokens", gpu::kPromptTokens);
    int64_t maxCols = 0, maxRows = 0;
    size_t maxAct = 0;
    for (int i = 0; i < count; ++i) {
        if (ids[i] < 0 || size_t(ids[i]) >= h->tensors.size())
            return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "%s:%d holds no weight matrix %d", kDevicePrefix, h->device, ids[i]);
        const Tensor& w = h->tensors[size_t(ids[i])];
        Format f, a;
        formatOf(w.type, f);
        activationFormat(f.activation, a);
        maxCols = w.cols > maxCols ? w.cols : maxCols;
        maxRows = w.rows > maxRows ? w.rows : maxRows;
        maxAct = rowBytesOf(a, w.cols) > maxAct ? rowBytesOf(a, w.cols) : maxAct;
    }
    BF_TRY(h->device, bfSetDevice, h->device);
    if (int code = grow(h, h->x, size_t(tokens * maxCols) * 4, msg, len))
        return code;
    if (int code = grow(h, h->act, size_t(tokens) * maxAct, msg, len))
        return code;
    if (int code = grow(h, h->y, size_t(tokens * maxRows) * 4, msg, len))
        return code;
    BF_LAUNCH(gridFor(tokens * maxCols, 256), 256, 0, h->stream, gpu::fillRandomKernel)(static_cast<float*>(h->x.data), tokens * maxCols, 12345u);
    BF_LAUNCHED(h->device, "fillRandomKernel");
    // Every activation buffer a pass reads holds converted values before the first timed pass.
    if (int code = enqueuePass(h, ids, nullptr, count, tokens, msg, len))
        return code;
    bfGraph_t captured = nullptr;
    bfGraphExec_t exec = nullptr;
    int code = 0;
    const char* failed = nullptr;
    bfError_t e = bfSuccess;
    if (graph) {
        if ((e = bfStreamBeginCapture(h->stream, bfStreamCaptureModeThreadLocal)) != bfSuccess) {
            failed = BF_STR(bfStreamBeginCapture);
        } else {
            code = enqueuePass(h, ids, convert, count, tokens, msg, len);
            const bfError_t ended = bfStreamEndCapture(h->stream, &captured);
            if (!code && (e = ended) != bfSuccess)
                failed = BF_STR(bfStreamEndCapture);
            else if (!code && (e = bfGraphInstantiateWithFlags(&exec, captured, 0)) != bfSuccess)
                failed = BF_STR(bfGraphInstantiateWithFlags);
        }
    }
    bfEvent_t start = nullptr, stop = nullptr;
    std::vector<float> ms;
    if (!failed && !code) {
        if ((e = bfEventCreate(&start)) != bfSuccess || (e = bfEventCreate(&stop)) != bfSuccess)
            failed = BF_STR(bfEventCreate);
    }
    for (int rep = 0; !failed && code == 0 && rep < reps + 3; ++rep) {
        if ((e = bfEventRecord(start, h->stream)) != bfSuccess) {
            failed = BF_STR(bfEventRecord);
            break;
        }
        if (graph) {
            if ((e = bfGraphLaunch(exec, h->stream)) != bfSuccess) {
                failed = BF_STR(bfGraphLaunch);
                break;
            }
        } else if ((code = enqueuePass(h, ids, convert, count, tokens, msg, len)) != 0) {
            break;
        }
        float t = 0;
        if ((e = bfEventRecord(stop, h->stream)) != bfSuccess)
            failed = BF_STR(bfEventRecord);
        else if ((e = bfEventSynchronize(stop)) != bfSuccess)
            failed = BF_STR(bfEventSynchronize);
        else if ((e = bfEventElapsedTime(&t, start, stop)) != bfSuccess)
            failed = BF_STR(bfEventElapsedTime);
        else if (rep >= 3)
            ms.push_back(t);
    }
    (void)bfStreamSynchronize(h->stream);
    if (start)
        (void)bfEventDestroy(start);
    if (stop)
        (void)bfEventDestroy(stop);
    if (exec)
        (void)bfGraphExecDestroy(exec);
    if (captured)
        (void)bfGraphDestroy(captured);
    if (code)
        return code;
    if (failed)
        return runtimeError(h->device, msg, len, failed, e);
    std::sort(ms.begin(), ms.end());
    *seconds = double(ms[ms.size() / 2]) * 1e-3;
    return 0;
}

} // extern "C"
