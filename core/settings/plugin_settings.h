#pragma once

// A plugin setting's value from what a user typed (`bioforge settings set`,
// the Settings dialog): JSON where it reads as JSON and the setting takes it
// (5, {"rest.genenames.org": 2}, true), else the text itself (a key made of
// digits only, a path). The setting's check decides (IPlugin::settingSpecs).

#include "plugin/iplugin.h"

#include <QJsonValue>
#include <QString>

namespace bioforge::core {

// The value to keep, or an undefined value with `error` set to the check's reason.
QJsonValue pluginSettingValue(const PluginSetting& setting, const QString& text, QString* error);

// How a kept value reads: the text of a string, compact JSON otherwise; "(not set)"; a secret
// as "(set, N characters; not shown)".
QString describePluginSettingValue(const QJsonValue& value, bool secret);

} // namespace bioforge::core
