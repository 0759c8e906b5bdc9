#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/virus_classifier.h"

#include "model/model_config_json.h"
#include "model/torch_weights.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::viral {

using core::Error;

core::Expected<ClassifierSpec> ClassifierSpec::fromFile(const QString& path)
{
    auto json = ConfigJson::read(path);
    if (!json)
        return json.error();
    ClassifierSpec s;
    for (auto [key, out] : {std::pair{"input_dim", &s.inputDim}, {"hidden_dim", &s.hiddenDim}}) {
        auto v = json->positive(key, ShapeLimits::kHidden);
        if (!v)
            return v.error();
        *out = *v;
    }
    s.classes = json->texts("classes");
    if (s.classes.size() < 2 || s.classes.contains(QString()))
        return Error(QStringLiteral("%1: \"classes\" must list at least two class names").arg(path));
    // Checked before it is narrowed (2^32 + 1 must not pass as 1); 0.5 or 1e16 is an error, not the default.
    auto positive = json->index("positive_class", 1, s.classes.size());
    if (!positive)
        return positive.error();
    s.positiveClass = int(*positive);
    auto eps = json->positiveNumber("batch_norm_eps", 1e-5);
    if (!eps)
        return eps.error();
    s.batchNormEps = *eps;
    s.note = json->text("note", QString());
    if (json->has("chunk_length")) { // optional: the chunk length it was trained on
        auto chunk = json->positive("chunk_length", 1000000);
        if (!chunk)
            return chunk.error();
        s.chunkLength = int(*chunk);
    }
    return s;
}

QString ClassifierSpec::pathFor(const QString& weights)
{
    const QFileInfo info(weights);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".json"));
}

struct VirusClassifier::Impl {
    ClassifierSpec spec;
    at::Tensor w1, b1, bnWeight, bnBias, bnMean, bnVar, w2, b2;
};

VirusClassifier::VirusClassifier(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VirusClassifier::~VirusClassifier() = default;
const ClassifierSpec& VirusClassifier::spec() const { return m_impl->spec; }

core::Expected<std::unique_ptr<VirusClassifier>> VirusClassifier::load(const QString& weights)
{
    const QString specPath = ClassifierSpec::pathFor(weights);
    auto spec = ClassifierSpec::fromFile(specPath);
    if (!spec)
        return spec.error();
    auto w = TorchWeights::load(weights);
    if (!w)
        return w.error();
    auto impl = std::make_unique<Impl>();
    impl->spec = *spec;
    const int64_t in = spec->inputDim, hidden = spec->hiddenDim, classes = spec->classes.size();
    const std::pair<const char*, std::pair<at::Tensor*, std::vector<int64_t>>> parts[] = {
        {"hidden_layer.weight", {&impl->w1, {hidden, in}}}, {"hidden_layer.bias", {&impl->b1, {hidden}}},
        {"bn1.weight", {&impl->bnWeight, {hidden}}},        {"bn1.bias", {&impl->bnBias, {hidden}}},
        {"bn1.running_mean", {&impl->bnMean, {hidden}}},    {"bn1.running_var", {&impl->bnVar, {hidden}}},
        {"output_layer.weight", {&impl->w2, {classes, hidden}}}, {"output_layer.bias", {&impl->b2, {classes}}}};
    for (const auto& [name, target] : parts) {
        auto t = w->get(name, target.second);
        if (!t)
            return t.error();
        *target.first = *t;
    }
    return std::unique_ptr<VirusClassifier>(new VirusClassifier(std::move(impl)));
}

core::Expected<std::vector<std::vector<float>>> VirusClassifier::probabilities(const std::vector<std::vector<float>>& features) const
{
    const Impl& m = *m_impl;
    std::vector<float> flat;
    flat.reserve(features.size() * size_t(m.spec.inputDim));
    for (size_t i = 0; i < features.size(); ++i) {
        if (int64_t(features[i].size()) != m.spec.inputDim)
            return Error(QStringLiteral("feature row %1 has %2 values; the classifier takes %3").arg(i).arg(features[i].size()).arg(m.spec.inputDim));
        flat.insert(flat.end(), features[i].begin(), features[i].end());
    }
    std::vector<std::vector<float>> out;
    if (features.empty())
        return out;
    c10::InferenceMode guard;
    const at::Tensor x = at::from_blob(flat.data(), {int64_t(features.size()), m.spec.inputDim}, at::TensorOptions().dtype(at::kFloat));
    at::Tensor h = at::linear(x, m.w1, m.b1);
    h = at::batch_norm(h, m.bnWeight, m.bnBias, m.bnMean, m.bnVar, false, 0.0, m.spec.batchNormEps, false);
    const at::Tensor p = at::softmax(at::linear(at::relu(h), m.w2, m.b2), 1).contiguous();
    for (int64_t i = 0; i < p.size(0); ++i)
        out.emplace_back(p[i].data_ptr<float>(), p[i].data_ptr<float>() + p.size(1));
    return out;
}

} // namespace bioforge::viral
