#include <ATen/ATen.h>

#include "model/torch_layers.h"

#include <algorithm>

namespace bioforge::viral {

using core::Error;

core::Expected<TorchLinear> TorchLinear::read(const TorchWeights& w, const std::string& name, int64_t out, int64_t in, bool withBias)
{
    TorchLinear l;
    auto weight = w.get(name + ".weight", {out, in});
    if (!weight)
        return weight.error();
    l.weight = *weight;
    if (withBias) {
        auto bias = w.get(name + ".bias", {out});
        if (!bias)
            return bias.error();
        l.bias = *bias;
    }
    return l;
}

core::Expected<TorchLayerNorm> TorchLayerNorm::read(const TorchWeights& w, const std::string& name, int64_t width, double eps)
{
    TorchLayerNorm n;
    n.eps = eps;
    auto weight = w.get(name + ".weight", {width});
    if (!weight)
        return weight.error();
    auto bias = w.get(name + ".bias", {width});
    if (!bias)
        return bias.error();
    n.weight = *weight;
    n.bias = *bias;
    return n;
}

void PartReader::tensor(const std::string& name, const std::vector<int64_t>& shape, at::Tensor& out)
{
    if (!m_status)
        return;
    if (auto t = m_weights.get(name, shape))
        out = *t;
    else
        m_status = t.error();
}

void PartReader::linear(const std::string& name, int64_t out, int64_t in, TorchLinear& layer, bool withBias)
{
    if (!m_status)
        return;
    if (auto l = TorchLinear::read(m_weights, name, out, in, withBias))
        layer = *l;
    else
        m_status = l.error();
}

void PartReader::norm(const std::string& name, int64_t width, double eps, TorchLayerNorm& layer)
{
    if (!m_status)
        return;
    if (auto n = TorchLayerNorm::read(m_weights, name, width, eps))
        layer = *n;
    else
        m_status = n.error();
}

core::Expected<TokenBatch> padTokenRows(const std::vector<std::vector<int64_t>>& rows, int64_t padId, int64_t vocab)
{
    size_t longest = 0;
    for (const auto& r : rows)
        longest = std::max(longest, r.size());
    if (rows.empty() || longest == 0)
        return Error(QStringLiteral("nothing to run: an empty batch"));
    const auto options = at::TensorOptions().dtype(at::kLong);
    TokenBatch b{at::full({int64_t(rows.size()), int64_t(longest)}, padId, options), at::zeros({int64_t(rows.size()), int64_t(longest)}, options)};
    auto ids = b.ids.accessor<int64_t, 2>();
    auto mask = b.mask.accessor<int64_t, 2>();
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = 0; j < rows[i].size(); ++j) {
            if (rows[i][j] < 0 || rows[i][j] >= vocab)
                return Error(QStringLiteral("row %1, position %2: token id %3 is outside the vocabulary (%4 tokens)").arg(i).arg(j).arg(rows[i][j]).arg(vocab));
            ids[int64_t(i)][int64_t(j)] = rows[i][j];
            mask[int64_t(i)][int64_t(j)] = 1;
        }
    return b;
}

} // namespace bioforge::viral
