#include "chat_settings.h"

#include <QString>

namespace bioforge::llm {

double decimalOf(float value)
{
    return QString::number(double(value), 'g', 7).toDouble(); // 0.95, not 0.949999988079071
}

QJsonObject ChatSettings::toJson() const
{
    return {{QStringLiteral("system"), systemPrompt},
            {QStringLiteral("temperature"), decimalOf(sampling.temperature)},
            {QStringLiteral("topK"), sampling.topK},
            {QStringLiteral("topP"), decimalOf(sampling.topP)},
            {QStringLiteral("minP"), decimalOf(sampling.minP)},
            {QStringLiteral("repeatPenalty"), decimalOf(sampling.repeatPenalty)},
            {QStringLiteral("seed"), double(sampling.seed)},
            {QStringLiteral("maxTokens"), maxTokens},
            {QStringLiteral("contextSize"), contextSize},
            {QStringLiteral("template"), templateOverride}};
}

ChatSettings ChatSettings::fromJson(const QJsonObject& j)
{
    ChatSettings s;
    s.systemPrompt = j.value(QLatin1String("system")).toString(s.systemPrompt);
    s.sampling.temperature = float(j.value(QLatin1String("temperature")).toDouble(s.sampling.temperature));
    s.sampling.topK = j.value(QLatin1String("topK")).toInt(s.sampling.topK);
    s.sampling.topP = float(j.value(QLatin1String("topP")).toDouble(s.sampling.topP));
    s.sampling.minP = float(j.value(QLatin1String("minP")).toDouble(s.sampling.minP));
    s.sampling.repeatPenalty = float(j.value(QLatin1String("repeatPenalty")).toDouble(s.sampling.repeatPenalty));
    s.sampling.seed = uint64_t(j.value(QLatin1String("seed")).toInteger(qint64(s.sampling.seed)));
    s.maxTokens = j.value(QLatin1String("maxTokens")).toInt(s.maxTokens);
    s.contextSize = j.value(QLatin1String("contextSize")).toInt(s.contextSize);
    s.templateOverride = j.value(QLatin1String("template")).toString();
    return s;
}

} // namespace bioforge::llm
