#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/esm2_model.h"

#include "model/esm2_rotary.h"
#include "model/torch_layers.h"
#include "tokenizer/esm_alphabet.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <array>
#include <limits>

namespace bioforge::viral {

using core::Error;

namespace {

struct Layer {
    TorchLayerNorm attentionNorm, ffnNorm;
    // query (pre-scaled by headSize^-0.5, as fair-esm scales q), key and value in one product
    TorchLinear qkv, output, fc1, fc2;
    at::Tensor invFreq; // rotary frequencies (headSize / 2)
};

} // namespace

struct Esm2Model::Impl {
    Esm2Config config;
    int64_t padId = -1, maskId = -1;
    at::Tensor embedding;
    std::vector<Layer> layers;
    bool sharedFrequencies = true; // every layer has the same rotary frequencies (then the tables are made once)
    TorchLayerNorm finalNorm, headNorm;
    TorchLinear headDense;
    at::Tensor headBias;

    EncoderPrecision precision = EncoderPrecision::Float32;
    at::Device device = at::kCPU;
    int64_t outOfMemoryAboveTokens = -1; // EncoderDevice's test limit
    bool cpuKernels = true; // splitRotate (CPU memory only); elsewhere LibTorch's operations

    core::Status loadWeights(const TorchWeights& w);
    // Runs the model; fills representations of `wanted` layers and optionally the logits.
    at::Tensor run(const at::Tensor& tokens, const std::vector<int64_t>& wanted, std::vector<at::Tensor>& reps, bool logits) const;
    // keyPadding [B, T] (true at padding; undefined without): the attention's mask and the int8
    // products, which leave padding rows out (TorchLinear).
    at::Tensor layer(const Layer& l, const at::Tensor& x, const at::Tensor& keyPadding, const std::pair<at::Tensor, at::Tensor>& rotary) const;
    // The attention of a layer from its fused q/k/v product [B, T, 3·H] → [B, T, H] (float32 or int8).
    at::Tensor attend(const at::Tensor& fused, const at::Tensor& keyPadding, const std::pair<at::Tensor, at::Tensor>& rotary) const;
    // int8: rows holds the layer's input rounded from attentionNorm(x) (int8NormRound, or the previous
    // layer's last epilogue); each block ends in its last product's epilogue (int8LinearResidual:
    // the residual sum, and the next LayerNorm rounded for the next product, in one pass per row),
    // which refills rows for `next` (the following layer, or null).
    at::Tensor layerInt8(const Layer& l, const at::Tensor& x, Int8Rows& rows, const at::Tensor& keyPadding,
                         const std::pair<at::Tensor, at::Tensor>& rotary, const Layer* next) const;
    at::Tensor layerBFloat16(const Layer& l, const at::Tensor& x, const at::Tensor& keyPadding,
                             const std::pair<at::Tensor, at::Tensor>& rotary) const;
};

core::Status Esm2Model::Impl::loadWeights(const TorchWeights& w)
{
    const int64_t H = config.hidden, I = config.intermediate, V = config.vocabSize;
    const double eps = config.layerNormEps;
    PartReader r(w);
    r.tensor("esm.embeddings.word_embeddings.weight", {V, H}, embedding);
    layers.resize(size_t(config.layers));
    const at::Tensor defaultFreq =
        1.0 / at::pow(10000.0, at::arange(0, config.headSize(), 2, at::TensorOptions().dtype(at::kFloat).device(device)) / double(config.headSize()));
    for (int64_t i = 0; i < config.layers; ++i) {
        const std::string p = "esm.encoder.layer." + std::to_string(i) + ".";
        Layer& l = layers[size_t(i)];
        TorchLinear query, key, value;
        r.norm(p + "attention.LayerNorm", H, eps, l.attentionNorm);
        r.linear(p + "attention.self.query", H, H, query);
        r.linear(p + "attention.self.key", H, H, key);
        r.linear(p + "attention.self.value", H, H, value);
        r.linear(p + "attention.output.dense", H, H, l.output);
        if (r.status()) {
            const double scale = std::pow(double(config.headSize()), -0.5);
            l.qkv.weight = at::cat({query.weight * scale, key.weight, value.weight}, 0).contiguous();
            l.qkv.bias = at::cat({query.bias * scale, key.bias, value.bias}, 0).contiguous();
        }
        r.norm(p + "LayerNorm", H, eps, l.ffnNorm);
        r.linear(p + "intermediate.dense", I, H, l.fc1);
        r.linear(p + "output.dense", H, I, l.fc2);
        l.invFreq = defaultFreq; // the checkpoint's own buffer when it has one
        if (const std::string freq = p + "attention.self.rotary_embeddings.inv_freq"; w.has(freq))
            r.tensor(freq, {config.headSize() / 2}, l.invFreq);
        sharedFrequencies = sharedFrequencies && (l.invFreq.sizes() == layers[0].invFreq.sizes() && at::equal(l.invFreq, layers[0].invFreq));
    }
    r.norm("esm.encoder.emb_layer_norm_after", H, eps, finalNorm);
    r.linear("lm_head.dense", H, H, headDense);
    r.norm("lm_head.layer_norm", H, eps, headNorm);
    r.tensor("lm_head.bias", {V}, headBias);
    return r.status();
}

at::Tensor Esm2Model::Impl::attend(const at::Tensor& fused, const at::Tensor& keyPadding, const std::pair<at::Tensor, at::Tensor>& rotary) const
{
    const int64_t B = fused.size(0), T = fused.size(1), heads = config.heads, D = config.headSize();
    if (precision == EncoderPrecision::Int8 && device.is_cpu() && fusedAttentionRuns()) { // (int8 is CPU only)
        // One pass per (sequence, head), q, k and v read in place and rotated there; q is pre-scaled.
        const at::Tensor parts = fused.view({B, T, 3, heads, D});
        return fusedAttention(parts.select(2, 0), parts.select(2, 1), parts.select(2, 2), 1.0, {}, keyPadding, rotary.first, rotary.second);
    }
    // float32: LibTorch's operations (their bits; tst_esm2_model)
    std::array<at::Tensor, 3> qkv;
    if (cpuKernels) {
        qkv = splitRotate<float>(fused, rotary.first, rotary.second, heads, D);
    } else { // [B, T, 3, heads, D] -> [3, B, heads, T, D]; q and k are rotated together.
        const at::Tensor parts = fused.view({B, T, 3, heads, D}).permute({2, 0, 3, 1, 4});
        const at::Tensor qk = applyRotary(parts.slice(0, 0, 2), rotary.first, rotary.second);
        qkv = {qk[0], qk[1], parts[2]};
    }
    at::Tensor scores = at::matmul(qkv[0], qkv[1].transpose(-1, -2)); // [B, heads, T, T]
    if (keyPadding.defined())
        scores.masked_fill_(keyPadding.view({B, 1, 1, T}), -std::numeric_limits<float>::infinity());
    return at::matmul(at::softmax(scores, -1), qkv[2]).transpose(1, 2).reshape({B, T, heads * D});
}

at::Tensor Esm2Model::Impl::layer(const Layer& l, const at::Tensor& x, const at::Tensor& keyPadding,
                                  const std::pair<at::Tensor, at::Tensor>& rotary) const
{
    if (precision == EncoderPrecision::BFloat16)
        return layerBFloat16(l, x, keyPadding, rotary);
    const at::Tensor y = x + l.output(attend(l.qkv(l.attentionNorm(x)), keyPadding, rotary));
    return y + l.fc2(l.fc1.gelu(l.ffnNorm(y)));
}

at::Tensor Esm2Model::Impl::layerInt8(const Layer& l, const at::Tensor& x, Int8Rows& rows, const at::Tensor& keyPadding,
                                      const std::pair<at::Tensor, at::Tensor>& rotary, const Layer* next) const
{
    const at::Tensor attention = attend(int8Linear(rows, *l.qkv.int8Weights, l.qkv.bias), keyPadding, rotary);
    const Int8Norm ffnNorm = l.ffnNorm.int8();
    Int8Rows ffnRows;
    const at::Tensor y = int8LinearResidual(int8Round(attention, keyPadding), *l.output.int8Weights, l.output.bias, x, nullptr, &ffnRows, &ffnNorm);
    const Int8Rows activation = int8LinearRounded(ffnRows, *l.fc1.int8Weights, l.fc1.bias, Int8Activation::Gelu);
    if (!next)
        return int8LinearResidual(activation, *l.fc2.int8Weights, l.fc2.bias, y, nullptr);
    const Int8Norm nextNorm = next->attentionNorm.int8();
    return int8LinearResidual(activation, *l.fc2.int8Weights, l.fc2.bias, y, nullptr, &rows, &nextNorm);
}

// The same layer with the matrix products in bfloat16 (encoder_precision.h):
// the LayerNorms, the rotation of q and k (splitRotate), the softmax's
// arithmetic and the residual sums in float32; x and the result are float32.
// The softmax takes the scores product's bfloat16 result as it is (a float32
// copy would hold the same values), computes in float32 inside and rounds the
// probabilities to bfloat16 for the second product.
at::Tensor Esm2Model::Impl::layerBFloat16(const Layer& l, const at::Tensor& x, const at::Tensor& keyPadding,
                                          const std::pair<at::Tensor, at::Tensor>& rotary) const
{
    const int64_t B = x.size(0), T = x.size(1), heads = config.heads, D = config.headSize();
    const at::Tensor fused = l.qkv(l.attentionNorm(x).to(at::kBFloat16));
    std::array<at::Tensor, 3> qkv;
    if (cpuKernels) {
        qkv = splitRotate<at::BFloat16>(fused, rotary.first, rotary.second, heads, D);
    } else { // the same arithmetic in LibTorch's operations: rotated in float32, rounded once
        const at::Tensor parts = fused.view({B, T, 3, heads, D}).permute({2, 0, 3, 1, 4});
        const at::Tensor qk = applyRotary(parts.slice(0, 0, 2).to(at::kFloat), rotary.first, rotary.second).to(at::kBFloat16);
        qkv = {qk[0], qk[1], parts[2]};
    }
    const auto& [q, k, v] = qkv;
    at::Tensor scores = bfloat16Matmul(q, k.transpose(-1, -2)); // [B, heads, T, T]
    if (keyPadding.defined())
        scores.masked_fill_(keyPadding.view({B, 1, 1, T}), -std::numeric_limits<float>::infinity());
    scores = at::softmax(scores, -1);
    const at::Tensor attention = bfloat16Matmul(scores, v).transpose(1, 2).reshape({B, T, heads * D});
    const at::Tensor y = x + l.output(attention).to(at::kFloat);
    return y + l.fc2(geluErf(l.fc1(l.ffnNorm(y).to(at::kBFloat16)))).to(at::kFloat);
}

at::Tensor Esm2Model::Impl::run(const at::Tensor& tokens, const std::vector<int64_t>& wanted, std::vector<at::Tensor>& reps, bool logits) const
{
    const int64_t B = tokens.size(0), T = tokens.size(1);
    auto want = [&](int64_t layerIndex) { return std::find(wanted.begin(), wanted.end(), layerIndex) != wanted.end(); };
    reps.assign(wanted.size(), at::Tensor());
    auto keep = [&](int64_t layerIndex, const at::Tensor& x) {
        for (size_t i = 0; i < wanted.size(); ++i)
            if (wanted[i] == layerIndex)
                reps[i] = x;
    };
    at::Tensor x = embedding.index_select(0, tokens.reshape({-1})).view({B, T, config.hidden});
    const at::Tensor padding = tokens.eq(padId);
    if (config.tokenDropout) {
        const at::Tensor masked = tokens.eq(maskId);
        x = x.masked_fill(masked.unsqueeze(-1), 0.0);
        const double ratioTrain = 0.15 * 0.8;
        const at::Tensor lengths = padding.logical_not().sum(-1);
        const at::Tensor ratioObserved = masked.sum(-1).to(at::kFloat) / lengths;
        x = x * (1 - ratioTrain) / (1 - ratioObserved).view({B, 1, 1});
    }
    const bool anyPadding = padding.any().item<bool>();
    if (anyPadding)
        x = x * (1 - padding.unsqueeze(-1).to(at::kFloat));
    if (want(0))
        keep(0, x);
    const at::Tensor keyPadding = anyPadding ? padding : at::Tensor();
    std::pair<at::Tensor, at::Tensor> rotary; // the same for every layer unless a checkpoint says otherwise
    // Without logits, layers past the deepest one asked for are not run.
    const int64_t deepest = wanted.empty() ? 0 : *std::max_element(wanted.begin(), wanted.end());
    const int64_t depth = logits ? config.layers : deepest;
    Int8Rows rows; // int8: the next layer's input, rounded (layerInt8)
    for (int64_t i = 0; i < depth; ++i) {
        if (i == 0 || !sharedFrequencies)
            rotary = rotaryTables(layers[size_t(i)].invFreq, T);
        if (precision != EncoderPrecision::Int8) {
            x = layer(layers[size_t(i)], x, keyPadding, rotary);
        } else {
            if (i == 0)
                rows = int8NormRound(x, layers[0].attentionNorm.int8(), keyPadding);
            x = layerInt8(layers[size_t(i)], x, rows, keyPadding, rotary, i + 1 < depth ? &layers[size_t(i + 1)] : nullptr);
        }
        if (i + 1 < config.layers && want(i + 1))
            keep(i + 1, x);
    }
    if (depth < config.layers)
        return {};
    x = finalNorm(x);
    if (want(config.layers))
        keep(config.layers, x);
    if (!logits)
        return {};
    return at::linear(headNorm(at::gelu(headDense(x))), embedding) + headBias;
}

Esm2Model::Esm2Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Esm2Model::~Esm2Model() = default;

const Esm2Config& Esm2Model::config() const { return m_impl->config; }

core::Expected<std::unique_ptr<Esm2Model>> Esm2Model::load(const QString& folder, EncoderPrecision precision, const EncoderDevice& device)
try {
    const QDir dir(folder);
    auto config = Esm2Config::fromFile(dir.filePath(QStringLiteral("config.json")));
    if (!config)
        return config.error();
    auto alphabet = EsmAlphabet::fromVocabFile(dir.filePath(QStringLiteral("vocab.txt")));
    if (!alphabet)
        return alphabet.error();
    if (alphabet->size() != config->vocabSize)
        return Error(QStringLiteral("%1: vocab.txt has %2 tokens, config.json says vocab_size %3").arg(folder, QString::number(alphabet->size()),
                                                                                                       QString::number(config->vocabSize)));
    auto weights = TorchWeights::load(dir.filePath(QStringLiteral("model.safetensors")));
    if (!weights)
        return weights.error();
    auto impl = std::make_unique<Impl>();
    impl->config = *config;
    impl->padId = alphabet->pad();
    impl->maskId = alphabet->mask();
    impl->device = torchDevice(device);
    impl->cpuKernels = impl->device.is_cpu() && !device.portableKernels;
    impl->outOfMemoryAboveTokens = device.outOfMemoryAboveTokens;
    weights->moveTo(impl->device);
    if (auto st = impl->loadWeights(*weights); !st)
        return st.error();
    impl->precision = precision;
    if (precision == EncoderPrecision::BFloat16)
        for (Layer& l : impl->layers)
            for (TorchLinear* linear : {&l.qkv, &l.output, &l.fc1, &l.fc2})
                linear->toBFloat16();
    if (precision == EncoderPrecision::Int8) {
        if (auto st = int8Precision(impl->device); !st)
            return Error(QStringLiteral("%1: %2").arg(folder, st.error().message()));
        for (Layer& l : impl->layers)
            for (TorchLinear* linear : {&l.qkv, &l.output, &l.fc1, &l.fc2})
                linear->toInt8();
    }
    return std::unique_ptr<Esm2Model>(new Esm2Model(std::move(impl)));
} catch (const std::exception& e) { // LibTorch's, on a device: no memory left, a driver error
    return Error(QStringLiteral("%1: cannot load the model on %2: %3").arg(folder, device.label(), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

core::Expected<Esm2Model::Output> Esm2Model::forward(const std::vector<std::vector<int64_t>>& tokens, const std::vector<int64_t>& layers,
                                                     bool logits) const
{
    for (int64_t l : layers)
        if (l < 0 || l > m_impl->config.layers)
            return Error(QStringLiteral("layer %1 does not exist (the model has layers 0 … %2)").arg(QString::number(l),
                                                                                                     QString::number(m_impl->config.layers)));
    auto batch = padTokenRows(tokens, m_impl->padId, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    c10::InferenceMode guard;
    std::vector<at::Tensor> reps;
    const at::Tensor out = m_impl->run(batch->ids.to(m_impl->device), layers, reps, logits);
    Output o;
    for (const at::Tensor& r : reps)
        o.representations.push_back(toHost(r));
    if (logits)
        o.logits = toHost(out);
    return o;
}

core::Expected<std::vector<std::vector<float>>> Esm2Model::meanEmbeddings(const std::vector<std::vector<int64_t>>& tokens, int64_t layer,
                                                                          int64_t truncation) const
try {
    if (layer < 0 || layer > m_impl->config.layers)
        return Error(QStringLiteral("layer %1 does not exist (the model has layers 0 … %2)").arg(QString::number(layer),
                                                                                                 QString::number(m_impl->config.layers)));
    auto batch = padTokenRows(tokens, m_impl->padId, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    applyTestMemoryLimit("ESM-2", m_impl->device, *batch, m_impl->outOfMemoryAboveTokens);
    try {
        c10::InferenceMode guard;
        std::vector<at::Tensor> reps;
        for (size_t i = 0; i < tokens.size(); ++i)
            if (std::min(truncation, int64_t(tokens[i].size()) - 2) <= 0)
                return Error(QStringLiteral("row %1 has no residue to average").arg(i));
        m_impl->run(copyToDevice(batch->ids, m_impl->device), {layer}, reps, false);
        // Each row's mean over its first `truncation` residues where the representations are, then
        // one copy of all of them to the host (on a GPU: one wait, not one per row).
        std::vector<at::Tensor> means;
        for (size_t i = 0; i < tokens.size(); ++i) {
            const int64_t n = std::min(truncation, int64_t(tokens[i].size()) - 2);
            means.push_back(reps[0][int64_t(i)].slice(0, 1, n + 1).mean(0));
        }
        const at::Tensor mean = copyToHost(at::stack(means).contiguous());
        std::vector<std::vector<float>> out;
        for (int64_t i = 0; i < mean.size(0); ++i)
            out.emplace_back(mean[i].data_ptr<float>(), mean[i].data_ptr<float>() + mean.size(1));
        return out;
    } catch (const c10::OutOfMemoryError& e) {
        throw encoderOutOfMemory("ESM-2", m_impl->device, *batch, e.what_without_backtrace());
    } catch (const c10::Error& e) {
        if (!isOutOfMemoryMessage(e.what_without_backtrace()))
            throw;
        throw encoderOutOfMemory("ESM-2", m_impl->device, *batch, e.what_without_backtrace());
    }
} catch (const std::exception& e) { // LibTorch's, on a device: no memory left for the batch, a driver error
    return Error(QStringLiteral("ESM-2 on %1: %2").arg(QString::fromStdString(m_impl->device.str()), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

} // namespace bioforge::viral
