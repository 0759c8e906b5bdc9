#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/dnabert_model.h"

#include "model/torch_layers.h"

#include <QDir>

#include <algorithm>
#include <cmath>

namespace bioforge::viral {

using core::Error;

namespace {

struct Layer {
    TorchLinear qkv, attentionOut, gated, wo;
    TorchLayerNorm attentionNorm, mlpNorm;
};

} // namespace

struct DnabertModel::Impl {
    DnabertConfig config;
    at::Tensor wordEmbeddings, tokenTypeRow;
    TorchLayerNorm embeddingNorm;
    std::vector<Layer> layers;
    TorchLinear pooler;
    at::Tensor slopes; // [heads]

    EncoderPrecision precision = EncoderPrecision::Float32;
    at::Device device = at::kCPU;
    int64_t outOfMemoryAboveTokens = -1; // EncoderDevice's test limit

    core::Status loadWeights(const TorchWeights& w);
    // hidden states of every layer ([B, T, H], zero at padding), or only the last, and the pooler output.
    void run(const at::Tensor& ids, const at::Tensor& mask, std::vector<at::Tensor>& hidden, at::Tensor* pooled, bool everyLayer = true) const;
};

core::Status DnabertModel::Impl::loadWeights(const TorchWeights& w)
{
    const int64_t H = config.hidden, I = config.intermediate;
    const double eps = config.layerNormEps;
    PartReader r(w);
    at::Tensor tokenTypes;
    r.tensor("embeddings.word_embeddings.weight", {config.vocabSize, H}, wordEmbeddings);
    r.tensor("embeddings.token_type_embeddings.weight", {config.typeVocabSize, H}, tokenTypes);
    r.norm("embeddings.LayerNorm", H, eps, embeddingNorm);
    layers.resize(size_t(config.layers));
    for (int64_t i = 0; i < config.layers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        Layer& l = layers[size_t(i)];
        r.linear(p + "attention.self.Wqkv", 3 * H, H, l.qkv);
        r.linear(p + "attention.output.dense", H, H, l.attentionOut);
        r.norm(p + "attention.output.LayerNorm", H, eps, l.attentionNorm);
        r.linear(p + "mlp.gated_layers", 2 * I, H, l.gated, false); // no bias
        r.linear(p + "mlp.wo", H, I, l.wo);
        r.norm(p + "mlp.layernorm", H, eps, l.mlpNorm);
    }
    r.linear("pooler.dense", H, H, pooler);
    if (!r.status())
        return r.status();
    tokenTypeRow = tokenTypes[0]; // token types are all 0
    const std::vector<double> s = alibiSlopes(config.heads);
    slopes = at::tensor(std::vector<float>(s.begin(), s.end()), at::TensorOptions().dtype(at::kFloat)).to(wordEmbeddings.device());
    return core::okStatus();
}

void DnabertModel::Impl::run(const at::Tensor& ids, const at::Tensor& mask, std::vector<at::Tensor>& hidden, at::Tensor* pooled,
                             bool everyLayer) const
{
    const int64_t B = ids.size(0), T = ids.size(1), heads = config.heads, D = config.headSize();
    const at::Tensor real = mask.to(at::kFloat).unsqueeze(-1); // [B, T, 1]
    at::Tensor h = embeddingNorm(wordEmbeddings.index_select(0, ids.reshape({-1})).view({B, T, config.hidden}) + tokenTypeRow);
    hidden.clear();
    if (everyLayer)
        hidden.push_back(h * real);
    // int8 where fusedAttentionRuns: the attention in one pass per (sequence, head) (fusedAttention:
    // the ALiBi bias from the slopes, padding keys left out); else LibTorch's operations with this bias:
    // bias[b, h, i, j] = −slope_h · |i − j| + (−10000 where key j is padding)
    const bool fused = precision == EncoderPrecision::Int8 && ids.device().is_cpu() && fusedAttentionRuns();
    at::Tensor bias;
    if (!fused) {
        const at::Tensor positions = at::arange(T, at::TensorOptions().dtype(at::kLong).device(ids.device()));
        const at::Tensor distance = (positions.view({1, T}) - positions.view({T, 1})).abs();
        const at::Tensor alibi = slopes.view({heads, 1, 1}) * (-distance).unsqueeze(0); // [heads, T, T]
        const at::Tensor keyBias = ((1.0 - mask.to(at::kFloat)) * -10000.0).view({B, 1, 1, T});
        bias = keyBias + alibi.unsqueeze(0);
    }
    const double scale = std::sqrt(double(D));
    // bf16 (encoder_precision.h): the products take bfloat16; the scores,
    // softmax, residual sums and LayerNorms stay float32 (h is float32 throughout).
    const bool low = precision == EncoderPrecision::BFloat16;
    auto in = [low](const at::Tensor& t) { return low ? t.to(at::kBFloat16) : t; };
    auto out = [low](const at::Tensor& t) { return low ? t.to(at::kFloat) : t; };
    const at::Tensor padding = mask.eq(0); // the rows the int8 products leave out
    auto attend = [&](const at::Tensor& qkv) { // [B, T, 3, heads, D] → [B, T, H]
        if (fused) // q, k and v read in place
            return fusedAttention(qkv.select(2, 0), qkv.select(2, 1), qkv.select(2, 2), 1.0 / scale, slopes, padding);
        const at::Tensor q = qkv.select(2, 0).permute({0, 2, 1, 3});
        const at::Tensor k = qkv.select(2, 1).permute({0, 2, 3, 1});
        const at::Tensor v = qkv.select(2, 2).permute({0, 2, 1, 3});
        const at::Tensor scores = out(bfloat16Matmul(q, k)) / scale + bias;
        return bfloat16Matmul(in(at::softmax(scores, -1)), v).permute({0, 2, 1, 3}).reshape({B, T, config.hidden});
    };
    if (precision == EncoderPrecision::Int8) {
        // Each block ends in its last product's epilogue (int8LinearResidual): the residual sum, the
        // LayerNorm and the next product's rounding in one pass per row.
        Int8Rows rows = int8Round(h, padding);
        for (size_t i = 0; i < layers.size(); ++i) {
            const Layer& l = layers[i];
            const Int8Norm attentionNorm = l.attentionNorm.int8(), mlpNorm = l.mlpNorm.int8();
            const at::Tensor attention = attend(int8Linear(rows, *l.qkv.int8Weights, l.qkv.bias).view({B, T, 3, heads, D}));
            Int8Rows mid;
            h = int8LinearResidual(int8Round(attention, padding), *l.attentionOut.int8Weights, l.attentionOut.bias, h, &attentionNorm, &mid);
            const Int8Rows gated = int8LinearRounded(mid, *l.gated.int8Weights, l.gated.bias, Int8Activation::GatedGelu);
            h = int8LinearResidual(gated, *l.wo.int8Weights, l.wo.bias, h, &mlpNorm, i + 1 < layers.size() ? &rows : nullptr);
            if (everyLayer)
                hidden.push_back(h * real);
        }
    } else {
        for (const Layer& l : layers) {
            const at::Tensor attention = attend(l.qkv(in(h)).view({B, T, 3, heads, D}));
            h = l.attentionNorm(out(l.attentionOut(attention)) + h);
            h = l.mlpNorm(out(l.gated.feedForward(l.wo, in(h), {}, Int8Activation::GatedGelu)) + h);
            if (everyLayer)
                hidden.push_back(h * real);
        }
    }
    if (!everyLayer)
        hidden.push_back(h * real); // the last hidden state only: the embedding needs no other
    if (pooled)
        *pooled = at::tanh(pooler(hidden.back().select(1, 0)));
}

DnabertModel::DnabertModel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DnabertModel::~DnabertModel() = default;

const DnabertConfig& DnabertModel::config() const { return m_impl->config; }

core::Expected<std::unique_ptr<DnabertModel>> DnabertModel::load(const QString& folder, EncoderPrecision precision, const EncoderDevice& device)
try {
    const QDir dir(folder);
    auto config = DnabertConfig::fromFile(dir.filePath(QStringLiteral("config.json")));
    if (!config)
        return config.error();
    auto weights = TorchWeights::load(dir.filePath(QStringLiteral("model.safetensors")));
    if (!weights)
        return weights.error();
    if (!weights->has("embeddings.word_embeddings.weight") && weights->has("bert.embeddings.word_embeddings.weight"))
        weights->setPrefix("bert."); // saved from BertForMaskedLM
    auto impl = std::make_unique<Impl>();
    impl->config = *config;
    impl->device = torchDevice(device);
    impl->outOfMemoryAboveTokens = device.outOfMemoryAboveTokens;
    weights->moveTo(impl->device);
    if (auto st = impl->loadWeights(*weights); !st)
        return st.error();
    impl->precision = precision;
    if (precision == EncoderPrecision::BFloat16)
        for (Layer& l : impl->layers)
            for (TorchLinear* linear : {&l.qkv, &l.attentionOut, &l.gated, &l.wo})
                linear->toBFloat16();
    if (precision == EncoderPrecision::Int8) {
        if (auto st = int8Precision(impl->device); !st)
            return Error(QStringLiteral("%1: %2").arg(folder, st.error().message()));
        for (Layer& l : impl->layers)
            for (TorchLinear* linear : {&l.qkv, &l.attentionOut, &l.gated, &l.wo})
                linear->toInt8();
    }
    return std::unique_ptr<DnabertModel>(new DnabertModel(std::move(impl)));
} catch (const std::exception& e) { // LibTorch's, on a device: no memory left, a driver error
    return Error(QStringLiteral("%1: cannot load the model on %2: %3").arg(folder, device.label(), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

core::Expected<DnabertModel::Output> DnabertModel::forward(const std::vector<std::vector<int64_t>>& ids) const
{
    auto batch = padTokenRows(ids, 0, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    c10::InferenceMode guard;
    std::vector<at::Tensor> hidden;
    at::Tensor pooled;
    m_impl->run(batch->ids.to(m_impl->device), batch->mask.to(m_impl->device), hidden, &pooled);
    Output o;
    for (const at::Tensor& h : hidden)
        o.hiddenStates.push_back(toHost(h));
    o.pooler = toHost(pooled);
    return o;
}

core::Expected<std::vector<std::vector<float>>> DnabertModel::meanEmbeddings(const std::vector<std::vector<int64_t>>& ids) const
try {
    auto batch = padTokenRows(ids, 0, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    applyTestMemoryLimit("DNABERT-S", m_impl->device, *batch, m_impl->outOfMemoryAboveTokens);
    try {
        c10::InferenceMode guard;
        std::vector<at::Tensor> hidden;
        const at::Tensor tokens = copyToDevice(batch->ids, m_impl->device), mask = copyToDevice(batch->mask, m_impl->device);
        m_impl->run(tokens, mask, hidden, nullptr, false);
        const at::Tensor real = mask.to(at::kFloat).unsqueeze(-1);
        const at::Tensor mean = copyToHost(((hidden.back() * real).sum(1) / real.sum(1)).contiguous());
        std::vector<std::vector<float>> out;
        for (int64_t i = 0; i < mean.size(0); ++i)
            out.emplace_back(mean[i].data_ptr<float>(), mean[i].data_ptr<float>() + mean.size(1));
        return out;
    } catch (const c10::OutOfMemoryError& e) {
        throw encoderOutOfMemory("DNABERT-S", m_impl->device, *batch, e.what_without_backtrace());
    } catch (const c10::Error& e) {
        if (!isOutOfMemoryMessage(e.what_without_backtrace()))
            throw;
        throw encoderOutOfMemory("DNABERT-S", m_impl->device, *batch, e.what_without_backtrace());
    }
} catch (const std::exception& e) { // LibTorch's, on a device: no memory left for the batch, a driver error
    return Error(QStringLiteral("DNABERT-S on %1: %2").arg(QString::fromStdString(m_impl->device.str()), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

} // namespace bioforge::viral
