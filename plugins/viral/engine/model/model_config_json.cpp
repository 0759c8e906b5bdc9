#include "model/model_config_json.h"

#include "io/json_file.h"

#include <QJsonArray>

#include <cmath>

namespace bioforge::viral {

using core::Error;

core::Expected<ConfigJson> ConfigJson::read(const QString& path)
{
    auto object = core::readJsonObjectFile(path);
    if (!object)
        return object.error().withContext(QStringLiteral("model configuration"));
    ConfigJson c;
    c.m_path = path;
    c.m_object = *object;
    return c;
}

core::Expected<int64_t> ConfigJson::positive(const char* key, int64_t max) const
{
    const QJsonValue v = m_object.value(QLatin1String(key));
    const auto n = core::wholeNumberIn(v, 1, max);
    if (!n)
        return Error(QStringLiteral("%1: \"%2\" must be a positive integer of at most %3").arg(m_path, QLatin1String(key), QString::number(max)));
    return int64_t(*n);
}

core::Expected<int64_t> ConfigJson::index(const char* key, int64_t fallback, int64_t count) const
{
    const QJsonValue v = m_object.value(QLatin1String(key));
    if (v.isUndefined())
        return fallback;
    const auto n = count > 0 ? core::wholeNumberIn(v, 0, count - 1) : std::nullopt;
    if (!n)
        return Error(QStringLiteral("%1: \"%2\" %3 is not one of the %4 entries (a whole number from 0 to %5)")
                         .arg(m_path, QLatin1String(key), core::jsonText(v), QString::number(count), QString::number(count - 1)));
    return int64_t(*n);
}

core::Status ConfigJson::transformerShape(int64_t& vocab, int64_t& hidden, int64_t& layers, int64_t& heads, int64_t& intermediate) const
{
    struct Field {
        const char* key;
        int64_t* out;
        int64_t max;
    };
    for (const Field& f : {Field{"vocab_size", &vocab, ShapeLimits::kVocab}, Field{"hidden_size", &hidden, ShapeLimits::kHidden},
                           Field{"num_hidden_layers", &layers, ShapeLimits::kLayers}, Field{"num_attention_heads", &heads, ShapeLimits::kHeads},
                           Field{"intermediate_size", &intermediate, ShapeLimits::kIntermediate}}) {
        auto v = positive(f.key, f.max);
        if (!v)
            return v.error();
        *f.out = *v;
    }
    return {};
}

core::Expected<double> ConfigJson::positiveNumber(const char* key, double fallback) const
{
    const QJsonValue v = m_object.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return fallback;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || !std::isfinite(d) || d <= 0)
        return Error(QStringLiteral("%1: \"%2\" must be a positive number").arg(m_path, QLatin1String(key)));
    return d;
}

double ConfigJson::number(const char* key, double fallback) const { return m_object.value(QLatin1String(key)).toDouble(fallback); }
bool ConfigJson::flag(const char* key, bool fallback) const { return m_object.value(QLatin1String(key)).toBool(fallback); }
int64_t ConfigJson::integer(const char* key, int64_t fallback) const
{
    // Only whole numbers a 64-bit integer holds exactly; anything else (1e300, 2.5, NaN) is the fallback.
    const QJsonValue v = m_object.value(QLatin1String(key));
    return core::wholeNumberIn(v, -(qint64(1) << 53), qint64(1) << 53).value_or(fallback);
}

QString ConfigJson::text(const char* key, const QString& fallback) const { return m_object.value(QLatin1String(key)).toString(fallback); }

QStringList ConfigJson::texts(const char* key) const
{
    QStringList out;
    for (const QJsonValue& v : m_object.value(QLatin1String(key)).toArray())
        out << v.toString();
    return out;
}

} // namespace bioforge::viral
