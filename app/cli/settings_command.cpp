// bioforge settings: the workbench's settings and each plugin's
// (IPlugin::settingSpecs) from the command line — the window's Settings
// dialog, and what a headless machine (a cluster's login node) has instead.
// Values are JSON where they parse as JSON (numbers, objects), else text; a
// secret (an API key) is never printed, and "-" reads the value from the
// first line of standard input (out of the shell's history).

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "cluster/slurm_options.h"
#include "compute/torch_device.h"
#include "plugin/iplugin.h"
#include "plugin/plugin_manager.h"
#include "runs/session.h"
#include "settings/plugin_settings.h"
#include "settings/workbench_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSettings>

#include <cstdio>
#include <csignal>
#include <termios.h>
#include <unistd.h>
#include <functional>

namespace bioforge::cli {

namespace {

struct WorkbenchKey {
    const char* key;
    core::WorkbenchSettings::Setting setting; // what `unset` returns to its default
    const char* description;
    std::function<QJsonValue(const core::WorkbenchSettings&)> get;
    std::function<QString(const QJsonValue&)> check; // what is expected, empty when the value is accepted
    std::function<void(core::WorkbenchSettings&, const QJsonValue&)> store; // a value check accepted
};

QString absoluteFolder(const QJsonValue& v)
{
    if (!v.isString() || !QDir::isAbsolutePath(v.toString()))
        return QStringLiteral("expected an absolute folder path");
    if (const QFileInfo there(v.toString()); there.exists() && !there.isDir()) // a folder yet to be made is fine
        return QStringLiteral("%1 is a file, not a folder").arg(v.toString());
    return {};
}

// Accepts a whole number, at least 1, of `what`.
std::function<QString(const QJsonValue&)> count(const char* what)
{
    return [what](const QJsonValue& v) {
        return v.isDouble() && v.toDouble() >= 1 && v.toDouble() == double(v.toInt()) ? QString()
                                                                                       : QStringLiteral("expected a whole number of %1, at least 1").arg(QLatin1String(what));
    };
}

const QList<WorkbenchKey>& workbenchKeys()
{
    using S = core::WorkbenchSettings;
    static const QList<WorkbenchKey> keys{
        // 0 is all cores, as a run's --threads 0: the default, so it is kept as unset.
        {"threads", S::Setting::CpuThreads, "threads a CPU job may use (0: all cores, the default)", [](const S& s) { return QJsonValue(s.cpuThreads()); },
         [](const QJsonValue& v) {
             return v.isDouble() && v.toDouble() == 0 ? QString() : count("threads")(v).isEmpty() ? QString()
                                                                                                   : QStringLiteral("expected a whole number of threads, at least 1, or 0 (all cores)");
         },
         [](S& s, const QJsonValue& v) {
             if (v.toInt() == 0)
                 s.resetToDefault(S::Setting::CpuThreads);
             else
                 s.setCpuThreads(v.toInt());
         }},
        {"max_jobs", S::Setting::MaxConcurrentJobs, "runs a session runs at once", [](const S& s) { return QJsonValue(s.maxConcurrentJobs()); }, count("runs"),
         [](S& s, const QJsonValue& v) { s.setMaxConcurrentJobs(v.toInt()); }},
        {"device", S::Setting::Device, "where runs compute when they are not told: auto, cpu, cuda:N", [](const S& s) { return QJsonValue(s.preferredDevice()); },
         [](const QJsonValue& v) {
             return v.isString() && core::parseTorchDevice(v.toString()) ? QString() : QStringLiteral("expected auto, cpu, cuda or cuda:N");
         },
         [](S& s, const QJsonValue& v) { s.setPreferredDevice(v.toString()); }},
        {"model_folder", S::Setting::ModelFolder, "where `models download` puts models", [](const S& s) { return QJsonValue(s.modelFolder()); }, absoluteFolder,
         [](S& s, const QJsonValue& v) { s.setModelFolder(QDir::cleanPath(v.toString())); }},
        {"cache_folder", S::Setting::CacheFolder, "caches shared by projects", [](const S& s) { return QJsonValue(s.cacheFolder()); }, absoluteFolder,
         [](S& s, const QJsonValue& v) { s.setCacheFolder(QDir::cleanPath(v.toString())); }},
        {"cluster", S::Setting::ClusterOptions, "options of `run … --cluster slurm` not given on the command line (docs/cluster.md), a JSON object",
         [](const S& s) { return QJsonValue(s.clusterOptions()); },
         [](const QJsonValue& v) {
             if (!v.isObject())
                 return QStringLiteral("expected a JSON object, e.g. {\"partition\": \"gpu\", \"shards\": 8}");
             auto options = core::SlurmOptions::fromJson(v.toObject());
             return options ? QString() : options.error().message();
         },
         // Saved as the options read it (cpus_per_task, memory): a flag of the same option overrides it, not "given twice".
         [](S& s, const QJsonValue& v) { s.setClusterOptions(core::SlurmOptions::canonicalKeys(v.toObject())); }},
    };
    return keys;
}

// What "PLUGIN.KEY" names: a setting of a loaded plugin, or a saved key of a plugin that did not
// load or is not installed any more (`unavailable` says why: its keys cannot be checked, only unset).
struct PluginKey {
    QString plugin;
    core::PluginSetting spec;
    QString unavailable;
};

std::optional<PluginKey> findPluginKey(const core::PluginManager& plugins, const core::WorkbenchSettings& settings, const QString& name)
{
    const qsizetype dot = name.indexOf(QLatin1Char('.'));
    if (dot <= 0)
        return std::nullopt;
    const QString id = name.left(dot), key = name.mid(dot + 1);
    const core::PluginEntry* e = plugins.entry(id); // a loaded copy before one that failed
    if (e && e->state == core::PluginEntry::State::Loaded) {
        for (const core::PluginSetting& s : e->plugin->settingSpecs())
            if (s.key == key)
                return PluginKey{id, s, QString()};
        return std::nullopt;
    }
    if (e || settings.pluginSettings(id).contains(key))
        return PluginKey{id, core::PluginSetting{key, QString(), true, {}}, plugins.notLoadedReason(id)};
    return std::nullopt;
}

QString shown(const QJsonValue& v, bool secret) { return core::describePluginSettingValue(v, secret); }

// One setting of `settings --json`: {key, set, value (null where not set, and for a secret: never
// printed), secret, description}.
QJsonObject settingJson(const QString& key, const QJsonValue& value, bool secret, const QString& description)
{
    const bool set = !value.isUndefined() && !value.isNull();
    return {{QStringLiteral("key"), key}, {QStringLiteral("set"), set}, {QStringLiteral("value"), set && !secret ? value : QJsonValue()},
            {QStringLiteral("secret"), secret}, {QStringLiteral("description"), description}};
}

// What `settings list` shows: every setting in order, and the plugins that did not load but have
// saved settings (their keys cannot be checked, nor told secret or not: only named). A plugin is
// said once, and not for a failed second copy of a plugin that loaded.
struct SettingRow {
    QString key;
    QJsonValue value;
    bool secret = false;
    QString description;
};
struct NotLoaded {
    QString plugin, reason;
    QStringList savedKeys;
};

std::pair<QList<SettingRow>, QList<NotLoaded>> listSettings(const core::PluginManager& plugins, const core::WorkbenchSettings& settings)
{
    QList<SettingRow> rows;
    QList<NotLoaded> notLoaded;
    for (const WorkbenchKey& k : workbenchKeys())
        rows.append({QLatin1String(k.key), k.get(settings), false, QString::fromUtf8(k.description)});
    QSet<QString> said;
    for (const core::PluginEntry& e : plugins.entries()) {
        const QJsonObject saved = settings.pluginSettings(e.metadata.id);
        if (e.state != core::PluginEntry::State::Loaded) {
            if (!saved.isEmpty() && plugins.entry(e.metadata.id) == &e && !said.contains(e.metadata.id)) {
                said.insert(e.metadata.id);
                notLoaded.append({e.metadata.id, plugins.notLoadedReason(e.metadata.id), saved.keys()});
            }
            continue;
        }
        for (const core::PluginSetting& setting : e.plugin->settingSpecs())
            rows.append({e.metadata.id + QLatin1Char('.') + setting.key, saved.value(setting.key), setting.secret, setting.description});
    }
    return {rows, notLoaded};
}

// `settings list --json`: {file, settings: [settingJson…], not_loaded: [{plugin, reason, saved_keys}]}.
QJsonObject settingsListJson(const core::PluginManager& plugins, const core::WorkbenchSettings& settings)
{
    QJsonArray list, notLoaded;
    const auto [rows, unloaded] = listSettings(plugins, settings);
    for (const SettingRow& r : rows)
        list.append(settingJson(r.key, r.value, r.secret, r.description));
    for (const NotLoaded& n : unloaded)
        notLoaded.append(QJsonObject{{QStringLiteral("plugin"), n.plugin}, {QStringLiteral("reason"), n.reason},
                                     {QStringLiteral("saved_keys"), QJsonArray::fromStringList(n.savedKeys)}});
    return {{QStringLiteral("file"), settings.fileName()}, {QStringLiteral("settings"), list}, {QStringLiteral("not_loaded"), notLoaded}};
}

// The terminal's settings while its echo is off, for a signal that ends the program meanwhile.
termios g_savedTerminal{};

void restoreTerminalAndExit(int signal)
{
    ::tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

// The first line of standard input, trimmed. On a terminal the typed text is not echoed (an API
// key stays off the screen and out of a screen recording); the terminal is restored after, also
// when Ctrl-C ends the program while it waits.
QString readValueLine()
{
    const bool hidden = ::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &g_savedTerminal) == 0;
    struct sigaction restore {}, oldInt {}, oldTerm {};
    if (hidden) {
        restore.sa_handler = restoreTerminalAndExit;
        ::sigaction(SIGINT, &restore, &oldInt);
        ::sigaction(SIGTERM, &restore, &oldTerm);
        termios quiet = g_savedTerminal;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        std::fputs("value (not shown as you type): ", stderr);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet); // TCSANOW: what was typed or pasted ahead stays to be read
    }
    QTextStream in(stdin);
    const QString line = in.readLine().trimmed();
    if (hidden) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
        ::sigaction(SIGINT, &oldInt, nullptr);
        ::sigaction(SIGTERM, &oldTerm, nullptr);
        std::fputs("\n", stderr);
    }
    return line;
}

