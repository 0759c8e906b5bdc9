// Commands that describe: version, plugins, devices, runs, show.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"

#include "compute/device_discovery.h"
#include "compute/gpu_check.h"
#include "plugin/plugin_manager.h"
#include "provenance/environment_info.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <optional>

namespace bioforge::cli {

int cmdVersion(CliContext& ctx, const QStringList& args)
{
    if (args.contains(QStringLiteral("--json"))) { // {application, version, libraries: {name: version}}
        QJsonObject libraries;
        for (const auto& [name, version] : core::EnvironmentInfo::libraryVersions())
            libraries.insert(name, version);
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("application"), QStringLiteral("BioForge Workbench")},
                                               {QStringLiteral("version"), core::EnvironmentInfo::applicationVersion()},
                                               {QStringLiteral("commit"), core::EnvironmentInfo::buildCommit()},
                                               {QStringLiteral("libraries"), libraries}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
        return kOk;
    }
    ctx.out() << "BioForge Workbench " << core::EnvironmentInfo::versionText() << Qt::endl;
    for (const auto& [name, version] : core::EnvironmentInfo::libraryVersions())
        ctx.out() << "  " << name << ": " << version << Qt::endl;
    return kOk;
}

int cmdPlugins(CliContext& ctx, const QStringList& args)
{
    const core::PluginManager& plugins = ctx.session().plugins();
    if (args.contains(QStringLiteral("--json"))) { // one object, the keys stable: what the text says, for a script
        QJsonArray list;
        for (const core::PluginEntry& e : plugins.entries()) {
            const bool loaded = e.state == core::PluginEntry::State::Loaded;
            QStringList verbs;
            if (loaded)
                for (const core::VerbSpec& v : e.plugin->verbs())
                    verbs << v.name;
            list.append(QJsonObject{
                {QStringLiteral("id"), e.metadata.id},
                {QStringLiteral("version"), textOrNull(e.metadata.version)},
                {QStringLiteral("state"), loaded ? QStringLiteral("loaded") : e.state == core::PluginEntry::State::Unused ? QStringLiteral("unused")
                                                                                                                          : QStringLiteral("failed")},
                {QStringLiteral("run_verbs"), QJsonArray::fromStringList(verbs)},
                {QStringLiteral("commands"), QJsonArray::fromStringList(loaded ? e.plugin->commandVerbs() : QStringList())},
                {QStringLiteral("needs_gpu"), loaded ? QJsonValue(e.metadata.needsGpu) : QJsonValue()}, // a plugin that did not load may not have said
                {QStringLiteral("file"), textOrNull(e.filePath)},
                {QStringLiteral("error"), loaded ? QJsonValue() : textOrNull(e.error)}});
        }
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("search_paths"), QJsonArray::fromStringList(plugins.searchPaths())},
                                               {QStringLiteral("plugins"), list}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
        return kOk;
    }
    ctx.out() << "search paths: " << plugins.searchPaths().join(QStringLiteral(", ")) << Qt::endl;
    for (const core::PluginEntry& e : plugins.entries()) {
        const bool loaded = e.state == core::PluginEntry::State::Loaded;
        ctx.out() << (loaded ? "loaded  " : e.state == core::PluginEntry::State::Unused ? "unused  " : "FAILED  ") << e.metadata.id << ' ' << e.metadata.version;
        if (loaded) {
            // Recorded runs (`bioforge run <plugin> <verb>`) apart from the plugin's own commands
            // (`bioforge <plugin> <command>`): llm has a `generate` of each kind.
            QStringList verbs;
            for (const core::VerbSpec& v : e.plugin->verbs())
                verbs << v.name;
            ctx.out() << "  run verbs: " << (verbs.isEmpty() ? QStringLiteral("—") : verbs.join(QStringLiteral(", ")));
            if (const QStringList commands = e.plugin->commandVerbs(); !commands.isEmpty())
                ctx.out() << "  commands: " << commands.join(QStringLiteral(", "));
            if (e.metadata.needsGpu)
                ctx.out() << "  (needs a GPU)";
            if (!e.filePath.isEmpty()) // which copy is in use, where BIOFORGE_PLUGIN_PATH holds several
                ctx.out() << "  from " << e.filePath;
        } else {
            ctx.out() << "  " << e.error;
        }
        ctx.out() << Qt::endl;
    }
    // A copied program without its plugin folder has only the built-in self-test.
    if (std::none_of(plugins.entries().begin(), plugins.entries().end(), [](const core::PluginEntry& e) { return !e.filePath.isEmpty(); }))
        ctx.out() << "note: no plugin module in the search paths: install the package, keep lib/bioforge/plugins beside bin/ as the build "
                     "lays them out, or name the folder in BIOFORGE_PLUGIN_PATH"
                  << Qt::endl;
    return kOk;
}

