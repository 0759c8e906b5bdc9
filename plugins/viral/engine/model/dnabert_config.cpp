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
    for (auto [key, out] : {std::pair{"vocab_size", &c.vocabSize}, {"hidden_size", &c.hidden}, {"num_hidden_layers", &c.layers},
                            {"num_attention_heads", &c.heads}, {"intermediate_size", &c.intermediate}}) {
        auto v = json->positive(key);
        if (!v)
            return v.error();
        *out = *v;
    }
    if (c.hidden % c.heads != 0)
        return Error(QStringLiteral("%1: hidden_size %2 is not divisible by num_attention_heads %3").arg(path).arg(c.hidden).arg(c.heads));
    c.typeVocabSize = json->integer("type_vocab_size", 2);
    c.layerNormEps = json->number("layer_norm_eps", 1e-12);
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
