#include "plugin/plugin_metadata.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace bioforge::core {

Expected<PluginMetadata> PluginMetadata::fromJson(const QJsonObject& json)
{
    if (json.isEmpty())
        return Error(QStringLiteral("no metadata (expected a JSON object with id, name, version)"));
    PluginMetadata m;
    static const QRegularExpression idPattern(QStringLiteral("^[a-z][a-z0-9_-]{0,63}$"));
    static const QRegularExpression versionPattern(QStringLiteral("^\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$"));
    const QJsonValue id = json.value(QLatin1String("id"));
    if (!id.isString() || !idPattern.match(id.toString()).hasMatch())
        return Error(QStringLiteral("metadata 'id' must be a lower-case identifier, found '%1'").arg(id.toVariant().toString()));
    m.id = id.toString();
    m.name = json.value(QLatin1String("name")).toString();
    if (m.name.isEmpty())
        return Error(QStringLiteral("metadata of '%1': 'name' is missing").arg(m.id));
    m.version = json.value(QLatin1String("version")).toString();
    if (!versionPattern.match(m.version).hasMatch())
        return Error(QStringLiteral("metadata of '%1': 'version' must be MAJOR.MINOR.PATCH, found '%2'").arg(m.id, m.version));
    m.description = json.value(QLatin1String("description")).toString();
    const QJsonValue deps = json.value(QLatin1String("dependencies"));
    if (!deps.isUndefined() && !deps.isArray())
        return Error(QStringLiteral("metadata of '%1': 'dependencies' must be an array of plugin ids").arg(m.id));
    for (const QJsonValue& d : deps.toArray()) {
        if (!d.isString() || d.toString().isEmpty())
            return Error(QStringLiteral("metadata of '%1': every dependency must be a plugin id").arg(m.id));
        m.dependencies << d.toString();
    }
    const QJsonValue gpu = json.value(QLatin1String("needsGpu"));
    if (!gpu.isUndefined() && !gpu.isBool())
        return Error(QStringLiteral("metadata of '%1': 'needsGpu' must be true or false").arg(m.id));
    m.needsGpu = gpu.toBool(false);
    m.interfaceVersion = json.value(QLatin1String("interfaceVersion")).toInt(0);
    if (m.interfaceVersion != kInterfaceVersion)
        return Error(QStringLiteral("plugin '%1' was built for plugin interface %2, this BioForge provides %3")
                         .arg(m.id, QString::number(m.interfaceVersion), QString::number(kInterfaceVersion)));
    return m;
}

QJsonObject PluginMetadata::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("version"), version},
            {QStringLiteral("description"), description},
            {QStringLiteral("dependencies"), QJsonArray::fromStringList(dependencies)},
            {QStringLiteral("needsGpu"), needsGpu},
            {QStringLiteral("interfaceVersion"), interfaceVersion}};
}

} // namespace bioforge::core
