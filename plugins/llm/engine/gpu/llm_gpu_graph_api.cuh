// The C ABI of captured passes (llm_gpu_api.h, "Captured passes"): a generated token's whole
// forward pass recorded once as a graph and replayed for the next tokens, so that its ~20
// launches a layer cost one launch (CUDA graphs / HIP graphs). What changes from token to token
// is the position: the kernels that depend on it read it from device memory that the host writes
// before each replay (set_position), and the attention's grid is fixed by its chunk count, so the
// caller keeps one graph per chunk count. Included by llm_gpu_layer_api.cuh (one translation unit).

#pragma once

BF_API int bf_llm_gpu_set_position(bf_llm_gpu* h, int64_t firstPos, const int64_t** devicePosition, char* msg, size_t len)
{
    BF_TRY(h->device, bfSetDevice, h->device);
    if (!h->position) {
        void* p = nullptr;
        BF_TRY(h->device, bfMalloc, &p, sizeof(int64_t));
        h->position = static_cast<int64_t*>(p);
    }
    if (!h->positionHost) {
        void* p = nullptr;
        BF_TRY(h->device, bfMallocHost, &p, sizeof(int64_t));
        h->positionHost = static_cast<int64_t*>(p);
    }
    // The previous step's copy has run: the caller waits for every pass's logits.
    *h->positionHost = firstPos;
    BF_TRY(h->device, bfMemcpyAsync, h->position, h->positionHost, sizeof(int64_t), bfMemcpyHostToDevice, h->stream);
    *devicePosition = h->position;
    return 0;
}

BF_API int bf_llm_gpu_rope_store_at(bf_llm_gpu* h, float* q, const float* k, const float* v, const float* biasQ, const float* biasK,
                                    const float* biasV, int64_t heads, int64_t kvHeads, int64_t headSize, const bf_llm_gpu_rope* rope, int64_t tokens,
                                    int64_t firstPos, const int64_t* firstPosAt, float* cacheKeys, float* cacheValues, char* msg, size_t len)
{
    if (!firstPosAt)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "rope_store_at: no device position");
    return ropeStore(h, q, k, v, biasQ, biasK, biasV, heads, kvHeads, headSize, rope, tokens, firstPos, firstPosAt, cacheKeys, cacheValues, msg, len);
}

BF_API int bf_llm_gpu_attention_at(bf_llm_gpu* h, const float* q, const float* cacheKeys, const float* cacheValues, int64_t heads, int64_t kvHeads,
                                   int64_t headSize, int64_t tokens, int64_t firstPos, const int64_t* firstPosAt, float* out, char* msg, size_t len)
{
    if (!firstPosAt)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "attention_at: no device position");
    return attention(h, q, cacheKeys, cacheValues, heads, kvHeads, headSize, tokens, firstPos, firstPosAt, out, msg, len);
}

BF_API int bf_llm_gpu_copy_rows_at(bf_llm_gpu* h, float* dst, const float* src, int64_t rowFloats, int64_t rows, const int64_t* firstRowAt, char* msg,
                                   size_t len)
{
    if (!firstRowAt || rowFloats <= 0 || rows <= 0)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "copy_rows_at: %lld rows of %lld floats from a device position", (long long)rows,
                   (long long)rowFloats);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_LAUNCH(elementGrid(rows * rowFloats), gpu::kLayerThreads, 0, h->stream, gpu::copyRowsAtKernel)(dst, src, rowFloats, rows, firstRowAt);
    BF_LAUNCHED(h->device, "copyRowsAtKernel");
    return 0;
}

BF_API int bf_llm_gpu_capture_begin(bf_llm_gpu* h, char* msg, size_t len)
{
    if (h->capturing)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "capture_begin: %s:%d is capturing already", kDevicePrefix, h->device);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfStreamBeginCapture, h->stream, bfStreamCaptureModeThreadLocal);
    h->capturing = true;
    return 0;
}

// Ends the capture; with keep, instantiates it (*graph, for graph_launch), else drops it (a pass
// that failed while capturing: the stream is usable again either way).
BF_API int bf_llm_gpu_capture_end(bf_llm_gpu* h, int keep, void** graph, char* msg, size_t len)
{
    if (graph)
        *graph = nullptr;
    if (!h->capturing)
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "capture_end: %s:%d is not capturing", kDevicePrefix, h->device);
    h->capturing = false;
    bfGraph_t captured = nullptr;
    const bfError_t ended = bfStreamEndCapture(h->stream, &captured);
    if (ended != bfSuccess) // runtimeError clears the error the invalidated capture left behind
        return runtimeError(h->device, msg, len, BF_STR(bfStreamEndCapture), ended);
    if (!keep) {
        (void)bfGraphDestroy(captured);
        return 0;
    }
    bfGraphExec_t exec = nullptr;
    const bfError_t made = bfGraphInstantiateWithFlags(&exec, captured, 0);
    (void)bfGraphDestroy(captured);
    if (made != bfSuccess)
        return runtimeError(h->device, msg, len, BF_STR(bfGraphInstantiateWithFlags), made);
    h->graphs.push_back({exec, h->bufferEpoch});
    *graph = exec;
    return 0;
}

namespace {

std::vector<bf_llm_gpu::Graph>::iterator findGraph(bf_llm_gpu* h, void* graph)
{
    return std::find_if(h->graphs.begin(), h->graphs.end(), [graph](const bf_llm_gpu::Graph& g) { return static_cast<void*>(g.exec) == graph; });
}

} // namespace

// *current = 1 while every buffer of the handle's the graph names is where it was when captured.
BF_API int bf_llm_gpu_graph_current(bf_llm_gpu* h, void* graph, int* current, char* msg, size_t len)
{
    const auto found = findGraph(h, graph);
    if (found == h->graphs.end())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "graph_current: %s:%d holds no such graph", kDevicePrefix, h->device);
    *current = found->epoch == h->bufferEpoch ? 1 : 0;
    return 0;
}

BF_API int bf_llm_gpu_graph_launch(bf_llm_gpu* h, void* graph, char* msg, size_t len)
{
    const auto found = findGraph(h, graph);
    if (found == h->graphs.end())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "graph_launch: %s:%d holds no such graph", kDevicePrefix, h->device);
    if (found->epoch != h->bufferEpoch) // it would write buffers the handle has freed since
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "graph_launch: %s:%d: the graph names buffers moved since its capture", kDevicePrefix,
                   h->device);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfGraphLaunch, found->exec, h->stream);
    return 0;
}

BF_API int bf_llm_gpu_graph_free(bf_llm_gpu* h, void* graph, char* msg, size_t len)
{
    const auto found = findGraph(h, graph);
    if (found == h->graphs.end())
        return say(msg, len, BF_LLM_GPU_BAD_ARGUMENT, "graph_free: %s:%d holds no such graph", kDevicePrefix, h->device);
    const bfGraphExec_t exec = found->exec;
    h->graphs.erase(found);
    BF_TRY(h->device, bfSetDevice, h->device);
    BF_TRY(h->device, bfStreamSynchronize, h->stream); // a replay may still be running
    BF_TRY(h->device, bfGraphExecDestroy, exec);
    return 0;
}
