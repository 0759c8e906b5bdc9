// Commands that run work: run, resume.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "cluster/slurm_options.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "store/project.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <optional>

namespace bioforge::cli {

namespace {

// Why `missing`, given where a run reads an input file, cannot be one, and the exit code: a model's
// folder or another folder (6), standard input, a pipe or a device — nothing a resume could read
// again and check by its SHA-256 (5) — or nothing there (6).
std::pair<QString, int> notAnInputFile(const QString& missing)
{
    const QFileInfo info(missing);
    if (info.isDir()) {
        const QDir dir(missing);
        if (QFileInfo::exists(dir.filePath(QStringLiteral("model.json"))) || QFileInfo::exists(dir.filePath(QStringLiteral("config.json"))))
            return {QStringLiteral("%1 is a model's folder; expected the input file here (a model is given with its option, such as --model)").arg(missing),
                    kNotFound};
        return {QStringLiteral("%1 is a folder; expected a file (give the files in it)").arg(missing), kNotFound};
    }
    if (info.exists() || missing == QLatin1String("-"))
        return {QStringLiteral("%1 is %2, not a file: a run reads its inputs again when it is resumed, and checks them by their SHA-256; save it to a "
                               "file first and give that")
                    .arg(missing, missing == QLatin1String("-") ? QStringLiteral("standard input") : QStringLiteral("a pipe or a device")),
                kProjectError};
    return {QStringLiteral("no such file: %1").arg(missing), kNotFound};
}

bool isHelp(const QString& arg) { return arg == QLatin1String("--help") || arg == QLatin1String("-h") || arg == QLatin1String("help"); }

// "usage: …" and every loaded plugin's verbs (or one plugin's), one line each.
void printRunUsage(CliContext& ctx, QTextStream& stream, const core::IPlugin* only)
{
    stream << "usage: bioforge run <plugin> <verb> [--param value …] [--title T]\n"
              "       bioforge run <plugin> <verb> … --cluster slurm [--shards N] [--partition P] [--account A] [--time T]\n"
              "                [--cpus-per-task N] [--mem M] [--gpus-per-task N] [--sbatch-line '--qos=…']…   (docs/cluster.md)\n"
              "       bioforge run <plugin> <verb> --help   (the verb's parameters)\n";
    for (const core::PluginEntry& e : ctx.session().plugins().entries()) {
        if (e.state != core::PluginEntry::State::Loaded || (only && e.plugin != only) || e.plugin->verbs().isEmpty())
            continue;
        stream << "\n" << e.metadata.id << " verbs:\n";
        for (const core::VerbSpec& v : e.plugin->verbs())
            stream << "  " << v.name.leftJustified(10) << " " << v.description << "\n";
    }
    stream.flush();
}

// Takes the cluster options out of the arguments: nullopt without --cluster.
core::Expected<std::optional<QJsonObject>> takeClusterOptions(QStringList& args)
{
    static const QList<std::pair<QString, QString>> flags = {
        {QStringLiteral("--shards"), QStringLiteral("shards")},       {QStringLiteral("--partition"), QStringLiteral("partition")},
        {QStringLiteral("--account"), QStringLiteral("account")},     {QStringLiteral("--time"), QStringLiteral("time")},
        {QStringLiteral("--cpus-per-task"), QStringLiteral("cpus_per_task")}, {QStringLiteral("--mem"), QStringLiteral("memory")},
        {QStringLiteral("--gpus-per-task"), QStringLiteral("gpus_per_task")}, {QStringLiteral("--sbatch-line"), QStringLiteral("sbatch_lines")},
        {QStringLiteral("--cluster"), QStringLiteral("backend")}};
    QJsonObject options;
    QStringList lines;
    for (qsizetype i = 0; i < args.size();) {
        QString name = args[i], value;
        bool inlineValue = false;
        if (const qsizetype eq = name.indexOf(QLatin1Char('=')); name.startsWith(QLatin1String("--")) && eq > 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
            inlineValue = true;
        }
        name.replace(QLatin1Char('_'), QLatin1Char('-')); // --cpus_per_task as --cpus-per-task, as for the verbs' options
        auto flag = std::find_if(flags.begin(), flags.end(), [&](const auto& f) { return f.first == name; });
        if (flag == flags.end()) {
            ++i;
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= args.size())
                return core::Error(QStringLiteral("%1 needs a value").arg(name));
            value = args[i + 1];
        }
        args.remove(i, inlineValue ? 1 : 2);
        const QString key = flag->second;
        if (key == QLatin1String("sbatch_lines")) {
            lines << value;
        } else if (key == QLatin1String("shards") || key == QLatin1String("cpus_per_task") || key == QLatin1String("gpus_per_task")) {
            bool ok = false;
            const int n = value.toInt(&ok);
            if (!ok)
                return core::Error(QStringLiteral("%1 '%2': expected a whole number").arg(name, value));
            options.insert(key, n);
        } else {
            options.insert(key, value);
        }
    }
    if (!lines.isEmpty())
        options.insert(QStringLiteral("sbatch_lines"), QJsonArray::fromStringList(lines));
    if (options.isEmpty())
        return std::optional<QJsonObject>();
    if (!options.contains(QLatin1String("backend")))
        return core::Error(QStringLiteral("the cluster options (--shards, --partition, …) need --cluster slurm"));
    // What is not given comes from the settings (Settings → Slurm cluster).
    // Keys read as the options spell them (a setting saved by an older version may say
    // `cpus-per-task` or `mem`): the flag of the same option replaces it.
    QJsonObject merged = core::SlurmOptions::canonicalKeys(core::WorkbenchSettings().clusterOptions());
    for (auto it = options.begin(); it != options.end(); ++it)
        merged.insert(it.key(), it.value());
    return std::optional<QJsonObject>(merged);
}

} // namespace

