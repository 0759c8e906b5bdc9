#pragma once

// Internal to henaw_network.cpp (LibTorch; include <torch/torch.h> first): the HENAW network as a
// LibTorch module and its Cox loss. The architecture follows the reference HENAW implementation:
// per-marker encoders of adaptively weighted markers (base weights from the markers' coefficients
// of variation, adjusted by a small network of a linear age probe), attention within each
// biological system and across systems, a dense path, an optional path of interaction and ratio
// features, and heads for age (mean and log-variance), mortality (log hazard, Cox) and morbidities.

#include "henaw/henaw_config.h"

#include <cmath>
#include <string>
#include <vector>

namespace bioforge::age::henaw_module {

namespace nn = torch::nn;

inline nn::Linear linear(int64_t in, int64_t out) { return nn::Linear(nn::LinearOptions(in, out)); }

struct NetImpl : nn::Module {
    NetImpl(const HenawConfig& c, const std::vector<double>& cv)
    {
        const int64_t n = c.markers.size(), E = c.embedding, h0 = c.hidden[0], h1 = c.hidden[1], h2 = c.hidden[2];
        const int64_t ng = c.interactions.size() + c.ratios.size();
        const double p = c.dropout;
        std::vector<float> logits;
        for (double v : cv)
            logits.push_back(float(-c.weightingLambda * v / c.weightingTemperature));
        baseLogits = register_buffer("base_logits", torch::tensor(logits));
        markers = n;
        probe = register_module("probe", linear(n, 1));
        ageNet = register_module("age_net", nn::Sequential(linear(1, 32), nn::ReLU(), linear(32, n)));
        for (int64_t j = 0; j < n; ++j)
            encoders.push_back(register_module("encoder_" + std::to_string(j), nn::Sequential(linear(1, E), nn::ReLU(), nn::Dropout(p), linear(E, E))));
        for (int s = 0; s < c.systems.size(); ++s) {
            std::vector<int64_t> idx;
            for (const QString& m : c.systems[s].markers)
                idx.push_back(c.markers.indexOf(m));
            systemIndex.push_back(torch::tensor(idx, torch::kLong));
            attention.push_back(register_module("system_attention_" + std::to_string(s), nn::MultiheadAttention(nn::MultiheadAttentionOptions(E, c.attentionHeads).dropout(p))));
            projection.push_back(register_module("system_projection_" + std::to_string(s), linear(int64_t(idx.size()) * E, E)));
        }
        cross = register_module("cross_attention", nn::MultiheadAttention(nn::MultiheadAttentionOptions(E, c.attentionHeads).dropout(p)));
        h = register_module("h", nn::Sequential(linear(n, h0), nn::ReLU(), nn::BatchNorm1d(h0), nn::Dropout(p), linear(h0, h1), nn::ReLU(), nn::BatchNorm1d(h1), nn::Dropout(p)));
        int64_t width = int64_t(c.systems.size()) * E + h1;
        if (ng > 0) {
            g = register_module("g", nn::Sequential(linear(ng, 32), nn::ReLU(), nn::Dropout(p), linear(32, 16)));
            width += 16;
        }
        ageMean = register_module("age_mean", nn::Sequential(linear(width, h2), nn::ReLU(), nn::Dropout(p), linear(h2, 1)));
        ageLogVar = register_module("age_log_var", nn::Sequential(linear(width, h2), nn::ReLU(), linear(h2, 1)));
        // The mortality head also sees chronological age (as PhenoAge's predictor does): that is not the
        // age head's target leaking, and mortality without age would discard its strongest predictor.
        mortality = register_module("mortality", nn::Sequential(linear(width + 1, 64), nn::ReLU(), nn::Dropout(p), linear(64, 1)));
        for (int k = 0; k < c.morbidities.size(); ++k)
            morbidity.push_back(register_module("morbidity_" + std::to_string(k), nn::Sequential(linear(width, 32), nn::ReLU(), nn::Dropout(p), linear(32, 1))));
        // Xavier-uniform weights, zero biases (as the reference initialises).
        for (auto& m : modules(/*include_self=*/false)) {
            if (auto* l = m->as<nn::Linear>()) {
                nn::init::xavier_uniform_(l->weight);
                nn::init::zeros_(l->bias);
                penalised.push_back(l->weight);
            } else if (auto* a = m->as<nn::MultiheadAttention>()) {
                penalised.push_back(a->in_proj_weight);
            }
        }
    }

    struct Out {
        torch::Tensor ageMean, ageLogVar, logHazard, probe, weights, morbidity;
    };