QString allKeys(const core::PluginManager& plugins)
{
    QStringList names;
    for (const WorkbenchKey& k : workbenchKeys())
        names << QLatin1String(k.key);
    for (const core::PluginEntry& e : plugins.entries())
        if (e.state == core::PluginEntry::State::Loaded)
            for (const core::PluginSetting& s : e.plugin->settingSpecs())
                names << e.metadata.id + QLatin1Char('.') + s.key;
    return names.join(QStringLiteral(", "));
}

} // namespace

int cmdSettings(CliContext& ctx, const QStringList& argsIn)
{
    const core::PluginManager& plugins = ctx.session().plugins();
    core::WorkbenchSettings settings;
    // `list` and `get` answer in JSON too (`set`'s value may be any text: not looked at).
    QStringList args = argsIn;
    const QString first = args.value(0, QStringLiteral("list"));
    const bool json = (first == QLatin1String("list") || first == QLatin1String("get") || first == QLatin1String("--json"))
                      && args.removeAll(QStringLiteral("--json")) > 0;
    const QString verb = args.value(0, QStringLiteral("list"));
    const int expected = verb == QLatin1String("list") ? 1 : verb == QLatin1String("set") ? 3 : 2;
    if ((verb != QLatin1String("list") && verb != QLatin1String("get") && verb != QLatin1String("set") && verb != QLatin1String("unset"))
        || args.size() > expected || (verb != QLatin1String("list") && args.size() != expected)) {
        // `settings list --json` got the bare usage line: an option is named (a value may start with '-': `set`'s is not looked at)
        const QString extra = verb.startsWith(QLatin1Char('-')) ? verb : verb == QLatin1String("list") ? args.value(1) : QString();
        if (extra.startsWith(QLatin1Char('-')))
            ctx.err() << "bioforge settings: unknown option '" << extra << "' (";
        ctx.err() << "usage: bioforge " << QString::fromUtf8(findCommand(QStringLiteral("settings"))->usage) << (extra.startsWith(QLatin1Char('-')) ? ")" : "")
                  << Qt::endl;
        return kUsage;
    }
    if (verb == QLatin1String("list") && json) {
        ctx.out() << QJsonDocument(settingsListJson(plugins, settings)).toJson(QJsonDocument::Indented) << Qt::flush;
        return kOk;
    }
    if (verb == QLatin1String("list")) {
        const auto [rows, unloaded] = listSettings(plugins, settings);
        for (const SettingRow& r : rows)
            ctx.out() << r.key << " = " << shown(r.value, r.secret) << "\n    " << r.description << '\n';
        for (const NotLoaded& n : unloaded)
            ctx.out() << n.reason << "; its saved settings, not shown: " << n.savedKeys.join(QStringLiteral(", ")) << "\n    `bioforge settings unset " << n.plugin
                      << ".KEY` removes one" << '\n';
        ctx.out() << "settings file: " << settings.fileName() << Qt::endl;
        return kOk;
    }
    const QString name = args[1];
    const WorkbenchKey* workbench = nullptr;
    for (const WorkbenchKey& k : workbenchKeys())
        if (name == QLatin1String(k.key))
            workbench = &k;
    const std::optional<PluginKey> plugin = workbench ? std::nullopt : findPluginKey(plugins, settings, name);
    if (!workbench && !plugin) {
        ctx.err() << "bioforge settings: no setting '" << name << "'; the settings are: " << allKeys(plugins) << Qt::endl;
        return kNotFound;
    }
    if (plugin && !plugin->unavailable.isEmpty() && verb != QLatin1String("unset")) {
        ctx.err() << "bioforge settings: " << plugin->unavailable << "; so '" << name << "' cannot be "
                  << (verb == QLatin1String("get") ? "read" : "checked");
        if (settings.pluginSettings(plugin->plugin).contains(plugin->spec.key))
            ctx.err() << "; `bioforge settings unset " << name << "` removes its saved value";
        ctx.err() << Qt::endl;
        return kNotFound;
    }
    if (verb == QLatin1String("get") && json) {
        const QJsonObject one = workbench ? settingJson(name, workbench->get(settings), false, QString::fromUtf8(workbench->description))
                                          : settingJson(name, settings.pluginSettings(plugin->plugin).value(plugin->spec.key), plugin->spec.secret,
                                                        plugin->spec.description);
        ctx.out() << QJsonDocument(one).toJson(QJsonDocument::Indented) << Qt::flush;
        return kOk;
    }
    if (verb == QLatin1String("get")) {
        ctx.out() << (workbench ? shown(workbench->get(settings), false)
                                : shown(settings.pluginSettings(plugin->plugin).value(plugin->spec.key), plugin->spec.secret))
                  << Qt::endl;
        return kOk;
    }
    if (verb == QLatin1String("unset")) {
        if (workbench) { // back to the default (there was no way back but to know it and type it)
            settings.resetToDefault(workbench->setting);
            if (core::Status st = settings.save(); !st) {
                ctx.err() << "bioforge settings: " << st.error().message() << "; '" << name << "' keeps its value" << Qt::endl;
                return kProjectError;
            }
            ctx.out() << "unset " << name << ": its default is used, " << shown(workbench->get(settings), false) << Qt::endl;
            return kOk;
        }
        QJsonObject saved = settings.pluginSettings(plugin->plugin);
        if (!plugin->unavailable.isEmpty() && !saved.contains(plugin->spec.key)) {
            ctx.err() << "bioforge settings: '" << name << "' is not set (" << plugin->unavailable << "; its saved settings: "
                      << (saved.isEmpty() ? QStringLiteral("none") : saved.keys().join(QStringLiteral(", "))) << ')' << Qt::endl;
            return kNotFound;
        }
        saved.remove(plugin->spec.key);
        settings.setPluginSettings(plugin->plugin, saved);
        if (core::Status st = settings.save(); !st) {
            ctx.err() << "bioforge settings: " << st.error().message() << "; '" << name << "' is still set" << Qt::endl;
            return kProjectError;
        }
        ctx.out() << "unset " << name << Qt::endl;
        return kOk;
    }
    QString text = args[2];
    if (text == QLatin1String("-")) // the value on standard input: a key stays out of the shell's history
        text = readValueLine();
    // JSON where it reads so and the setting takes it, else the text (a key of digits only).
    const core::PluginSetting spec = workbench ? core::PluginSetting{QLatin1String(workbench->key), QString(), false, workbench->check} : plugin->spec;
    QString error;
    const QJsonValue value = core::pluginSettingValue(spec, text, &error);
    if (!error.isEmpty()) {
        ctx.err() << "bioforge settings: " << name << ": " << (spec.secret ? QStringLiteral("the value") : QLatin1Char('\'') + text + QLatin1Char('\''))
                  << " is not accepted: " << error << Qt::endl;
        return kUsage;
    }
    if (workbench) {
        workbench->store(settings, value);
    } else {
        QJsonObject saved = settings.pluginSettings(plugin->plugin);
        saved.insert(plugin->spec.key, value);
        settings.setPluginSettings(plugin->plugin, saved);
    }
    if (core::Status st = settings.save(); !st) {
        ctx.err() << "bioforge settings: " << st.error().message() << "; '" << name << "' keeps its value" << Qt::endl;
        return kProjectError;
    }
    if (spec.secret) // a key kept in the file: for this user's eyes only
        QFile::setPermissions(settings.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    ctx.out() << "set " << name << " = " << shown(value, spec.secret);
    if (workbench && workbench->setting == core::WorkbenchSettings::Setting::CpuThreads && value.toInt() == 0)
        ctx.out() << " (all cores: " << settings.cpuThreads() << " on this machine)";
    ctx.out() << Qt::endl;
    return kOk;
}

} // namespace bioforge::cli