namespace {

const QString kNoGpuToCheck = QStringLiteral("no GPU on this machine; GPU kernels are skipped and the CPU is used");

// `devices --json`: {devices: [{id, kind, index, name, threads, memory_bytes, driver}], notes,
// checks: [{id, ok, message}] (with --check; null without)}; absent values null.
int devicesJson(CliContext& ctx, const core::DeviceReport& report, bool check)
{
    QJsonArray devices;
    for (const core::DeviceInfo& d : report.devices)
        devices.append(QJsonObject{{QStringLiteral("id"), d.id},
                                   {QStringLiteral("kind"), core::deviceKindName(d.kind)},
                                   {QStringLiteral("index"), d.index},
                                   {QStringLiteral("name"), d.name},
                                   {QStringLiteral("threads"), d.cpuThreads > 0 ? QJsonValue(d.cpuThreads) : QJsonValue()},
                                   {QStringLiteral("memory_bytes"), d.memoryBytes > 0 ? QJsonValue(d.memoryBytes) : QJsonValue()},
                                   {QStringLiteral("driver"), textOrNull(d.driverVersion)}});
    QJsonValue checks;
    bool failed = false;
    if (check) {
        QJsonArray list;
        for (const core::DeviceInfo& d : report.gpus()) {
            const core::GpuCheck::Result r = core::GpuCheck::run(d.kind, d.index);
            list.append(QJsonObject{{QStringLiteral("id"), d.id}, {QStringLiteral("ok"), r.code == 0}, {QStringLiteral("message"), r.message}});
            failed = failed || r.code != 0;
        }
        checks = list;
    }
    QStringList notes = report.notes;
    if (check && report.gpus().isEmpty()) // what the text's check line says
        notes << kNoGpuToCheck;
    ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("devices"), devices}, {QStringLiteral("notes"), QJsonArray::fromStringList(notes)},
                                           {QStringLiteral("checks"), checks}})
                     .toJson(QJsonDocument::Indented)
              << Qt::flush;
    return failed ? kRunFailed : kOk;
}

} // namespace

int cmdDevices(CliContext& ctx, const QStringList& args)
{
    const core::DeviceReport& report = core::DeviceDiscovery::report();
    if (args.contains(QStringLiteral("--json")))
        return devicesJson(ctx, report, args.contains(QStringLiteral("--check")));
    for (const core::DeviceInfo& d : report.devices) {
        ctx.out() << d.id << "  " << d.name;
        if (d.cpuThreads > 0)
            ctx.out() << "  threads " << d.cpuThreads;
        if (d.memoryBytes > 0)
            ctx.out() << "  memory " << QString::number(double(d.memoryBytes) / (1 << 30), 'f', 1) << " GiB";
        if (!d.driverVersion.isEmpty())
            ctx.out() << "  driver " << d.driverVersion;
        ctx.out() << Qt::endl;
    }
    for (const QString& note : report.notes)
        ctx.out() << "note: " << note << Qt::endl;
    if (!args.contains(QStringLiteral("--check")))
        return kOk;
    // Run the self-check kernel on every GPU; say plainly when there is none.
    bool failed = false;
    for (const core::DeviceInfo& d : report.gpus()) {
        const core::GpuCheck::Result r = core::GpuCheck::run(d.kind, d.index);
        ctx.out() << "check " << d.id << ": " << (r.code == 0 ? "ok" : "FAILED") << " — " << r.message << Qt::endl;
        failed = failed || r.code != 0;
    }
    if (report.gpus().isEmpty())
        ctx.out() << "check: " << kNoGpuToCheck << Qt::endl;
    return failed ? kRunFailed : kOk;
}

