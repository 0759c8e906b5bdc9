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
    // A GPU back-end keeps a copy of the cache on its device: it must fit there too.
    if (const auto onDevice = m_backend->deviceMemoryForCache(weightBytes()))
        if (core::Status st = checkCache(capacity, *onDevice,
                                         QStringLiteral(" on the GPU (%1) beside the model's weights").arg(QString::fromStdString(m_backend->name())));
            !st)
            return st;
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
                                .arg(QString::number(m_config.layers), QString::number(capacity), QString::number(m_config.kvHeads),
                                     QString::number(m_config.headSize));
    if (!bytes)
        return core::Error(QStringLiteral("a KV cache for a context of %1 tokens is too large to address (%2); choose a smaller context")
                               .arg(QString::number(capacity), factors));
    if (availableBytes && *bytes > uint64_t(std::max<qint64>(*availableBytes, 0))) {
        const qint64 fits = qint64(double(capacity) * double(std::max<qint64>(*availableBytes, 0)) / double(*bytes));
        const QString advice = fits >= kMinContext ? QStringLiteral("choose a smaller context (at most about %1 tokens)").arg(fits)
                                                   : QStringLiteral("not even a %1-token context fits: free memory first").arg(kMinContext);
        return core::Error(QStringLiteral("a KV cache for a context of %1 tokens needs %2 (%3), more than the %4 of memory available%5; %6")
                               .arg(QString::number(capacity), core::memorySizeText(qint64(*bytes)), factors, core::memorySizeText(*availableBytes),
                                    besides, advice));
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
        return Error(QStringLiteral("the context holds %1 tokens; %2 + %3 do not fit").arg(QString::number(cache.capacity()),
                                                                                           QString::number(firstPos), QString::number(count)));
    for (int64_t t = 0; t < count; ++t)
        if (tokens[t] < 0 || tokens[t] >= c.vocabSize)
            return Error(QStringLiteral("token id %1 is outside the vocabulary (%2 tokens)").arg(QString::number(tokens[t]), QString::number(c.vocabSize)));

    const int64_t E = c.embedding;
    Backend& be = *m_backend;
    using S = Backend::Scratch;
    // The activations live in the back-end's memory (the device's on a GPU); only the token
    // embeddings go in and the logits come out.
    float* x = be.scratch(S::Hidden, count * E);
    float* norm = be.scratch(S::Norm, count * E);
    float* q = be.scratch(S::Query, count * c.queryWidth());
    float* k = be.scratch(S::Key, count * c.kvWidth());
    float* v = be.scratch(S::Value, count * c.kvWidth());
    float* attn = be.scratch(S::Attention, count * c.queryWidth());
    float* out = be.scratch(S::Output, count * E);
    float* gate = be.scratch(S::Gate, count * c.feedForward);
    float* up = be.scratch(S::Up, count * c.feedForward);

    m_embeddings.resize(size_t(count * E));
    for (int64_t t = 0; t < count; ++t)
        dequantizeRow(m_weights.tokenEmbedding.type, m_weights.tokenEmbedding.row(tokens[t]), m_embeddings.data() + t * E, E);
    const AttentionShape shape{c.heads, c.kvHeads, c.headSize};
    const int64_t first = allLogits ? 0 : count - 1;
    const int64_t rows = count - first;
    float* logitRows = be.scratch(S::Logits, rows * c.vocabSize);
    auto pass = [&] {
        be.beginPass(count, firstPos, cache);
        be.toBackend(x, m_embeddings.data(), count * E);
        for (int64_t layer = 0; layer < c.layers; ++layer) {
            const LayerWeights& w = m_weights.layers[size_t(layer)];
            be.rmsNorm(x, w.attentionNorm.data(), count, E, c.rmsEpsilon, norm);
            be.matmul(w.query, norm, count, q);
            be.matmul(w.key, norm, count, k);
            be.matmul(w.value, norm, count, v);
            QkvBias bias;
            if (!w.queryBias.empty())
                bias = {w.queryBias.data(), w.keyBias.data(), w.valueBias.data()};
            be.ropeAndStore(q, k, v, bias, shape, c.rope, count, firstPos, layer, cache);
            be.attention(q, cache, shape, layer, count, firstPos, attn);
            be.matmul(w.attentionOutput, attn, count, out);
            be.add(x, out, count * E);

            be.rmsNorm(x, w.ffnNorm.data(), count, E, c.rmsEpsilon, norm);
            be.matmul(w.gate, norm, count, gate);
            be.matmul(w.up, norm, count, up);
            be.siluMultiply(gate, up, count * c.feedForward);
            be.matmul(w.down, gate, count, out);
            be.add(x, out, count * E);
        }
        be.rmsNorm(x + first * E, m_weights.outputNorm.data(), rows, E, c.rmsEpsilon, norm);
        be.matmul(m_weights.output, norm, rows, logitRows);
        logits.resize(size_t(rows * c.vocabSize));
        be.fromBackend(logits.data(), logitRows, rows * c.vocabSize);
    };
    try {
        pass();
    } catch (const PassCaptureFailed&) {
        pass(); // the back-end has stopped recording: operation by operation this time
    }
    // Only now: a GPU back-end copies the new positions back to the host's cache with the logits,
    // so a pass that fails anywhere leaves the cache as it was.
    cache.setSize(firstPos + count);
    return core::okStatus();
}

} // namespace bioforge::llm