    Out forward(const torch::Tensor& x, const torch::Tensor& gx, const torch::Tensor& age)
    {
        Out o;
        const int64_t B = x.size(0);
        o.probe = probe(x).squeeze(1);
        const torch::Tensor adjust = torch::softmax(ageNet->forward(o.probe.detach().unsqueeze(1)), 1);
        torch::Tensor w = torch::softmax(baseLogits, 0).unsqueeze(0) * adjust;
        w = w / w.sum(1, true);
        o.weights = w;
        const torch::Tensor xw = x * w * double(markers);
        std::vector<torch::Tensor> tokens;
        for (int64_t j = 0; j < markers; ++j)
            tokens.push_back(encoders[size_t(j)]->forward(xw.narrow(1, j, 1)));
        const torch::Tensor all = torch::stack(tokens, 1); // [B, n, E]
        std::vector<torch::Tensor> systems;
        for (size_t s = 0; s < attention.size(); ++s) {
            const torch::Tensor t = all.index_select(1, systemIndex[s]).transpose(0, 1); // [k, B, E]
            const torch::Tensor a = std::get<0>(attention[s]->forward(t, t, t)) + t;
            systems.push_back(projection[s]->forward(a.transpose(0, 1).reshape({B, -1})));
        }
        const torch::Tensor st = torch::stack(systems, 0); // [S, B, E]
        const torch::Tensor crossed = std::get<0>(cross->forward(st, st, st)) + st;
        std::vector<torch::Tensor> parts{crossed.transpose(0, 1).reshape({B, -1}), h->forward(xw)};
        if (!g.is_empty())
            parts.push_back(g->forward(gx));
        const torch::Tensor z = torch::cat(parts, 1);
        o.ageMean = ageMean->forward(z).squeeze(1);
        o.ageLogVar = ageLogVar->forward(z).squeeze(1).clamp(-10, 5);
        o.logHazard = mortality->forward(torch::cat({z, torch::nan_to_num(age, 0.0).unsqueeze(1)}, 1)).squeeze(1);
        std::vector<torch::Tensor> m;
        for (auto& head : morbidity)
            m.push_back(head->forward(z));
        o.morbidity = m.empty() ? torch::zeros({B, 0}, x.options()) : torch::cat(m, 1);
        return o;
    }

    int64_t markers = 0;
    torch::Tensor baseLogits;
    nn::Linear probe{nullptr};
    nn::Sequential ageNet{nullptr}, h{nullptr}, g{nullptr}, ageMean{nullptr}, ageLogVar{nullptr}, mortality{nullptr};
    std::vector<nn::Sequential> encoders, morbidity;
    std::vector<torch::Tensor> systemIndex;
    std::vector<nn::MultiheadAttention> attention;
    std::vector<nn::Linear> projection;
    nn::MultiheadAttention cross{nullptr};
    std::vector<torch::Tensor> penalised;
};
TORCH_MODULE(Net);

// Cox partial likelihood with Breslow's ties on the rows that have survival data (rows with a NaN
// time are left out): risk [B] log hazards, time [B] follow-up (NaN: unknown), event [B] 1 = died.
// Returns the mean negative log partial likelihood per event, a scalar tensor; 0 when fewer than
// two rows have a time or no row has an event. Cox (1972), ties after Breslow (1974).
inline torch::Tensor coxLoss(const torch::Tensor& risk, const torch::Tensor& time, const torch::Tensor& event)
{
    const torch::Tensor known = torch::isfinite(time);
    if (known.sum().item<int64_t>() < 2)
        return torch::zeros({}, risk.options());
    const torch::Tensor r = risk.masked_select(known), t = time.masked_select(known), e = event.masked_select(known);
    if (e.sum().item<double>() < 1)
        return torch::zeros({}, risk.options());
    const auto sorted = torch::sort(t, /*stable=*/true, /*dim=*/0, /*descending=*/true);
    const torch::Tensor order = std::get<1>(sorted), ts = std::get<0>(sorted).contiguous();
    const torch::Tensor rs = r.index_select(0, order), es = e.index_select(0, order);
    // Everyone tied at a time is in that time's risk set: use the log-sum at the end of each tie group.
    const int64_t m = ts.size(0);
    std::vector<int64_t> groupEnd(static_cast<size_t>(m));
    const torch::Tensor times = ts.cpu();
    const float* tv = times.data_ptr<float>();
    for (int64_t i = m - 1; i >= 0; --i)
        groupEnd[size_t(i)] = (i + 1 < m && tv[i + 1] == tv[i]) ? groupEnd[size_t(i + 1)] : i;
    const torch::Tensor lse = torch::logcumsumexp(rs, 0).index_select(0, torch::tensor(groupEnd, torch::kLong).to(rs.device()));
    return -((rs - lse) * es).sum() / es.sum();
}

} // namespace bioforge::age::henaw_module
