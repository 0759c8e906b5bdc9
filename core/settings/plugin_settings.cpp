#include "settings/plugin_settings.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace bioforge::core {

namespace {

QString check(const PluginSetting& setting, const QJsonValue& value) { return setting.check ? setting.check(value) : QString(); }

} // namespace

QJsonValue pluginSettingValue(const PluginSetting& setting, const QString& text, QString* error)
{
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(text).toUtf8(), &parse);
    if (parse.error == QJsonParseError::NoError && doc.array().size() == 1) {
        const QJsonValue json = doc.array().first();
        const QString reason = check(setting, json);
        if (reason.isEmpty())
            return json;
        if (json.isString() || !check(setting, text).isEmpty()) {
            *error = reason;
            return QJsonValue::Undefined;
        }
        return text; // e.g. a key of digits only: a number as JSON, accepted as text
    }
    if (const QString reason = check(setting, text); !reason.isEmpty()) {
        *error = reason;
        return QJsonValue::Undefined;
    }
    return text;
}

QString describePluginSettingValue(const QJsonValue& value, bool secret)
{
    if (value.isUndefined() || value.isNull())
        return QStringLiteral("(not set)");
    if (secret)
        return QStringLiteral("(set, %1 characters; not shown)").arg(value.toString().size());
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace bioforge::core
