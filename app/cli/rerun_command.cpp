// `bioforge rerun <run-id> [--param value …] [--title T] [--allow-changed-inputs]`: a recorded run
// made again, as a new run, with the parameters it recorded (those given here replaced), after its
// input files are checked against their recorded SHA-256 — a changed or missing input is refused
// (5 or 6) unless --allow-changed-inputs: a rerun is for reproducing a result, and another input is
// another run. Its title names the run it repeats; `bioforge compare OLD NEW` shows what differs
// (trial 25 T25-2: the command had to be rebuilt by hand from 19 recorded parameters).

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "provenance/run_verification.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::cli {

int cmdRerun(CliContext& ctx, const QStringList& given)
{
    const QString usage = QStringLiteral("usage: bioforge rerun <run-id> [--param value …] [--title T] [--allow-changed-inputs]");
    QStringList args = given;
    if (args.isEmpty() || args.first().startsWith(QLatin1Char('-'))) {
        ctx.err() << usage << Qt::endl;
        return kUsage;
    }
    const QString runId = args.takeFirst();
    QString title;
    if (const qsizetype i = args.indexOf(QStringLiteral("--title")); i >= 0) {
        if (i + 1 >= args.size()) {
            ctx.err() << "bioforge: --title needs a value" << Qt::endl << usage << Qt::endl;
            return kUsage;
        }
        title = args[i + 1];
        args.remove(i, 2);
    }
    bool allowChanged = false;
    for (const char* flag : {"--allow-changed-inputs", "--allow_changed_inputs"})
        allowChanged = args.removeAll(QLatin1String(flag)) > 0 || allowChanged;
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    auto run = project->store().run(runId);
    if (!run) {
        ctx.err() << "bioforge: " << run.error().message() << " (bioforge runs lists them)" << Qt::endl;
        return exitCodeFor(run.error(), kProjectError);
    }
    core::IPlugin* plugin = ctx.session().plugins().plugin(run->pluginId);
    if (!plugin) {
        ctx.err() << "bioforge: run " << runId << ": " << ctx.session().plugins().notLoadedReason(run->pluginId) << Qt::endl;
        return kNotFound;
    }
    const QList<core::VerbSpec> verbs = plugin->verbs();
    const auto spec = std::find_if(verbs.begin(), verbs.end(), [&](const core::VerbSpec& v) { return v.name == run->verb; });
    if (spec == verbs.end()) {
        ctx.err() << "bioforge: run " << runId << ": plugin '" << run->pluginId << "' has no verb '" << run->verb << "' any more" << Qt::endl;
        return kNotFound;
    }
    // The recorded parameters (as validated when it began: every default written out), then those given here.
    auto overrides = spec->parseGivenArguments(args);
    if (!overrides) {
        ctx.err() << "bioforge: " << overrides.error().message() << Qt::endl << usage << Qt::endl;
        return kUsage;
    }
    QJsonObject parameters = run->parameters;
    const QJsonValue cluster = parameters.take(QStringLiteral("cluster"));
    for (auto it = overrides->begin(); it != overrides->end(); ++it)
        parameters.insert(it.key(), it.value());
    auto validated = spec->validate(parameters);
    if (!validated) { // a parameter this version's verb no longer takes, say
        ctx.err() << "bioforge: run " << runId << " (" << run->pluginId << ' ' << run->verb << " " << run->pluginVersion
                  << "): its recorded parameters: " << validated.error().message() << Qt::endl;
        return kUsage;
    }
    if (!cluster.isUndefined())
        validated->insert(QStringLiteral("cluster"), cluster);
    // A file or folder it names that is not there (an input, a mapping, a model file): nothing to run on.
    if (const QStringList gone = spec->pathsGone(*validated); !gone.isEmpty()) {
        ctx.err() << "bioforge: run " << runId << " was not run again: " << gone.join(QStringLiteral(", ")) << (gone.size() == 1 ? " is" : " are")
                  << " not there; put " << (gone.size() == 1 ? "it" : "them") << " back, or give another (--param value)" << Qt::endl;
        return kNotFound;
    }
    // The inputs it reads again, against the SHA-256 the run recorded (those given anew are new inputs).
    const QStringList reads = spec->filesRead(*validated);
    core::RunRecord inputsOnly = *run;
    inputsOnly.models.clear();
    inputsOnly.outputs.clear();
    inputsOnly.inputs.removeIf([&](const core::FileRef& f) { return !reads.contains(QDir::cleanPath(f.path)) && !reads.contains(f.path); });
    const core::RunVerification checked = core::verifyRunFiles(inputsOnly, QString(), [&](const QString& path) {
        if (!ctx.options().quiet && QFileInfo(path).size() >= (qint64(256) << 20)) // a large file takes a while: said
            ctx.err() << "checking " << path << " against its recorded SHA-256" << Qt::endl;
    });
    using S = core::FileCheck::State;
    if (!checked.allSame()) {
        for (const core::FileCheck& f : checked.files)
            if (f.state == S::Changed || f.state == S::Missing)
                ctx.err() << (allowChanged ? "warning: " : "bioforge: ") << "input " << f.path << " "
                          << (f.state == S::Missing ? QStringLiteral("is gone") : QStringLiteral("changed (SHA-256 %1, recorded %2)").arg(f.now, f.recorded))
                          << " since run " << runId << Qt::endl;
        if (!allowChanged) {
            ctx.err() << "bioforge: run " << runId << " was not run again: its inputs are not the ones it read; put them back, give others "
                      << "(--param value), or --allow-changed-inputs to run it on them as they are" << Qt::endl;
            return checked.count(S::Changed) > 0 ? kProjectError : kNotFound;
        }
    } else if (checked.count(S::Same) > 0 && !ctx.options().quiet) {
        ctx.err() << checked.count(S::Same) << " input(s) as run " << runId << " read them (SHA-256)" << Qt::endl;
    }
    if (title.isEmpty())
        title = QStringLiteral("%1 (rerun of %2)").arg(run->title.isEmpty() ? QStringLiteral("%1 %2").arg(run->pluginId, run->verb) : run->title, runId);
    auto started = ctx.session().runs()->start(run->pluginId, run->verb, *validated, title);
    if (!started) {
        ctx.err() << "bioforge: " << started.error().message() << Qt::endl;
        return exitCodeFor(started.error(), kUsage);
    }
    ctx.err() << "run " << *started << " started in " << project->runDir(*started) << " (rerun of " << runId << "; bioforge compare " << runId << ' '
              << *started << " shows what differs)" << Qt::endl;
    return ctx.waitForRuns({*started});
}

} // namespace bioforge::cli
