#pragma once

// The operations of a llama-family forward pass, behind one interface: the
// model describes the graph, a back-end computes it. The CPU back-end
// (cpu_backend.h) and the GPU one (gpu_backend.h: CUDA, HIP) implement the
// same calls. Buffers are rows of floats, one row per token; weights stay
// where the model mapped them.

#include "compute/ops.h"
#include "compute/weight_tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bioforge::llm {

class KvCache;

// Thrown by a back-end whose pass failed while it was being recorded to be replayed (a GPU
// back-end's captured pass, gpu_backend.h): nothing of it has run, and the back-end has turned
// recording off for good, so the same pass issued again runs operation by operation — which
// LlamaModel::evaluate does, once. A fault that is not the recording's fails that pass too.
class PassCaptureFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Shapes of one attention layer.
struct AttentionShape {
    int64_t heads = 0;
    int64_t kvHeads = 0;
    int64_t headSize = 0;
    int64_t queryWidth() const { return heads * headSize; }
    int64_t kvWidth() const { return kvHeads * headSize; }
};

// Optional q/k/v biases (qwen2); null pointers when the model has none.
struct QkvBias {
    const float* query = nullptr;
    const float* key = nullptr;
    const float* value = nullptr;
};

class Backend {
public:
    virtual ~Backend() = default;

    // Short name for provenance and the CLI: "cpu avx512".
    virtual std::string name() const = 0;
    virtual int threads() const = 0;
    // Whether the matrix products read the weights from the model file's mapping on every token
    // (a CPU back-end) rather than from copies of their own (a GPU's memory).
    virtual bool readsMappedWeights() const { return true; }

    // y[t] = W · x[t] for `tokens` rows: x rows of w.cols floats, y rows of w.rows.
    virtual void matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y) = 0;
    // out[t] = rmsnorm(x[t]) * weight, for `rows` rows of `width`.
    virtual void rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out) = 0;
    // For tokens at positions firstPos + t: adds the biases, rotates q and k,
    // and stores k and v in the cache's `layer` at those positions.
    virtual void ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                              int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache) = 0;
    // Causal grouped-query attention of `tokens` queries (positions firstPos …)
    // over the cache's `layer`; out has one queryWidth row per token.
    virtual void attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                           int64_t firstPos, float* out) = 0;
    // a = silu(a) * b over n floats.
    virtual void siluMultiply(float* a, const float* b, int64_t n) = 0;
    // x += y over n floats.
    virtual void add(float* x, const float* y, int64_t n) = 0;

    // Bytes of device memory a KV cache may take on this back-end's device, beside the model's
    // `weightBytes` (the part not on the device yet counted as taken); nullopt where the cache
    // lives in host memory only (the CPU's).
    virtual std::optional<int64_t> deviceMemoryForCache(uint64_t weightBytes) const
    {
        (void)weightBytes;
        return std::nullopt;
    }

    // The memory the operations above read and write (x, y, q, k, v, out, a, b): host memory
    // here (the CPU's); a GPU back-end's own device memory. Weights, norm weights, biases and
    // the KV cache are passed as the model holds them (host, or the file's mapping). The model
    // keeps its activations in these buffers and moves only the token embeddings in and the
    // logits out. scratch(slot, n) is valid until the next call for the same slot.
    enum class Scratch { Hidden, Norm, Query, Key, Value, Attention, Output, Gate, Up, Logits, Count };
    virtual float* scratch(Scratch slot, int64_t floats);
    // A forward pass of `tokens` tokens at positions firstPos … over `cache` begins: called after
    // its scratch() calls, before toBackend() moves its embeddings in (a GPU back-end decides here
    // whether to replay a captured pass). Nothing to do on the CPU.
    virtual void beginPass(int64_t tokens, int64_t firstPos, const KvCache& cache) {}
    virtual void toBackend(float* dst, const float* host, int64_t n);
    virtual void fromBackend(float* host, const float* src, int64_t n);

private:
    std::vector<float> m_scratch[int(Scratch::Count)];
};

} // namespace bioforge::llm
