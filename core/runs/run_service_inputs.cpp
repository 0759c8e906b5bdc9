// RunService: the input files a run reads, and those gone from where it began (what its resume
// needs relocated: input_relocation.h).

#include "runs/run_service.h"

#include "plugin/plugin_manager.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace bioforge::core {

QList<FileRef> RunService::inputsOf(const RunRecord& run) const
{
    // SHA-256 and size where it recorded them; a run killed before its record was written again has
    // recorded none (its pins hold their SHA-256).
    QList<FileRef> inputs = run.inputs;
    const PluginEntry* owner = m_plugins.entry(run.pluginId);
    if (!owner || owner->state != PluginEntry::State::Loaded)
        return inputs;
    const QList<VerbSpec> verbs = owner->plugin->verbs();
    if (const auto spec = std::find_if(verbs.begin(), verbs.end(), [&](const VerbSpec& v) { return v.name == run.verb; }); spec != verbs.end())
        for (const QString& path : spec->filesRead(run.parameters))
            if (std::none_of(inputs.begin(), inputs.end(), [&](const FileRef& f) { return QDir::cleanPath(f.path) == QDir::cleanPath(path); }))
                inputs.append({QStringLiteral("file"), path, QString(), 0});
    return inputs;
}

Expected<QStringList> RunService::goneInputs(const QString& runId) const
{
    auto run = m_project.store().run(runId);
    if (!run)
        return run.error();
    QStringList gone;
    for (const FileRef& f : inputsOf(*run))
        if (QFileInfo(f.path).isAbsolute() && !QFileInfo(f.path).isFile())
            gone << QDir::cleanPath(f.path);
    return gone;
}

} // namespace bioforge::core
