// RunService: the input files a run reads, those gone from where it began (what its resume
// needs relocated: input_relocation.h), and its pins recorded as its inputs while it runs.

#include "runs/run_service.h"

#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "log/log.h"
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

void RunService::onInputsPinned(const QString& runId, const QList<FileRef>& pinned)
{
    if (!m_runs.contains(runId))
        return;
    auto h = m_scheduler.handle(runId);
    if (!h || !h->record().inputs.isEmpty() || h->state() != RunState::Running)
        return;
    // The record as stored while it runs, with the pins as its inputs: a resume of the run killed
    // before it ended checks its inputs against them when its pins are gone (trial 24 T24-2); its
    // end writes the inputs the job recorded in their place.
    RunRecord withPins = h->record();
    withPins.inputs = pinned;
    if (Status st = m_project.store().updateRun(withPins); !st)
        log::error(st.error().message());
    writeRecordFile(withPins, h->runDir());
}

} // namespace bioforge::core
