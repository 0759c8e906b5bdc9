#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/esm2_model.h"

#include "model/torch_layers.h"
#include "model/torch_parallel.h"
#include "tokenizer/esm_alphabet.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <array>
#include <type_traits>
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

// x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (non-interleaved halves).
at::Tensor applyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin)
{
    const auto halves = x.chunk(2, -1);
    return x * cos + at::cat({-halves[1], halves[0]}, -1) * sin;
}

// cos and sin of the rotary angles for positions 0 … T-1: [T, headSize].
std::pair<at::Tensor, at::Tensor> rotaryTables(const at::Tensor& invFreq, int64_t T)
{
    const at::Tensor positions = at::arange(T, at::TensorOptions().dtype(at::kFloat).device(invFreq.device()));
    const at::Tensor freqs = at::outer(positions, invFreq);
    const at::Tensor angles = at::cat({freqs, freqs}, -1);
    return {angles.cos(), angles.sin()};
}

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

namespace {

// y = x·cos + rotate_half(x)·sin over one head's D = 2·half values, rotate_half(x) = [−x2, x1]:
// float32, a clone for AVX-512 (16 lanes) beside the baseline one, picked at load. This file is
// compiled without FMA contraction: each product and sum rounds as LibTorch's operations do.
#if defined(__x86_64__) && defined(__GLIBC__) // target_clones needs ifunc
#define BIOFORGE_AVX512_CLONE __attribute__((target_clones("avx512f", "default")))
#else
#define BIOFORGE_AVX512_CLONE
#endif
BIOFORGE_AVX512_CLONE void rotateHead(const float* __restrict x, const float* __restrict c, const float* __restrict s, float* __restrict y,
                                      int64_t half)
{
    for (int64_t i = 0; i < half; ++i) {
        const float x1 = x[i], x2 = x[i + half];
        y[i] = x1 * c[i] - x2 * s[i];
        y[i + half] = x2 * c[i + half] + x1 * s[i + half];
    }
}

// q, k and v in one pass over the fused product's output qkv [B, T, 3·heads·D]
// (float32, or bfloat16 in a bf16 layer): q and k rotated (in float32; a
// bfloat16 result rounded once), each of the three written contiguous as
// [B, heads, T, D] for the attention products. cos, sin: [T, D] float32
// (rotaryTables). Replaces LibTorch's chunk / cat / multiply / add passes over
// strided views and the copies the attention products then make (bf16: 64 ms
// of a 760 ms ESM-2 150M batch measured; this pass takes a few). In float32
// it computes what applyRotary does, in the same order: the same bits.
template<typename Scalar>
std::array<at::Tensor, 3> splitRotate(const at::Tensor& qkv, const at::Tensor& cos, const at::Tensor& sin, int64_t heads, int64_t D)
{
    const int64_t B = qkv.size(0), T = qkv.size(1), width = heads * D, half = D / 2;
    const at::Tensor in = qkv.contiguous();
    std::array<at::Tensor, 3> out;
    for (at::Tensor& o : out)
        o = at::empty({B, heads, T, D}, in.options());
    const auto* src = in.data_ptr<Scalar>();
    const float* c = cos.data_ptr<float>();
    const float* s = sin.data_ptr<float>();
    Scalar* dst[3] = {out[0].data_ptr<Scalar>(), out[1].data_ptr<Scalar>(), out[2].data_ptr<Scalar>()};
    at::parallel_for(0, B * T, 8, [&](int64_t begin, int64_t end) {
        for (int64_t bt = begin; bt < end; ++bt) {
            const int64_t b = bt / T, t = bt % T;
            const Scalar* row = src + bt * 3 * width;
            const float* ct = c + t * D;
            const float* st = s + t * D;
            for (int part = 0; part < 3; ++part)
                for (int64_t h = 0; h < heads; ++h) {
                    const Scalar* x = row + part * width + h * D;
                    Scalar* y = dst[part] + ((b * heads + h) * T + t) * D;
                    if (part == 2) {
                        std::copy(x, x + D, y);
                        continue;
                    }
                    if constexpr (std::is_same_v<Scalar, float>) {
                        rotateHead(x, ct, st, y, half);
                        continue;
                    }
                    // x·cos + rotate_half(x)·sin, rotate_half(x) = [−x2, x1]
                    for (int64_t i = 0; i < half; ++i) {
                        const float x1 = float(x[i]), x2 = float(x[i + half]);
                        y[i] = Scalar(x1 * ct[i] - x2 * st[i]);
                        y[i + half] = Scalar(x2 * ct[i + half] + x1 * st[i + half]);
                    }
                }
        }
    });
    return out;
}

} // namespace

at::Tensor Esm2Model::Impl::layer(const Layer& l, const at::Tensor& x, const at::Tensor& keyPadding,
                                  const std::pair<at::Tensor, at::Tensor>& rotary) const
{
    if (precision == EncoderPrecision::BFloat16)
        return layerBFloat16(l, x, keyPadding, rotary);
    const int64_t B = x.size(0), T = x.size(1), heads = config.heads, D = config.headSize();
    const at::Tensor fused = l.qkv(l.attentionNorm(x), keyPadding);
    at::Tensor attention;
    if (precision == EncoderPrecision::Int8 && device.is_cpu() && fusedAttentionRuns()) { // (int8 is CPU only)
        // One pass per (sequence, head), q, k and v read in place and rotated there; q is pre-scaled.
        const at::Tensor parts = fused.view({B, T, 3, heads, D});
        attention = fusedAttention(parts.select(2, 0), parts.select(2, 1), parts.select(2, 2), 1.0, {}, keyPadding, rotary.first, rotary.second);
    } else { // float32: LibTorch's operations (their bits; tst_esm2_model)
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
        attention = at::matmul(at::softmax(scores, -1), qkv[2]).transpose(1, 2).reshape({B, T, heads * D});
    }
    const at::Tensor y = x + l.output(attention, keyPadding);
    return y + l.fc1.feedForward(l.fc2, l.ffnNorm(y), keyPadding, Int8Activation::Gelu);
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
    for (int64_t i = 0; i < depth; ++i) {
        if (i == 0 || !sharedFrequencies)
            rotary = rotaryTables(layers[size_t(i)].invFreq, T);
        x = layer(layers[size_t(i)], x, keyPadding, rotary);
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
        m_impl->run(batch->ids.to(m_impl->device), {layer}, reps, false);
        std::vector<std::vector<float>> out;
        for (size_t i = 0; i < tokens.size(); ++i) {
            const int64_t residues = std::max<int64_t>(0, int64_t(tokens[i].size()) - 2);
            const int64_t n = std::min(truncation, residues);
            if (n <= 0)
                return Error(QStringLiteral("row %1 has no residue to average").arg(i));
            const at::Tensor mean = reps[0][int64_t(i)].slice(0, 1, n + 1).mean(0).contiguous().cpu();
            out.emplace_back(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
        }
        return out;
    } catch (const c10::OutOfMemoryError& e) {
        throw EncoderOutOfMemory{outOfMemoryMessage("ESM-2", m_impl->device, *batch, e.what_without_backtrace())};
    } catch (const c10::Error& e) {
        if (!isOutOfMemoryMessage(e.what_without_backtrace()))
            throw;
        throw EncoderOutOfMemory{outOfMemoryMessage("ESM-2", m_impl->device, *batch, e.what_without_backtrace())};
    }
} catch (const std::exception& e) { // LibTorch's, on a device: no memory left for the batch, a driver error
    return Error(QStringLiteral("ESM-2 on %1: %2").arg(QString::fromStdString(m_impl->device.str()), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

} // namespace bioforge::viral