int cmdRun(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    if (args.isEmpty() || isHelp(args.first())) {
        printRunUsage(ctx, args.isEmpty() ? ctx.err() : ctx.out(), nullptr);
        return args.isEmpty() ? kUsage : kOk;
    }
    const QString pluginId = args.takeFirst();
    core::IPlugin* plugin = ctx.session().plugins().plugin(pluginId);
    if (plugin && (args.isEmpty() || isHelp(args.first()))) {
        printRunUsage(ctx, args.isEmpty() ? ctx.err() : ctx.out(), plugin);
        return args.isEmpty() ? kUsage : kOk;
    }
    const QString verb = args.isEmpty() ? QString() : args.takeFirst();
    QString title;
    if (const qsizetype i = args.indexOf(QStringLiteral("--title")); i >= 0 && i + 1 < args.size()) {
        title = args[i + 1];
        args.remove(i, 2);
    }
    if (!plugin) {
        ctx.err() << "bioforge: " << ctx.session().plugins().notLoadedReason(pluginId) << Qt::endl;
        return kNotFound;
    }
    const core::VerbSpec* spec = nullptr;
    const QList<core::VerbSpec> verbs = plugin->verbs();
    for (const core::VerbSpec& v : verbs)
        if (v.name == verb)
            spec = &v;
    if (!spec) { // an unknown verb is an unknown command (2), as `bioforge llm bogus` is
        ctx.err() << "bioforge: plugin '" << pluginId << "' has no verb '" << verb << "'";
        if (verb == QLatin1String("demo")) // the first thing a new user guesses (trial 18)
            ctx.err() << "; every plugin's demo runs with `bioforge demo` (in a demo project, or --project DIR)";
        ctx.err() << Qt::endl;
        printRunUsage(ctx, ctx.err(), plugin);
        return kUsage;
    }
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        ctx.out() << spec->helpText();
        return kOk;
    }
    auto cluster = takeClusterOptions(args);
    if (!cluster) {
        ctx.err() << "bioforge: " << cluster.error().message() << Qt::endl;
        return kUsage;
    }
    // What the arguments give, the settings' threads and device where they give none, then the defaults.
    auto given = spec->parseGivenArguments(args);
    auto params = given ? spec->validate(core::RunService::withSettingDefaults(*spec, *given)) : given;
    if (params && *cluster)
        params->insert(QStringLiteral("cluster"), **cluster);
    if (!params) {
        ctx.err() << "bioforge: " << params.error().message() << Qt::endl << spec->helpText();
        return kUsage;
    }
    if (const QString missing = spec->missingInputFile(*params); !missing.isEmpty()) {
        const auto [message, code] = notAnInputFile(missing);
        ctx.err() << "bioforge: " << pluginId << ' ' << verb << ": " << message << Qt::endl;
        return code;
    }
    core::Project* project = ctx.project(true);
    if (!project)
        return kProjectError;
    auto runId = ctx.session().runs()->start(pluginId, verb, *params, title);
    if (!runId) { // refused before any run is recorded: a model or device that is not there is 6, a bad value 2
        const core::Error refused = core::RunService::namingSavedDevice(runId.error(), *given, *params);
        ctx.err() << "bioforge: " << refused.message() << Qt::endl;
        return exitCodeFor(refused, kUsage);
    }
    ctx.err() << "run " << *runId << " started in " << project->runDir(*runId) << Qt::endl;
    return ctx.waitForRuns({*runId});
}

