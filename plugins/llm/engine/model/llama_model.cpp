#include "model/llama_model.h"

#include "compute/ops.h"
#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "quant/dequantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace bioforge::llm {

using core::Error;

core::Expected<std::unique_ptr<LlamaModel>> LlamaModel::load(std::shared_ptr<const GgufFile> file, Options options)
{
    auto config = ModelConfig::fromGguf(*file);
    if (!config)
        return config.error();
    auto weights = ModelWeights::fromGguf(*file, *config);
    if (!weights)
        return weights.error();
    config->vocabSize = weights->tokenEmbedding.rows;
    if (!weights->ropeFreqFactors.empty())
        config->rope.freqFactors = nullptr; // set below, once the weights live in the model
    std::unique_ptr<LlamaModel> model(new LlamaModel(std::move(file), std::move(*config), std::move(*weights), options));
    if (!model->m_weights.ropeFreqFactors.empty())
        model->m_config.rope.freqFactors = model->m_weights.ropeFreqFactors.data();
    return model;
}

LlamaModel::LlamaModel(std::shared_ptr<const GgufFile> file, ModelConfig config, ModelWeights weights, Options options)
    : m_file(std::move(file)), m_config(std::move(config)), m_weights(std::move(weights)), m_pool(options.threads),
      m_matmul(m_pool, options.kernels)
{
}

std::unique_ptr<KvCache> LlamaModel::newCache(int64_t capacity) const
{
    return std::make_unique<KvCache>(m_config.layers, capacity, m_config.kvHeads, m_config.headSize);
}

int64_t LlamaModel::parameterCount() const
{
    int64_t n = 0;
    for (const GgufTensorInfo& t : m_file->tensors())
        n += t.elementCount();
    return n;
}

size_t LlamaModel::weightBytes() const
{
    size_t n = 0;
    for (const GgufTensorInfo& t : m_file->tensors())
        n += t.bytes;
    return n;
}

void LlamaModel::attention(int64_t layer, int64_t count, int64_t firstPos, KvCache& cache)
{
    const ModelConfig& c = m_config;
    const int64_t headSize = c.headSize, groups = c.heads / c.kvHeads;
    const float scale = 1.0f / std::sqrt(float(headSize));
    const int64_t span = firstPos + count; // keys visible to the last token
    const FloatKernels f = floatKernels(m_matmul.path());
    m_pool.parallelFor(count * c.heads, [&](int64_t begin, int64_t end) {
        thread_local std::vector<float> scoreBuffer; // each thread its own
        scoreBuffer.resize(size_t(span));
        float* scores = scoreBuffer.data();
        for (int64_t job = begin; job < end; ++job) {
            const int64_t t = job / c.heads, h = job % c.heads, kvh = h / groups;
            const int64_t visible = firstPos + t + 1; // causal: positions 0..firstPos+t
            const float* q = m_q.data() + size_t(t * c.queryWidth() + h * headSize);
            for (int64_t j = 0; j < visible; ++j)
                scores[j] = f.dot(headSize, q, cache.key(layer, j) + kvh * headSize);
            softmax(scores, visible, scale);
            float* out = m_attn.data() + size_t(t * c.queryWidth() + h * headSize);
            std::fill(out, out + headSize, 0.0f);
            for (int64_t j = 0; j < visible; ++j)
                f.axpy(headSize, scores[j], cache.value(layer, j) + kvh * headSize, out);
        }
    });
}

