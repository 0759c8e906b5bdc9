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
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>

#include <cstdio>
#include <functional>

namespace bioforge::cli {

namespace {

struct WorkbenchKey {
    const char* key;
    const char* description;
    std::function<QJsonValue(const core::WorkbenchSettings&)> get;
    std::function<QString(core::WorkbenchSettings&, const QJsonValue&)> set; // an error text, empty when set
};

QString absoluteFolder(const QJsonValue& v)
{
    return v.isString() && QDir::isAbsolutePath(v.toString()) ? QString() : QStringLiteral("an absolute folder path");
}

// A whole number, at least 1, given to `set`; else what is expected, counting `what`.
QString setCount(const QJsonValue& v, const QString& what, const std::function<void(int)>& set)
{
    if (!v.isDouble() || v.toDouble() < 1 || v.toDouble() != double(v.toInt()))
        return QStringLiteral("a whole number of %1, at least 1").arg(what);
    set(v.toInt());
    return QString();
}

const QList<WorkbenchKey>& workbenchKeys()
{
    using S = core::WorkbenchSettings;
    static const QList<WorkbenchKey> keys{
        {"threads", "threads a CPU job may use", [](const S& s) { return QJsonValue(s.cpuThreads()); },
         [](S& s, const QJsonValue& v) { return setCount(v, QStringLiteral("threads"), [&s](int n) { s.setCpuThreads(n); }); }},
        {"max_jobs", "runs a session runs at once", [](const S& s) { return QJsonValue(s.maxConcurrentJobs()); },
         [](S& s, const QJsonValue& v) { return setCount(v, QStringLiteral("runs"), [&s](int n) { s.setMaxConcurrentJobs(n); }); }},
        {"device", "where runs compute when they are not told: auto, cpu, cuda:N", [](const S& s) { return QJsonValue(s.preferredDevice()); },
         [](S& s, const QJsonValue& v) {
             if (!v.isString() || !core::parseTorchDevice(v.toString()))
                 return QStringLiteral("auto, cpu, cuda or cuda:N");
             s.setPreferredDevice(v.toString());
             return QString();
         }},
        {"model_folder", "where `models download` puts models", [](const S& s) { return QJsonValue(s.modelFolder()); },
         [](S& s, const QJsonValue& v) {
             if (QString e = absoluteFolder(v); !e.isEmpty())
                 return e;
             s.setModelFolder(QDir::cleanPath(v.toString()));
             return QString();
         }},
        {"cache_folder", "caches shared by projects", [](const S& s) { return QJsonValue(s.cacheFolder()); },
         [](S& s, const QJsonValue& v) {
             if (QString e = absoluteFolder(v); !e.isEmpty())
                 return e;
             s.setCacheFolder(QDir::cleanPath(v.toString()));
             return QString();
         }},
        {"cluster", "options of `run … --cluster slurm` not given on the command line (docs/cluster.md), a JSON object",
         [](const S& s) { return QJsonValue(s.clusterOptions()); },
         [](S& s, const QJsonValue& v) {
             if (!v.isObject())
                 return QStringLiteral("a JSON object, e.g. {\"partition\": \"gpu\", \"shards\": 8}");
             if (auto options = core::SlurmOptions::fromJson(v.toObject()); !options)
                 return options.error().message();
             s.setClusterOptions(v.toObject());
             return QString();
         }},
    };
    return keys;
}

// A plugin's setting named "PLUGIN.KEY".
struct PluginKey {
    QString plugin;
    core::PluginSetting spec;
};

std::optional<PluginKey> findPluginKey(const core::PluginManager& plugins, const QString& name)
{
    const qsizetype dot = name.indexOf(QLatin1Char('.'));
    if (dot <= 0)
        return std::nullopt;
    const core::PluginEntry* e = plugins.entry(name.left(dot));
    if (!e || e->state != core::PluginEntry::State::Loaded)
        return std::nullopt;
    for (const core::PluginSetting& s : e->plugin->settingSpecs())
        if (s.key == name.mid(dot + 1))
            return PluginKey{e->metadata.id, s};
    return std::nullopt;
}

QString shown(const QJsonValue& v, bool secret) { return core::describePluginSettingValue(v, secret); }

// VALUE as JSON where it reads as one (5, {"a": 1}, true, "text"), else as text.
QJsonValue parseValue(const QString& text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(text).toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1)
        return doc.array().first();
    return text;
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

int cmdSettings(CliContext& ctx, const QStringList& args)
{
    const core::PluginManager& plugins = ctx.session().plugins();
    core::WorkbenchSettings settings;
    const QString verb = args.value(0, QStringLiteral("list"));
    const int expected = verb == QLatin1String("list") ? 1 : verb == QLatin1String("set") ? 3 : 2;
    if ((verb != QLatin1String("list") && verb != QLatin1String("get") && verb != QLatin1String("set") && verb != QLatin1String("unset"))
        || args.size() > expected || (verb != QLatin1String("list") && args.size() != expected)) {
        ctx.err() << "usage: bioforge " << QString::fromUtf8(findCommand(QStringLiteral("settings"))->usage) << Qt::endl;
        return kUsage;
    }
    if (verb == QLatin1String("list")) {
        for (const WorkbenchKey& k : workbenchKeys())
            ctx.out() << k.key << " = " << shown(k.get(settings), false) << "\n    " << k.description << '\n';
        for (const core::PluginEntry& e : plugins.entries()) {
            if (e.state != core::PluginEntry::State::Loaded)
                continue;
            const QJsonObject saved = settings.pluginSettings(e.metadata.id);
            for (const core::PluginSetting& s : e.plugin->settingSpecs())
                ctx.out() << e.metadata.id << '.' << s.key << " = " << shown(saved.value(s.key), s.secret) << "\n    " << s.description << '\n';
        }
        ctx.out() << "settings file: " << QSettings(QStringLiteral("BioForge"), QStringLiteral("Workbench")).fileName() << Qt::endl;
        return kOk;
    }
    const QString name = args[1];
    const WorkbenchKey* workbench = nullptr;
    for (const WorkbenchKey& k : workbenchKeys())
        if (name == QLatin1String(k.key))
            workbench = &k;
    const std::optional<PluginKey> plugin = workbench ? std::nullopt : findPluginKey(plugins, name);
    if (!workbench && !plugin) {
        ctx.err() << "bioforge settings: no setting '" << name << "'; the settings are: " << allKeys(plugins) << Qt::endl;
        return kNotFound;
    }
    if (verb == QLatin1String("get")) {
        ctx.out() << (workbench ? shown(workbench->get(settings), false)
                                : shown(settings.pluginSettings(plugin->plugin).value(plugin->spec.key), plugin->spec.secret))
                  << Qt::endl;
        return kOk;
    }
    if (verb == QLatin1String("unset")) {
        if (workbench) {
            ctx.err() << "bioforge settings: '" << name << "' always has a value: set another one" << Qt::endl;
            return kUsage;
        }
        QJsonObject saved = settings.pluginSettings(plugin->plugin);
        saved.remove(plugin->spec.key);
        settings.setPluginSettings(plugin->plugin, saved);
        ctx.out() << "unset " << name << Qt::endl;
        return kOk;
    }
    QString text = args[2];
    if (text == QLatin1String("-")) { // the value on standard input: a key stays out of the shell's history
        QTextStream in(stdin);
        text = in.readLine().trimmed();
    }
    // As JSON first; a value the setting refuses so is tried as the text it was (a key of digits only).
    QJsonValue value = parseValue(text);
    if (workbench) {
        QString error = workbench->set(settings, value);
        if (!error.isEmpty() && !value.isString() && workbench->set(settings, text).isEmpty())
            value = text, error.clear();
        if (!error.isEmpty()) {
            ctx.err() << "bioforge settings: " << name << ": '" << text << "' is not accepted: expected " << error << Qt::endl;
            return kUsage;
        }
    } else {
        QString error;
        value = core::pluginSettingValue(plugin->spec, text, &error);
        if (!error.isEmpty()) {
            ctx.err() << "bioforge settings: " << name << ": " << (plugin->spec.secret ? QStringLiteral("the value") : QLatin1Char('\'') + text + QLatin1Char('\''))
                      << " is not accepted: " << error << Qt::endl;
            return kUsage;
        }
        QJsonObject saved = settings.pluginSettings(plugin->plugin);
        saved.insert(plugin->spec.key, value);
        settings.setPluginSettings(plugin->plugin, saved);
    }
    ctx.out() << "set " << name << " = " << shown(value, plugin && plugin->spec.secret) << Qt::endl;
    return kOk;
}

} // namespace bioforge::cli
