#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <locale>
#include <sstream>
#include <unordered_set>

namespace bioforge::llm {

std::string Sampler::state() const
{
    std::ostringstream out;
    out.imbue(std::locale::classic()); // digits only, whatever the global locale groups them with
    out << m_rng;
    return out.str();
}

bool Sampler::restoreState(const std::string& state)
{
    std::istringstream in(state);
    in.imbue(std::locale::classic());
    std::mt19937_64 rng;
    in >> rng;
    if (in.fail())
        return false;
    in >> std::ws;
    if (!in.eof()) // more than a state: not one this class wrote
        return false;
    m_rng = rng;
    return true;
}

TokenId Sampler::sample(const float* logits, int64_t vocabSize, const std::vector<TokenId>& history)
{
    m_candidates.resize(size_t(vocabSize));
    for (int64_t i = 0; i < vocabSize; ++i)
        m_candidates[size_t(i)] = {std::isnan(logits[i]) ? -INFINITY : logits[i], TokenId(i)}; // NaN (broken weights) would break the sort's ordering

    if (m_settings.repeatPenalty != 1.0f && m_settings.repeatLastN != 0) {
        const size_t n = m_settings.repeatLastN < 0 ? history.size() : std::min(history.size(), size_t(m_settings.repeatLastN));
        std::unordered_set<TokenId> recent(history.end() - ptrdiff_t(n), history.end());
        for (TokenId t : recent) {
            if (t < 0 || t >= vocabSize)
                continue;
            float& l = m_candidates[size_t(t)].first;
            l = l > 0 ? l / m_settings.repeatPenalty : l * m_settings.repeatPenalty;
        }
    }

    if (m_settings.greedy()) {
        // The first of equal maxima, as a linear scan finds it.
        size_t best = 0;
        for (size_t i = 1; i < m_candidates.size(); ++i)
            if (m_candidates[i].first > m_candidates[best].first)
                best = i;
        return m_candidates[best].second;
    }

    auto byLogit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    size_t keep = m_candidates.size();
    if (m_settings.topK > 0 && size_t(m_settings.topK) < keep) {
        keep = size_t(m_settings.topK);
        std::partial_sort(m_candidates.begin(), m_candidates.begin() + ptrdiff_t(keep), m_candidates.end(), byLogit);
    } else {
        std::sort(m_candidates.begin(), m_candidates.end(), byLogit);
    }
    m_candidates.resize(keep);

    // Probabilities at temperature 1 for top-p and min-p (as llama.cpp's chain does).
    std::vector<double> p(keep);
    const float max = m_candidates.front().first;
    double sum = 0;
    for (size_t i = 0; i < keep; ++i)
        sum += p[i] = std::exp(double(m_candidates[i].first - max));
    for (double& v : p)
        v /= sum;
    if (m_settings.topP < 1.0f) {
        double cumulative = 0;
        size_t i = 0;
        for (; i < keep; ++i) {
            cumulative += p[i];
            if (cumulative >= m_settings.topP)
                break;
        }
        keep = std::min(keep, i + 1);
    }
    if (m_settings.minP > 0.0f) {
        const double threshold = p.front() * m_settings.minP;
        size_t i = 1;
        while (i < keep && p[i] >= threshold)
            ++i;
        keep = i;
    }
    m_candidates.resize(keep);

    std::vector<double> weights(keep);
    for (size_t i = 0; i < keep; ++i)
        weights[i] = std::exp(double(m_candidates[i].first - max) / double(m_settings.temperature));
    std::discrete_distribution<size_t> draw(weights.begin(), weights.end());
    return m_candidates[draw(m_rng)].second;
}

} // namespace bioforge::llm
