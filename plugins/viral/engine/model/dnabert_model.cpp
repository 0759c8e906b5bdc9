#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/dnabert_model.h"

#include "model/torch_weights.h"

#include <QDir>

#include <algorithm>
#include <cmath>

namespace bioforge::viral {

using core::Error;

namespace {

struct Linear {
    at::Tensor weight, bias; // bias may be undefined
    at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

struct Norm {
    at::Tensor weight, bias;
    double eps = 1e-12;
    at::Tensor operator()(const at::Tensor& x) const { return at::layer_norm(x, {weight.size(0)}, weight, bias, eps); }
};

struct Layer {
    Linear qkv, attentionOut, gated, wo;
    Norm attentionNorm, mlpNorm;
};

} // namespace

struct DnabertModel::Impl {
    DnabertConfig config;
    at::Tensor wordEmbeddings, tokenTypeRow;
    Norm embeddingNorm;
    std::vector<Layer> layers;
    Linear pooler;
    at::Tensor slopes; // [heads]

    core::Status loadWeights(const TorchWeights& w);
    // hidden states of every layer ([B, T, H], zero at padding) and the pooler output.
    void run(const at::Tensor& ids, const at::Tensor& mask, std::vector<at::Tensor>& hidden, at::Tensor* pooled) const;
};

core::Status DnabertModel::Impl::loadWeights(const TorchWeights& w)
{
    const int64_t H = config.hidden, I = config.intermediate;
    auto tensor = [&](const std::string& name, std::vector<int64_t> shape, at::Tensor& out) -> core::Status {
        auto t = w.get(name, shape);
        if (!t)
            return t.error();
        out = *t;
        return core::okStatus();
    };
    auto linear = [&](const std::string& name, int64_t out, int64_t in, bool bias, Linear& l) -> core::Status {
        if (auto st = tensor(name + ".weight", {out, in}, l.weight); !st)
            return st;
        return bias ? tensor(name + ".bias", {out}, l.bias) : core::okStatus();
    };
    auto norm = [&](const std::string& name, Norm& n) -> core::Status {
        n.eps = config.layerNormEps;
        if (auto st = tensor(name + ".weight", {H}, n.weight); !st)
            return st;
        return tensor(name + ".bias", {H}, n.bias);
    };
    at::Tensor tokenTypes;
    for (auto st : {tensor("embeddings.word_embeddings.weight", {config.vocabSize, H}, wordEmbeddings),
                    tensor("embeddings.token_type_embeddings.weight", {config.typeVocabSize, H}, tokenTypes),
                    norm("embeddings.LayerNorm", embeddingNorm)})
        if (!st)
            return st;
    tokenTypeRow = tokenTypes[0]; // token types are all 0
    layers.resize(size_t(config.layers));
    for (int64_t i = 0; i < config.layers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        Layer& l = layers[size_t(i)];
        for (auto st : {linear(p + "attention.self.Wqkv", 3 * H, H, true, l.qkv), linear(p + "attention.output.dense", H, H, true, l.attentionOut),
                        norm(p + "attention.output.LayerNorm", l.attentionNorm), linear(p + "mlp.gated_layers", 2 * I, H, false, l.gated),
                        linear(p + "mlp.wo", H, I, true, l.wo), norm(p + "mlp.layernorm", l.mlpNorm)})
            if (!st)
                return st;
    }
    if (auto st = linear("pooler.dense", H, H, true, pooler); !st)
        return st;
    const std::vector<double> s = alibiSlopes(config.heads);
    slopes = at::tensor(std::vector<float>(s.begin(), s.end()), at::TensorOptions().dtype(at::kFloat));
    return core::okStatus();
}

void DnabertModel::Impl::run(const at::Tensor& ids, const at::Tensor& mask, std::vector<at::Tensor>& hidden, at::Tensor* pooled) const
{
    const int64_t B = ids.size(0), T = ids.size(1), heads = config.heads, D = config.headSize(), I = config.intermediate;
    const at::Tensor real = mask.to(at::kFloat).unsqueeze(-1); // [B, T, 1]
    at::Tensor h = embeddingNorm(wordEmbeddings.index_select(0, ids.reshape({-1})).view({B, T, config.hidden}) + tokenTypeRow);
    hidden.assign(1, h * real);
    // bias[b, h, i, j] = −slope_h · |i − j| + (−10000 where key j is padding)
    const at::Tensor positions = at::arange(T, at::TensorOptions().dtype(at::kLong));
    const at::Tensor distance = (positions.view({1, T}) - positions.view({T, 1})).abs();
    const at::Tensor alibi = slopes.view({heads, 1, 1}) * (-distance).unsqueeze(0); // [heads, T, T]
    const at::Tensor keyBias = ((1.0 - mask.to(at::kFloat)) * -10000.0).view({B, 1, 1, T});
    const at::Tensor bias = keyBias + alibi.unsqueeze(0);
    const double scale = std::sqrt(double(D));
    for (const Layer& l : layers) {
        const at::Tensor qkv = l.qkv(h).view({B, T, 3, heads, D});
        const at::Tensor q = qkv.select(2, 0).permute({0, 2, 1, 3});
        const at::Tensor k = qkv.select(2, 1).permute({0, 2, 3, 1});
        const at::Tensor v = qkv.select(2, 2).permute({0, 2, 1, 3});
        const at::Tensor scores = at::matmul(q, k) / scale + bias;
        const at::Tensor attention = at::matmul(at::softmax(scores, -1), v).permute({0, 2, 1, 3}).reshape({B, T, config.hidden});
        h = l.attentionNorm(l.attentionOut(attention) + h);
        const at::Tensor g = l.gated(h);
        h = l.mlpNorm(l.wo(at::gelu(g.slice(-1, 0, I)) * g.slice(-1, I, 2 * I)) + h);
        hidden.push_back(h * real);
    }
    if (pooled)
        *pooled = at::tanh(pooler(hidden.back().select(1, 0)));
}

DnabertModel::DnabertModel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DnabertModel::~DnabertModel() = default;

const DnabertConfig& DnabertModel::config() const { return m_impl->config; }

core::Expected<std::unique_ptr<DnabertModel>> DnabertModel::load(const QString& folder)
{
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
    if (auto st = impl->loadWeights(*weights); !st)
        return st.error();
    return std::unique_ptr<DnabertModel>(new DnabertModel(std::move(impl)));
}

namespace {

struct Batch {
    at::Tensor ids, mask;
};

core::Expected<Batch> padBatch(const std::vector<std::vector<int64_t>>& rows, int64_t vocab)
{
    size_t longest = 0;
    for (const auto& r : rows)
        longest = std::max(longest, r.size());
    if (rows.empty() || longest == 0)
        return Error(QStringLiteral("nothing to run: an empty batch"));
    Batch b{at::zeros({int64_t(rows.size()), int64_t(longest)}, at::TensorOptions().dtype(at::kLong)),
            at::zeros({int64_t(rows.size()), int64_t(longest)}, at::TensorOptions().dtype(at::kLong))};
    auto ids = b.ids.accessor<int64_t, 2>();
    auto mask = b.mask.accessor<int64_t, 2>();
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = 0; j < rows[i].size(); ++j) {
            if (rows[i][j] < 0 || rows[i][j] >= vocab)
                return Error(QStringLiteral("row %1, position %2: token id %3 is outside the vocabulary (%4)").arg(i).arg(j).arg(rows[i][j]).arg(vocab));
            ids[int64_t(i)][int64_t(j)] = rows[i][j];
            mask[int64_t(i)][int64_t(j)] = 1;
        }
    return b;
}

} // namespace

core::Expected<DnabertModel::Output> DnabertModel::forward(const std::vector<std::vector<int64_t>>& ids) const
{
    auto batch = padBatch(ids, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    c10::InferenceMode guard;
    std::vector<at::Tensor> hidden;
    at::Tensor pooled;
    m_impl->run(batch->ids, batch->mask, hidden, &pooled);
    Output o;
    for (const at::Tensor& h : hidden)
        o.hiddenStates.push_back(toHost(h));
    o.pooler = toHost(pooled);
    return o;
}

core::Expected<std::vector<std::vector<float>>> DnabertModel::meanEmbeddings(const std::vector<std::vector<int64_t>>& ids) const
{
    auto batch = padBatch(ids, m_impl->config.vocabSize);
    if (!batch)
        return batch.error();
    c10::InferenceMode guard;
    std::vector<at::Tensor> hidden;
    m_impl->run(batch->ids, batch->mask, hidden, nullptr);
    const at::Tensor mask = batch->mask.to(at::kFloat).unsqueeze(-1);
    const at::Tensor mean = ((hidden.back() * mask).sum(1) / mask.sum(1)).contiguous();
    std::vector<std::vector<float>> out;
    for (int64_t i = 0; i < mean.size(0); ++i)
        out.emplace_back(mean[i].data_ptr<float>(), mean[i].data_ptr<float>() + mean.size(1));
    return out;
}

} // namespace bioforge::viral
