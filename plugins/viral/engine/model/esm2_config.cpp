#include "model/esm2_config.h"

#include "model/model_config_json.h"

namespace bioforge::viral {

using core::Error;

core::Expected<Esm2Config> Esm2Config::fromFile(const QString& path)
{
    auto json = ConfigJson::read(path);
    if (!json)
        return json.error();
    Esm2Config c;
    if (auto st = json->transformerShape(c.vocabSize, c.hidden, c.layers, c.heads, c.intermediate); !st)
        return st.error();
    if (c.hidden % c.heads != 0 || c.headSize() % 2 != 0)
        return Error(QStringLiteral("%1: hidden_size %2 is not divisible into %3 heads of an even size").arg(path, QString::number(c.hidden),
                                                                                                             QString::number(c.heads)));
    if (const QString position = json->text("position_embedding_type", QStringLiteral("rotary")); position != QLatin1String("rotary"))
        return Error(QStringLiteral("%1: position_embedding_type \"%2\" is not supported (ESM-2 uses \"rotary\")").arg(path, position));
    auto eps = json->positiveNumber("layer_norm_eps", 1e-5);
    if (!eps)
        return eps.error();
    c.layerNormEps = *eps;
    c.tokenDropout = json->flag("token_dropout", true);
    c.embLayerNormBefore = json->flag("emb_layer_norm_before", false);
    c.maskTokenId = json->integer("mask_token_id", -1);
    c.padTokenId = json->integer("pad_token_id", -1);
    for (auto [key, id] : {std::pair{"mask_token_id", c.maskTokenId}, {"pad_token_id", c.padTokenId}})
        if (id < -1 || id >= c.vocabSize)
            return Error(QStringLiteral("%1: \"%2\" %3 is not a token of the %4-token vocabulary").arg(path, QLatin1String(key), QString::number(id),
                                                                                                       QString::number(c.vocabSize)));
    if (c.embLayerNormBefore)
        return Error(QStringLiteral("%1: emb_layer_norm_before = true (ESM-1b style) is not supported; ESM-2 models have false").arg(path));
    return c;
}

} // namespace bioforge::viral
