// Commands that run work: run, resume.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"

namespace bioforge::cli {

int cmdRun(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    if (args.size() < 2) {
        ctx.err() << "usage: bioforge run <plugin> <verb> [--param value …] [--title T]" << Qt::endl;
        return kUsage;
    }
    const QString pluginId = args.takeFirst();
    const QString verb = args.takeFirst();
    QString title;
    if (const qsizetype i = args.indexOf(QStringLiteral("--title")); i >= 0 && i + 1 < args.size()) {
        title = args[i + 1];
        args.remove(i, 2);
    }
    core::IPlugin* plugin = ctx.session().plugins().plugin(pluginId);
    if (!plugin) {
        const core::PluginEntry* e = ctx.session().plugins().entry(pluginId);
        ctx.err() << "bioforge: plugin '" << pluginId << "' is not loaded" << (e ? QStringLiteral(": ") + e->error : QString())
                  << Qt::endl;
        return kNotFound;
    }
    const core::VerbSpec* spec = nullptr;
    const QList<core::VerbSpec> verbs = plugin->verbs();
    for (const core::VerbSpec& v : verbs)
        if (v.name == verb)
            spec = &v;
    if (!spec) {
        ctx.err() << "bioforge: plugin '" << pluginId << "' has no verb '" << verb << "'" << Qt::endl;
        return kNotFound;
    }
    if (args.contains(QStringLiteral("--help"))) {
        ctx.out() << spec->helpText();
        return kOk;
    }
    auto params = spec->parseArguments(args);
    if (!params) {
        ctx.err() << "bioforge: " << params.error().message() << Qt::endl << spec->helpText();
        return kUsage;
    }
    core::Project* project = ctx.project(true);
    if (!project)
        return kProjectError;
    auto runId = ctx.session().runs()->start(pluginId, verb, *params, title);
    if (!runId) {
        ctx.err() << "bioforge: " << runId.error().message() << Qt::endl;
        return kUsage;
    }
    ctx.err() << "run " << *runId << " started in " << project->runDir(*runId) << Qt::endl;
    return ctx.waitForRuns({*runId});
}

int cmdResume(CliContext& ctx, const QStringList& args)
{
    if (args.size() > 1) {
        ctx.err() << "usage: bioforge resume [run-id]" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    core::RunService& runs = *ctx.session().runs();
    auto recovered = runs.recoverInterrupted();
    if (!recovered) {
        ctx.err() << "bioforge: " << recovered.error().message() << Qt::endl;
        return kProjectError;
    }
    QStringList targets;
    if (args.size() == 1) {
        targets << args.first();
    } else {
        auto resumable = runs.resumableRuns();
        if (!resumable) {
            ctx.err() << "bioforge: " << resumable.error().message() << Qt::endl;
            return kProjectError;
        }
        for (const core::RunRecord& r : *resumable)
            if (r.state != core::RunState::Failed) // failed runs are resumed only by name
                targets << r.runId;
        if (targets.isEmpty()) {
            ctx.out() << "nothing to resume in " << project->folder() << Qt::endl;
            return kOk;
        }
    }
    QStringList started;
    for (const QString& id : targets) {
        auto resumed = runs.resume(id);
        if (!resumed) {
            ctx.err() << "bioforge: " << resumed.error().message() << Qt::endl;
            return args.isEmpty() ? kRunFailed : kNotFound;
        }
        ctx.err() << "run " << id << " resumed as run " << *resumed << Qt::endl;
        started << *resumed;
    }
    return ctx.waitForRuns(started);
}

} // namespace bioforge::cli