int cmdRuns(CliContext& ctx, const QStringList& args)
{
    bool json = false;
    QString plugin;
    std::optional<core::RunState> state;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--json")) {
            json = true;
            continue;
        }
        const QString value = args.value(i + 1);
        if (value.isEmpty()) {
            ctx.err() << "bioforge runs: " << args[i] << " needs a value (usage: bioforge runs [--plugin ID] [--state STATE] [--json])" << Qt::endl;
            return kUsage;
        }
        ++i;
        if (args[i - 1] == QLatin1String("--plugin")) {
            plugin = value;
        } else if (!(state = core::runStateFromName(value.toLower()))) {
            QStringList names;
            for (const core::RunState s : {core::RunState::Queued, core::RunState::Running, core::RunState::Paused, core::RunState::Cancelled,
                                           core::RunState::Finished, core::RunState::Failed, core::RunState::Interrupted})
                names << core::runStateName(s);
            ctx.err() << "bioforge runs: --state " << value << ": not a run state (" << names.join(QStringLiteral(", ")) << ")" << Qt::endl;
            return kUsage;
        }
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    // A run whose process is gone (kill -9, a power cut) is shown as interrupted, not running:
    // the same check `resume` and the window make at start (a run another live process owns stays).
    if (auto recovered = ctx.session().runs()->recoverInterrupted(); !recovered)
        ctx.err() << "bioforge: " << recovered.error().message() << Qt::endl;
    auto runs = project->store().runs();
    if (!runs) {
        ctx.err() << "bioforge: " << runs.error().message() << Qt::endl;
        return kProjectError;
    }
    // A read-only project cannot record them as interrupted: they are shown so, and said not recorded.
    QSet<QString> orphaned;
    if (project->store().readOnly())
        if (auto orphans = project->store().orphanedRuns())
            for (const core::RunRecord& r : *orphans)
                orphaned.insert(r.runId);
    QHash<QString, QString> resumedAs; // parent -> its continuation (the first, as core::continuationOf finds it)
    for (const core::RunRecord& r : *runs)
        if (!r.parentRunId.isEmpty() && !resumedAs.contains(r.parentRunId))
            resumedAs.insert(r.parentRunId, r.runId);
    // The filters (trial 21 T21-19): a plugin's runs, runs in a state (as shown: a run whose process
    // is gone in a read-only project is interrupted).
    runs->removeIf([&](const core::RunRecord& r) {
        const core::RunState shown = orphaned.contains(r.runId) ? core::RunState::Interrupted : r.state;
        return (!plugin.isEmpty() && r.pluginId != plugin) || (state && shown != *state);
    });
    if (json) { // one object, the keys stable: what the text says, for a script (`show` has each run's whole record)
        const auto progress = project->store().runProgress();
        QJsonArray list;
        for (const core::RunRecord& r : *runs)
            list.append(QJsonObject{{QStringLiteral("id"), r.runId},
                                    {QStringLiteral("state"), core::runStateName(orphaned.contains(r.runId) ? core::RunState::Interrupted : r.state)},
                                    // as `show` writes it: a key the two share has one type
                                    {QStringLiteral("plugin"), runPluginJson(r)},
                                    {QStringLiteral("verb"), r.verb},
                                    {QStringLiteral("title"), r.title},
                                    {QStringLiteral("created"), r.createdAt.toUTC().toString(Qt::ISODateWithMs)},
                                    {QStringLiteral("ended"), r.endedAt.isValid() ? QJsonValue(r.endedAt.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue()},
                                    {QStringLiteral("progress"), progress ? QJsonValue(std::floor(progress->value(r.runId) * 1e4) / 1e4) : QJsonValue()},
                                    {QStringLiteral("resumes"), textOrNull(r.parentRunId)},
                                    {QStringLiteral("resumed_as"), resumedAs.contains(r.runId) ? QJsonValue(resumedAs.value(r.runId)) : QJsonValue()},
                                    {QStringLiteral("warning_count"), r.warningCount}, // `show`: warningCount, and the first of them as `warnings`
                                    {QStringLiteral("new_run_needed"), r.state == core::RunState::Failed ? QJsonValue(r.failedOnInput()) : QJsonValue()},
                                    {QStringLiteral("error"), textOrNull(r.error)}});
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("project"), project->folder()},
                                               {QStringLiteral("read_only"), project->store().readOnly()},
                                               {QStringLiteral("runs"), list}})
                         .toJson(QJsonDocument::Indented);
        return kOk;
    }
    ctx.out() << "project " << project->folder() << (project->store().readOnly() ? " (read-only here)" : "") << Qt::endl;
    qsizetype whatWidth = 0; // "plugin verb", padded to the longest: the columns after it line up
    for (const core::RunRecord& r : *runs)
        whatWidth = std::max(whatWidth, r.pluginId.size() + 1 + r.verb.size());
    for (const core::RunRecord& r : *runs) {
        const bool dead = orphaned.contains(r.runId);
        ctx.out() << r.runId << "  " << (dead ? core::runStateName(core::RunState::Interrupted) : core::runStateName(r.state)).leftJustified(11) << "  "
                  << (r.pluginId + QLatin1Char(' ') + r.verb).leftJustified(whatWidth) << "  "
                  << r.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) << "  " << r.title;
        if (!r.parentRunId.isEmpty())
            ctx.out() << "  (resumes " << r.parentRunId << ')';
        // A paused, interrupted or failed run read as one waiting to be resumed after its resume ended.
        if (const QString next = resumedAs.value(r.runId); !next.isEmpty())
            ctx.out() << "  (resumed as " << next << ')';
        if (dead)
            ctx.out() << "  (its process ended; recorded as " << core::runStateName(r.state) << ": the project is read-only)";
        ctx.out() << Qt::endl;
    }
    return kOk;
}

int cmdShow(CliContext& ctx, const QStringList& args)
{
    if (args.size() != 1) {
        ctx.err() << "usage: bioforge show <run-id>" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    auto run = project->store().run(args.first());
    if (!run) {
        ctx.err() << "bioforge: " << run.error().message() << Qt::endl;
        return kNotFound;
    }
    ctx.out() << QJsonDocument(run->toJson()).toJson(QJsonDocument::Indented);
    return kOk;
}

} // namespace bioforge::cli
