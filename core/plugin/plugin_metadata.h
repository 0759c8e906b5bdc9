#pragma once

// A plugin's JSON metadata (embedded with Q_PLUGIN_METADATA): id, name,
// version, description, dependencies, whether it needs a GPU, and the plugin
// interface version it was built for.

#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bioforge::core {

struct PluginMetadata {
    static constexpr int kInterfaceVersion = 6; // 2: PluginContext::settingsOf, IPlugin::settingSpecs; 3: IPlugin::mergeShardWarnings (2026-12-05); 4: IPlugin::checkShardPlanModels (2026-12-06); 5: IPlugin::titleNote (2026-12-07); 6: IPlugin::references (2026-12-08)

    QString id;
    QString name;
    QString version;
    QString description;
    QStringList dependencies;
    bool needsGpu = false;
    int interfaceVersion = 0;

    static Expected<PluginMetadata> fromJson(const QJsonObject& json);
    QJsonObject toJson() const;
};

} // namespace bioforge::core
