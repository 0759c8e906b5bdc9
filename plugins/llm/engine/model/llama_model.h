#pragma once

// A llama-family transformer (llama 1/2/3, TinyLlama, SmolLM, mistral,
// qwen2) evaluated on the CPU: RMSNorm, RoPE (normal or NeoX), grouped-query
// attention over a KvCache, SwiGLU feed-forward, tied or untied output.
// The model lays out the graph; a Backend computes it (the CPU one for now).
// Weights stay in the memory-mapped GGUF file. Not thread-safe: one engine
// thread owns a model (its back-end's threads do the parallel work).

#include "compute/backend.h"
#include "quant/vec_dot.h"
#include "model/model_config.h"
#include "model/model_weights.h"
#include "tokenizer/vocab.h"
#include "util/expected.h"

#include <functional>
#include <memory>
#include <vector>

namespace bioforge::llm {

class GgufFile;
class KvCache;

class LlamaModel {
public:
    struct Options {
        int threads = 1;
        KernelPath kernels = bestKernelPath();
        // Another back-end than the CPU one (threads and kernels are then its business).
        std::function<std::unique_ptr<Backend>()> makeBackend;

        static Options cpu(int threads, KernelPath kernels = bestKernelPath())
        {
            Options o;
            o.threads = threads;
            o.kernels = kernels;
            return o;
        }
    };

    static core::Expected<std::unique_ptr<LlamaModel>> load(std::shared_ptr<const GgufFile> file, Options options);

    const ModelConfig& config() const { return m_config; }
    const ModelWeights& weights() const { return m_weights; }
    const GgufFile& file() const { return *m_file; }
    Backend& backend() { return *m_backend; }
    const Backend& backend() const { return *m_backend; }
    int threads() const { return m_backend->threads(); }
    std::unique_ptr<KvCache> newCache(int64_t capacity) const;
    // Refuses a KV cache of `capacity` positions before it is allocated: a capacity below 1, a
    // size that overflows, or one above `availableBytes` (nullopt skips that check). The error
    // gives the size and its factors and names the fix (a smaller context). Call before newCache
    // or a Conversation with a user's context size.
    core::Status checkCache(int64_t capacity, std::optional<qint64> availableBytes) const;
    // The same against this machine's memory beside the model's weights, which stay mapped and
    // are read on every token (availableForCache).
    core::Status checkCache(int64_t capacity) const;
    // Memory a KV cache can take: beside the mapped weights (core::availableBesideMapping) where
    // they stay in memory (weightsStayInMemory), else all that is available. nullopt where unknown.
    std::optional<qint64> availableForCache() const;
    // The back-end reads the mapped weights on every token (CPU, not GPU) and the model fits in
    // the memory available (with what of it is resident already): then the cache must leave
    // them room, or every token would read the model from disk again.
    bool weightsStayInMemory() const;
    static constexpr int64_t kMinContext = 16; // the smallest context the commands offer (--ctx)

    // Evaluates `count` tokens at positions cache.size() … and appends them to
    // the cache. With allLogits, logits holds count rows of vocabSize; else the
    // last token's row only.
    core::Status evaluate(const TokenId* tokens, int64_t count, KvCache& cache, std::vector<float>& logits, bool allLogits = false);

    // Parameter count (from the tensor shapes) and weight bytes.
    int64_t parameterCount() const;
    size_t weightBytes() const;

private:
    LlamaModel(std::shared_ptr<const GgufFile> file, ModelConfig config, ModelWeights weights, Options options);
    std::optional<qint64> availableForCache(bool weightsStay) const;
    // `besides` completes "memory available" in the error (what the figure left out).
    core::Status checkCache(int64_t capacity, std::optional<qint64> availableBytes, const QString& besides) const;

    std::shared_ptr<const GgufFile> m_file;
    ModelConfig m_config;
    ModelWeights m_weights;
    std::unique_ptr<Backend> m_backend;
    std::vector<float> m_embeddings; // the tokens' embedding rows (host), reused across calls
};

} // namespace bioforge::llm
