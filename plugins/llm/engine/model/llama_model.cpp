#include "model/llama_model.h"

#include "compute/host_memory.h"

#include "compute/cpu_backend.h"
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
    : m_file(std::move(file)), m_config(std::move(config)), m_weights(std::move(weights)),
      m_backend(options.makeBackend ? options.makeBackend() : std::make_unique<CpuBackend>(options.threads, options.kernels))
{
}

std::unique_ptr<KvCache> LlamaModel::newCache(int64_t capacity) const
{
    return std::make_unique<KvCache>(m_config.layers, capacity, m_config.kvHeads, m_config.headSize);
}

bool LlamaModel::weightsStayInMemory() const
{
    if (!m_backend->readsMappedWeights())
        return false; // on a GPU: the mapping's pages may go once uploaded
    // A model larger than the memory available pages its weights whatever the cache; it runs
    // (slowly), and the cache is checked on its own, as what could fail to allocate.
    const auto host = core::hostAvailableBytes();
    const auto resident = core::residentBytes(m_file->mappedData(), qint64(m_file->fileSize()));
    return !host || qint64(m_file->fileSize()) <= *host + resident.value_or(0);
}

std::optional<qint64> LlamaModel::availableForCache() const { return availableForCache(weightsStayInMemory()); }

std::optional<qint64> LlamaModel::availableForCache(bool weightsStay) const
{
    if (!weightsStay)
        return core::availableMemoryBytes();
    return core::availableBesideMapping(m_file->mappedData(), qint64(m_file->fileSize()));
}

core::Status LlamaModel::checkCache(int64_t capacity) const
{
    const bool weightsStay = weightsStayInMemory(); // reads /proc/meminfo and the mapping's residency: once
    const QString besides = weightsStay
                                ? QStringLiteral(" beside the %1 of the model's weights, which stay in memory").arg(core::memorySizeText(qint64(m_file->fileSize())))
                                : QString();
    return checkCache(capacity, availableForCache(weightsStay), besides);
}

core::Status LlamaModel::checkCache(int64_t capacity, std::optional<qint64> availableBytes) const { return checkCache(capacity, availableBytes, QString()); }

core::Status LlamaModel::checkCache(int64_t capacity, std::optional<qint64> availableBytes, const QString& besides) const
{
    if (capacity < 1)
        return core::Error(QStringLiteral("a context of %1 tokens is too small (at least 1)").arg(capacity));
    const auto bytes = KvCache::bytesFor(m_config.layers, capacity, m_config.kvHeads, m_config.headSize);
    const QString factors = QStringLiteral("%1 layers × %2 positions × %3 key/value heads × %4 floats, keys and values")
                                .arg(m_config.layers)
                                .arg(capacity)
                                .arg(m_config.kvHeads)
                                .arg(m_config.headSize);
    if (!bytes)
        return core::Error(QStringLiteral("a KV cache for a context of %1 tokens is too large to address (%2); choose a smaller context")
                               .arg(capacity)
                               .arg(factors));
    if (availableBytes && *bytes > uint64_t(std::max<qint64>(*availableBytes, 0))) {
        const qint64 fits = qint64(double(capacity) * double(std::max<qint64>(*availableBytes, 0)) / double(*bytes));
        const QString advice = fits >= kMinContext ? QStringLiteral("choose a smaller context (at most about %1 tokens)").arg(fits)
                                                   : QStringLiteral("not even a %1-token context fits: free memory first").arg(kMinContext);
        return core::Error(QStringLiteral("a KV cache for a context of %1 tokens needs %2 (%3), more than the %4 of memory available%5; %6")
                               .arg(capacity)
                               .arg(core::memorySizeText(qint64(*bytes)), factors, core::memorySizeText(*availableBytes), besides, advice));
    }
    return core::okStatus();
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

    Backend& be = *m_backend;
    const AttentionShape shape{c.heads, c.kvHeads, c.headSize};
    for (int64_t layer = 0; layer < c.layers; ++layer) {
        const LayerWeights& w = m_weights.layers[size_t(layer)];
        be.rmsNorm(m_x.data(), w.attentionNorm.data(), count, E, c.rmsEpsilon, m_norm.data());
        be.matmul(w.query, m_norm.data(), count, m_q.data());
        be.matmul(w.key, m_norm.data(), count, m_k.data());
        be.matmul(w.value, m_norm.data(), count, m_v.data());
        QkvBias bias;
        if (!w.queryBias.empty())
            bias = {w.queryBias.data(), w.keyBias.data(), w.valueBias.data()};
        be.ropeAndStore(m_q.data(), m_k.data(), m_v.data(), bias, shape, c.rope, count, firstPos, layer, cache);
        be.attention(m_q.data(), cache, shape, layer, count, firstPos, m_attn.data());
        be.matmul(w.attentionOutput, m_attn.data(), count, m_out.data());
        be.add(m_x.data(), m_out.data(), count * E);

        be.rmsNorm(m_x.data(), w.ffnNorm.data(), count, E, c.rmsEpsilon, m_norm.data());
        be.matmul(w.gate, m_norm.data(), count, m_gate.data());
        be.matmul(w.up, m_norm.data(), count, m_up.data());
        be.siluMultiply(m_gate.data(), m_up.data(), count * c.feedForward);
        be.matmul(w.down, m_gate.data(), count, m_out.data());
        be.add(m_x.data(), m_out.data(), count * E);
    }
    cache.setSize(firstPos + count);

    const int64_t first = allLogits ? 0 : count - 1;
    const int64_t rows = count - first;
    be.rmsNorm(m_x.data() + first * E, m_weights.outputNorm.data(), rows, E, c.rmsEpsilon, m_norm.data());
    logits.resize(size_t(rows * c.vocabSize));
    be.matmul(m_weights.output, m_norm.data(), rows, logits.data());
    return core::okStatus();
}

} // namespace bioforge::llm
