#pragma once

// A back-end that runs the forward pass on a GPU (CUDA or HIP, through the llm
// GPU module, gpu/llm_gpu_module.h): the activations live in device memory
// (scratch() hands out device buffers; only the token embeddings go in and the
// logits come out), each weight matrix is copied to the device once, still
// quantised, the first time it is used, and so are the norm weights, biases and
// RoPE frequency factors; RMSNorm, RoPE, attention over the KV cache, SwiGLU
// and the residual adds run there (gpu/llm_layer_kernels.cuh). Activations are
// converted on the device as the CPU converts them (gpu/gpu_math.h), so logits
// differ from the CPU back-end's by the order of float sums and the device's
// exp/cos/sin.
//
// The KV cache: the device holds a copy of each cache it is given (all layers,
// the cache's capacity); the KvCache object on the host stays the authoritative
// one — the new positions are copied back with the logits — so the host-side
// shift (KvCache::remove, which changes version()) and switching between
// conversations work unchanged: a cache whose identity or version differs from
// the device copy's is uploaded again before it is used.
//
// A module without the layer operations (built before them) leaves this
// back-end at its first slice: matrix products on the device, everything else
// on an owned CpuBackend, host memory throughout. A device error becomes a
// std::runtime_error naming the device and call (the engine turns it into the
// request's error); nothing aborts. A failure while a pass is captured is a
// PassCaptureFailed instead: captured passes go off and the pass runs again.

#include "compute/backend.h"
#include "compute/cpu_backend.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace bioforge::llm {

class GpuDevice;

class GpuBackend final : public Backend {
public:
    // `deviceName`: the device's own name for name() ("NVIDIA H200").
    GpuBackend(std::shared_ptr<GpuDevice> device, std::string deviceName, int threads, KernelPath path);
    ~GpuBackend() override;

    // "cuda:0 NVIDIA H200 (every layer on the device)", or at the first slice
    // "cuda:0 NVIDIA H200 (matrix products) + cpu avx512".
    bool readsMappedWeights() const override { return false; } // uploaded once
    std::string name() const override;
    int threads() const override { return m_cpu.threads(); }
    void matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y) override;
    void rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out) override;
    void ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                      int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache) override;
    void attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                   int64_t firstPos, float* out) override;
    void siluMultiply(float* a, const float* b, int64_t n) override;
    void add(float* x, const float* y, int64_t n) override;
    float* scratch(Scratch slot, int64_t floats) override;
    void beginPass(int64_t tokens, int64_t firstPos, const KvCache& cache) override;
    void toBackend(float* dst, const float* host, int64_t n) override;
    void fromBackend(float* host, const float* src, int64_t n) override;
    // The device's free memory less the weights still to upload and a margin for the activations.
    std::optional<int64_t> deviceMemoryForCache(uint64_t weightBytes) const override;

    // Weight matrices on the device so far.
    size_t uploadedMatrices() const { return m_ids.size(); }
    // Whether the layers run on the device (the module has the layer operations).
    bool layersOnDevice() const { return m_layersOnDevice; }
    // Products that used the activations the product before them converted from the same input
    // (k and v after q, up after gate: LlamaModel::evaluate issues them back to back).
    size_t conversionsReused() const { return m_conversionsReused; }
    // Generated tokens whose pass was a replay of a captured one (the model's operations issued
    // nothing), and the passes captured (then run once) — with a module that has captured
    // passes, unless BIOFORGE_GPU_GRAPHS is "0".
    size_t graphReplays() const { return m_graphReplays; }
    // Turns captured passes off (every pass launched kernel by kernel) or back on where the module
    // has them (clearing graphsOffReason: a capture is tried again); for comparisons
    // (bench_gpu_generation). Between passes only.
    void setGraphs(bool on);
    size_t graphCaptures() const { return m_graphCaptures; }
    // Graphs captured again because the module had moved a buffer they name.
    size_t graphsStale() const { return m_graphsStale; }
    // Why captured passes were turned off for good: the error of the capture that failed (its
    // pass then ran again kernel by kernel); empty while none has failed.
    const std::string& graphsOffReason() const { return m_graphsOffReason; }