int cmdResume(CliContext& ctx, const QStringList& given)
{
    const QString usage = QStringLiteral("usage: bioforge resume [run-id] [--relocate OLD=NEW]… [--search FOLDER]…");
    // Inputs moved since the run began: where they are now (checked by their SHA-256 when it starts).
    core::InputRelocation relocation;
    QStringList args;
    for (qsizetype i = 0; i < given.size(); ++i) {
        const QString& a = given[i];
        if (a != QLatin1String("--relocate") && a != QLatin1String("--search")) {
            args << a;
            continue;
        }
        if (i + 1 >= given.size()) {
            ctx.err() << "bioforge: " << a << " needs a value" << Qt::endl << usage << Qt::endl;
            return kUsage;
        }
        const QString value = given[++i];
        if (a == QLatin1String("--search")) {
            if (!QFileInfo(value).isDir()) {
                ctx.err() << "bioforge: --search " << value << ": not a folder" << Qt::endl;
                return kUsage;
            }
            relocation.searchFolders << QFileInfo(value).absoluteFilePath();
        } else if (core::Status st = relocation.addMove(value); !st) {
            ctx.err() << "bioforge: " << st.error().message() << Qt::endl;
            return kUsage;
        }
    }
    if (args.size() > 1 || (args.isEmpty() && !relocation.isEmpty())) {
        ctx.err() << usage << (args.isEmpty() ? QStringLiteral(" (--relocate and --search name the run they are for)") : QString()) << Qt::endl;
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
        QStringList failed;
        for (const core::RunRecord& r : *resumable)
            (r.state != core::RunState::Failed ? targets : failed) << r.runId; // failed runs are resumed only by name
        if (targets.isEmpty()) {
            ctx.out() << "nothing to resume in " << project->folder();
            if (!failed.isEmpty()) // one that failed on an input since restored, say (trial 18)
                ctx.out() << "; a failed run is resumed only by its id, once what failed it is put right: bioforge --project " << project->folder()
                          << " resume " << failed.last() << (failed.size() > 1 ? QStringLiteral(" (%1 failed runs can be: bioforge runs)").arg(failed.size()) : QString());
            ctx.out() << Qt::endl;
            return kOk;
        }
    }
    QStringList started;
    for (const QString& id : targets) {
        auto resumed = runs.resume(id, relocation);
        if (!resumed) {
            ctx.err() << "bioforge: " << resumed.error().message() << Qt::endl;
            // No such run, plugin or input: 6; a run that cannot be resumed as it stands (cancelled, finished, resumed
            // already, active): 5 — with or without its id (without one, every refusal was 1: trial 21).
            return exitCodeFor(resumed.error(), kProjectError);
        }
        ctx.err() << "run " << id << " resumed as run " << *resumed << Qt::endl;
        started << *resumed;
    }
    return ctx.waitForRuns(started);
}

} // namespace bioforge::cli
