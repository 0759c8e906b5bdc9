#include "henaw/henaw_model_folder.h"

#include "henaw/henaw_config.h"
#include "io/json_file.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

namespace bioforge::age {

QString henawModelFolder(const QString& given)
{
    const QFileInfo info(given);
    if (!given.isEmpty() && info.isFile() && info.fileName() == QLatin1String("model.json"))
        return info.absolutePath();
    return given;
}

core::Status checkHenawModelFolder(const QString& what, const QString& option, const QString& folder)
{
    if (folder.isEmpty())
        return core::okStatus();
    const QFileInfo info(folder);
    const QString given = QStringLiteral("%1: %2 %3").arg(what, option, folder);
    if (!info.exists())
        return core::Error(QStringLiteral("%1: no such folder (a train run's henaw-model folder)").arg(given), core::Error::Kind::NotFound);
    if (!info.isDir())
        return core::Error(QStringLiteral("%1 is a file, not a folder: give a train run's henaw-model folder (the one holding model.json)").arg(given),
                           core::Error::Kind::NotFound);
    const QDir dir(folder);
    if (!QFileInfo(dir.filePath(QStringLiteral("model.json"))).isFile())
        return core::Error(QStringLiteral("%1 holds no model.json: give a train run's henaw-model folder").arg(given), core::Error::Kind::NotFound);
    auto model = core::readJsonObjectFile(dir.filePath(QStringLiteral("model.json")));
    if (!model)
        return model.error().withContext(what);
    if (model->value(QLatin1String("format")).toString() != QLatin1String("bioforge-henaw-model"))
        return core::Error(QStringLiteral("%1: %2 is not a HENAW model's (its format is '%3')")
                               .arg(what, dir.filePath(QStringLiteral("model.json")), model->value(QLatin1String("format")).toString()),
                           core::Error::Kind::Invalid);
    QStringList missing;
    const QJsonObject files = model->value(QLatin1String("files")).toObject();
    for (auto it = files.begin(); it != files.end(); ++it)
        if (!QFileInfo(dir.filePath(it.key())).isFile())
            missing << it.key();
    if (!missing.isEmpty())
        return core::Error(QStringLiteral("%1 lacks %2, which its model.json lists: copy the whole henaw-model folder")
                               .arg(given, missing.join(QStringLiteral(", "))),
                           core::Error::Kind::NotFound);
    return core::okStatus();
}

QStringList henawModelMarkers(const QString& folder)
{
    const QString file = QDir(folder).filePath(QStringLiteral("config.json"));
    const auto json = core::readJsonObjectFile(file);
    const auto config = json ? HenawConfig::fromJson(*json, file) : core::Expected<HenawConfig>(json.error());
    return config ? config->markers : QStringList();
}

} // namespace bioforge::age