private:
    struct DeviceArray {
        float* data = nullptr;
        int64_t floats = 0;
    };
    // The device's copy of one KvCache.
    struct DeviceCache {
        uint64_t owner = 0; // KvCache::id()
        uint64_t version = 0;
        int64_t layers = 0, capacity = 0, width = 0;
        std::vector<DeviceArray> keys, values; // per layer, [capacity, width]
    };
    struct PendingRows { // new cache positions to copy back to the host's KvCache
        KvCache* cache;
        uint64_t cacheId; // KvCache::id() when they were written
        int64_t layer, first, count;
        int64_t staged; // offset in m_staging (floats) of their keys, values after; -1: not staged
    };

    void check(bool ok, const std::string& error) const;
    DeviceArray allocate(int64_t floats);
    void release(DeviceArray& a);
    // Norm weights, biases, frequency factors: uploaded once, keyed by the host address, so the
    // caller's arrays must stay where they are, unchanged, while the back-end lives (the model's
    // weights do: they outlive its back-end).
    const float* deviceCopy(const float* host, int64_t floats);
    DeviceCache& deviceCache(const KvCache& cache);
    void copyBackPendingRows();
    // Every operation but a product may write the last product's input: it is no longer shared.
    void forgetProductInput() { m_lastProductInput = nullptr; }
    // Frees every captured pass (their arguments name device arrays that are about to change).
    void dropGraphs();
    [[noreturn]] void fail(const std::string& error) const;
    // Ends a capture left open (a pass that failed or threw while recording): nothing is kept,
    // and graphs stay off for this back-end (a pass that cannot be captured would fail again).
    void abortCapture() const;

    std::shared_ptr<GpuDevice> m_device;
    std::string m_deviceName;
    CpuBackend m_cpu;
    bool m_layersOnDevice = false;
    std::unordered_map<const uint8_t*, int> m_ids; // weight data in the mapped file -> device matrix
    uint64_t m_uploadedBytes = 0;
    std::unordered_map<const float*, DeviceArray> m_copies;
    DeviceArray m_scratch[int(Scratch::Count)];
    DeviceCache m_cache;
    std::vector<PendingRows> m_pending;
    // A generated token's new keys and values of every layer, gathered on the device so that
    // they come back in one copy with the logits (a prompt's, larger, come back layer by layer).
    DeviceArray m_staging;
    int64_t m_stagedFloats = 0;
    std::vector<float> m_hostStaging;
    static constexpr int64_t kStagedTokens = 16;
    // The last device product's input, unwritten since (only products have run after it).
    const float* m_lastProductInput = nullptr;
    int64_t m_lastProductTokens = 0;
    size_t m_conversionsReused = 0;
    // Captured passes of one generated token, one per attention chunk count (the split-K grid's):
    // a key's first pass runs as usual (sizing every buffer), its second is captured, the later
    // ones replayed (toBackend launches the graph; the operations only keep the host's books).
    enum class Pass { Eager, Capture, Replay };
    mutable Pass m_pass = Pass::Eager; // back to Eager when a pass fails
    mutable bool m_capturing = false;
    int64_t m_passKey = 0, m_passPosition = 0;
    const int64_t* m_positionAt = nullptr; // the module's device position for captured passes
    std::map<int64_t, void*> m_graphs;
    std::set<int64_t> m_eagerKeys;
    mutable bool m_graphsEnabled = true; // off for good once a capture failed
    mutable std::string m_graphsOffReason;
    static constexpr size_t kMaxGraphs = 64; // 16k positions' worth; past it they are all dropped
    size_t m_graphReplays = 0, m_graphCaptures = 0, m_graphsStale = 0;
};

} // namespace bioforge::llm
