#include "model/model_config_json.h"

#include "io/json_file.h"

#include <QJsonArray>
#include <QJsonDocument>

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

core::Expected<int64_t> ConfigJson::positive(const char* key) const
{
    const QJsonValue v = m_object.value(QLatin1String(key));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d < 1 || d != std::floor(d) || d > 1e9)
        return Error(QStringLiteral("%1: \"%2\" must be a positive integer").arg(m_path, QLatin1String(key)));
    return int64_t(d);
}

double ConfigJson::number(const char* key, double fallback) const { return m_object.value(QLatin1String(key)).toDouble(fallback); }
bool ConfigJson::flag(const char* key, bool fallback) const { return m_object.value(QLatin1String(key)).toBool(fallback); }
int64_t ConfigJson::integer(const char* key, int64_t fallback) const
{
    // Only whole numbers a 64-bit integer holds exactly; anything else (1e300, 2.5, NaN) is the fallback.
    const QJsonValue v = m_object.value(QLatin1String(key));
    const double d = v.toDouble();
    return v.isDouble() && d == std::floor(d) && std::abs(d) < 9.0e15 ? int64_t(d) : fallback;
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
