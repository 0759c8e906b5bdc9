#include "model/dnabert_config.h"

#include "model/model_config_json.h"

#include <cmath>

namespace bioforge::viral {

using core::Error;

core::Expected<DnabertConfig> DnabertConfig::fromFile(const QString& path)
{
    auto json = ConfigJson::read(path);
    if (!json)
        return json.error();
    DnabertConfig c;
    if (auto st = json->transformerShape(c.vocabSize, c.hidden, c.layers, c.heads, c.intermediate); !st)
        return st.error();
    if (c.hidden % c.heads != 0)
        return Error(QStringLiteral("%1: hidden_size %2 is not divisible by num_attention_heads %3").arg(path, QString::number(c.hidden),
                                                                                                         QString::number(c.heads)));
    if (!json->has("type_vocab_size")) {
        c.typeVocabSize = 2;
    } else {
        auto types = json->positive("type_vocab_size", ShapeLimits::kVocab);
        if (!types)
            return types.error();
        c.typeVocabSize = *types;
    }
    auto eps = json->positiveNumber("layer_norm_eps", 1e-12);
    if (!eps)
        return eps.error();
    c.layerNormEps = *eps;
    return c;
}

std::vector<double> alibiSlopes(int64_t heads)
{
    auto powerOfTwo = [](int64_t n) {
        const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(double(n)) - 3)));
        std::vector<double> s;
        for (int64_t i = 0; i < n; ++i)
            s.push_back(start * std::pow(start, double(i)));
        return s;
    };
    const double log = std::log2(double(heads));
    if (log == std::floor(log))
        return powerOfTwo(heads);
    const int64_t closest = int64_t(1) << int64_t(std::floor(log));
    std::vector<double> slopes = powerOfTwo(closest);
    const std::vector<double> twice = alibiSlopes(2 * closest);
    for (size_t i = 0; i < twice.size() && int64_t(slopes.size()) < heads; i += 2)
        slopes.push_back(twice[i]);
    return slopes;
}

} // namespace bioforge::viral
