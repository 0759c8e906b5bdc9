// bioforge demo: every loaded plugin's demo runs in a demo project (the one named, else
// ~/BioForge/demo-project), then the reports; prints where the results and reports are.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "plugin/plugin_manager.h"
#include "report/report_exporter.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "store/project.h"

namespace bioforge::cli {

int cmdDemo(CliContext& ctx, const QStringList& args)
{
    if (!args.isEmpty()) {
        ctx.err() << "usage: bioforge [--project DIR] demo" << Qt::endl;
        return kUsage;
    }
    // With no project named the demo's runs (test models, synthesized values) go to a demo project
    // of their own, not the default project that real work goes to (trial 21 T21-13), and the window
    // does not open it next.
    const bool named = ctx.projectNamed();
    if (!named)
        ctx.setProjectFolder(core::WorkbenchSettings::demoProjectFolder());
    core::Project* project = ctx.project(true, named);
    if (!project)
        return kProjectError;
    core::PluginManager& plugins = ctx.session().plugins();
    QStringList runIds;
    bool unavailable = false;
    for (const core::PluginEntry& e : plugins.entries()) {
        if (e.state != core::PluginEntry::State::Loaded)
            continue;
        for (const core::DemoRun& demo : e.plugin->demoRuns()) {
            if (demo.windowOnly)
                continue; // to be watched in the window, not waited for
            if (!demo.unavailable.isEmpty()) {
                ctx.err() << "bioforge: the demo of " << e.metadata.id << " cannot run: " << demo.unavailable << Qt::endl;
                unavailable = true;
                continue;
            }
            auto id = ctx.session().runs()->start(e.metadata.id, demo.verb, demo.parameters, demo.title);
            if (!id) {
                ctx.err() << "bioforge: demo of " << e.metadata.id << ": " << id.error().message() << Qt::endl;
                continue;
            }
            ctx.err() << "demo run " << *id << ": " << demo.title << Qt::endl;
            runIds << *id;
        }
    }
    int code = ctx.waitForRuns(runIds, false); // where the results are is said below, with the reports
    if (code == kOk && unavailable)
        code = kRunFailed; // a demo that could not run is not a demo that passed
    ctx.out() << Qt::endl << "Demo project: " << project->folder() << Qt::endl;
    for (const QString& id : runIds) {
        auto run = project->store().run(id);
        if (!run || run->state != core::RunState::Finished)
            continue;
        ctx.out() << "  " << run->title << Qt::endl << "    results: " << project->runDir(id) << Qt::endl;
        auto written = ui::ReportExporter::exportRun(*project, plugins, id);
        if (!written) {
            ctx.err() << "bioforge: report of " << id << ": " << written.error().message() << Qt::endl;
            continue;
        }
        for (const QString& path : *written)
            ctx.out() << "    report:  " << path << Qt::endl;
    }
    return code;
}

} // namespace bioforge::cli
