#pragma once

// The spellings the command line's `--json` outputs share (docs/cli.md): a
// text that is not known is null, never "", and a run's plugin is
// {id, version}, as `show` writes it.

#include "provenance/run_record.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace bioforge::cli {

inline QJsonValue textOrNull(const QString& text) { return text.isEmpty() ? QJsonValue() : QJsonValue(text); }

inline QJsonObject runPluginJson(const core::RunRecord& run)
{
    return {{QStringLiteral("id"), run.pluginId}, {QStringLiteral("version"), textOrNull(run.pluginVersion)}};
}

} // namespace bioforge::cli