core::Status LlamaModel::evaluate(const TokenId* tokens, int64_t count, KvCache& cache, std::vector<float>& logits, bool allLogits)
{
    const ModelConfig& c = m_config;
    if (count <= 0)
        return Error(QStringLiteral("nothing to evaluate"));
    const int64_t firstPos = cache.size();
    if (firstPos + count > cache.capacity())
        return Error(QStringLiteral("the context holds %1 tokens; %2 + %3 do not fit").arg(cache.capacity()).arg(firstPos).arg(count));
    for (int64_t t = 0; t < count; ++t)
        if (tokens[t] < 0 || tokens[t] >= c.vocabSize)
            return Error(QStringLiteral("token id %1 is outside the vocabulary (%2 tokens)").arg(tokens[t]).arg(c.vocabSize));

    const int64_t E = c.embedding;
    m_x.resize(size_t(count * E));
    m_norm.resize(size_t(count * E));
    m_q.resize(size_t(count * c.queryWidth()));
    m_k.resize(size_t(count * c.kvWidth()));
    m_v.resize(size_t(count * c.kvWidth()));
    m_attn.resize(size_t(count * c.queryWidth()));
    m_out.resize(size_t(count * E));
    m_gate.resize(size_t(count * c.feedForward));
    m_up.resize(size_t(count * c.feedForward));

    for (int64_t t = 0; t < count; ++t)
        dequantizeRow(m_weights.tokenEmbedding.type, m_weights.tokenEmbedding.row(tokens[t]), m_x.data() + t * E, E);

    for (int64_t layer = 0; layer < c.layers; ++layer) {
        const LayerWeights& w = m_weights.layers[size_t(layer)];
        m_pool.parallelFor(count, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t)
                rmsNorm(m_x.data() + t * E, w.attentionNorm.data(), E, c.rmsEpsilon, m_norm.data() + t * E);
        });
        m_matmul.run(w.query, m_norm.data(), count, m_q.data());
        m_matmul.run(w.key, m_norm.data(), count, m_k.data());
        m_matmul.run(w.value, m_norm.data(), count, m_v.data());
        m_pool.parallelFor(count, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            float* q = m_q.data() + t * c.queryWidth();
            float* k = m_k.data() + t * c.kvWidth();
            float* v = m_v.data() + t * c.kvWidth();
            if (!w.queryBias.empty()) {
                addInPlace(q, w.queryBias.data(), c.queryWidth());
                addInPlace(k, w.keyBias.data(), c.kvWidth());
                addInPlace(v, w.valueBias.data(), c.kvWidth());
            }
            applyRope(q, int(c.heads), int(c.headSize), float(firstPos + t), c.rope);
            applyRope(k, int(c.kvHeads), int(c.headSize), float(firstPos + t), c.rope);
            std::memcpy(cache.key(layer, firstPos + t), k, size_t(c.kvWidth()) * sizeof(float));
            std::memcpy(cache.value(layer, firstPos + t), v, size_t(c.kvWidth()) * sizeof(float));
        }
        });
        attention(layer, count, firstPos, cache);
        m_matmul.run(w.attentionOutput, m_attn.data(), count, m_out.data());
        addInPlace(m_x.data(), m_out.data(), count * E);

        m_pool.parallelFor(count, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t)
                rmsNorm(m_x.data() + t * E, w.ffnNorm.data(), E, c.rmsEpsilon, m_norm.data() + t * E);
        });
        m_matmul.run(w.gate, m_norm.data(), count, m_gate.data());
        m_matmul.run(w.up, m_norm.data(), count, m_up.data());
        m_pool.parallelFor(count, [&](int64_t begin, int64_t end) {
            siluMultiply(m_gate.data() + begin * c.feedForward, m_up.data() + begin * c.feedForward, (end - begin) * c.feedForward);
        });
        m_matmul.run(w.down, m_gate.data(), count, m_out.data());
        addInPlace(m_x.data(), m_out.data(), count * E);
    }
    cache.setSize(firstPos + count);

    const int64_t first = allLogits ? 0 : count - 1;
    const int64_t rows = count - first;
    for (int64_t t = first; t < count; ++t)
        rmsNorm(m_x.data() + t * E, m_weights.outputNorm.data(), E, c.rmsEpsilon, m_norm.data() + (t - first) * E);
    logits.resize(size_t(rows * c.vocabSize));
    m_matmul.run(m_weights.output, m_norm.data(), rows, logits.data());
    return core::okStatus();
}

} // namespace bioforge::llm
