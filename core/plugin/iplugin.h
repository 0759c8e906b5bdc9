#pragma once

// The interface every analysis plugin implements. Its life is staged, as in
// Qt Creator's extension system: initialize() once loaded (failure through an
// error string, never an exception across the boundary), then
// extensionsInitialized() once every plugin it depends on is up, and
// aboutToShutdown() before unloading. A plugin declares its verbs (jobs and
// CLI commands) with their parameters and creates the jobs; the GUI asks the
// same object for widgets through IPluginUi (ui/).

#include "jobs/job.h"
#include "plugin/parameter_spec.h"
#include "report/report_content.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <memory>
#include <optional>

namespace bioforge::core {

class ModelRegistry;
struct RunRecord;

// A run the demo project starts for this plugin, with inputs the plugin ships.
struct DemoRun {
    QString verb;
    QJsonObject parameters;
    QString title;
    QString unavailable; // non-empty: this demo cannot run here, and why (shown to the user)
    bool windowOnly = false; // a run to watch, pause and resume in the window; `bioforge demo` skips it
};

// How a verb's run splits into shards for a cluster run (core/cluster).
struct ShardPlan {
    QList<qint64> weights; // per shard, in `unit` (e.g. bases); size() = the shards the run really has
    QString unit;
    QJsonObject summary;   // what the plan says about itself (shown in provenance)
};

// One output file a merge wrote: its role and its name in the output folder.
struct MergedOutput {
    QString name;
    QString file;
};

struct PluginContext {
    QString applicationVersion;
    QString dataDir;                   // per-user data folder (models, caches)
    ModelRegistry* models = nullptr;   // may be null in tests
    QJsonObject settings;              // this plugin's saved settings (filled from settingsOf when set)
    // The saved settings of the plugin with this id (WorkbenchSettings::pluginSettings); the
    // plugin manager puts each plugin's into `settings` before initialize().
    std::function<QJsonObject(const QString& pluginId)> settingsOf;
};

// One setting a plugin reads from PluginContext::settings (set with `bioforge settings set
// PLUGIN.KEY VALUE`): its key, what it does, whether its value is a secret (never shown or
// logged: an API key), and its check: an error text for a value it cannot take, empty if fine.
struct PluginSetting {
    QString key;
    QString description;
    bool secret = false;
    std::function<QString(const QJsonValue& value)> check;
};

class IPlugin {
public:
    virtual ~IPlugin() = default;

    virtual bool initialize(const PluginContext& context, QString* errorString) = 0;
    virtual void extensionsInitialized() {}
    virtual void aboutToShutdown() {}

    // Verbs that create runs (jobs): `bioforge run <plugin> <verb> …`.
    virtual QList<VerbSpec> verbs() const = 0;
    virtual Expected<std::unique_ptr<Job>> createJob(const QString& verb, const QJsonObject& parameters) = 0;
    // What a run on this machine needs beyond createJob's checks, asked before a local run is
    // recorded (not for a cluster run, whose nodes may differ): a device this build cannot have.
    // An error of kind NotFound is the command line's exit 6.
    virtual Status checkLocalRun(const QString& verb, const QJsonObject& parameters) const { return okStatus(); }

    // Commands that answer at once without a run (`bioforge <plugin> info …`).
    // Returns the exit code, or nullopt when the verb is not one of them.
    virtual std::optional<int> runCommand(const QString& verb, const QStringList& args, QTextStream& out, QTextStream& err)
    {
        return std::nullopt;
    }
    virtual QStringList commandVerbs() const { return {}; }

    // What the run's report shows (tables, plots), read from its outputs.
    virtual Expected<ReportContent> reportContent(const RunRecord& run, const QString& runDir) const
    {
        return Error(QStringLiteral("this plugin makes no report"));
    }
    // The methods a run's results rest on, one line each: a paper (authors, title, journal, year,
    // DOI) or a software or data source with its address; the report's "Methods and references".
    virtual QStringList references(const RunRecord& run) const { return {}; }
    // Said in a run's default title after the plugin's name and verb, before its inputs: what
    // whoever reads a list of runs or a report must know of this one ("with TEST models (random
    // weights: the calls mean nothing)"). Empty: nothing. `parameters` are the validated ones.
    virtual QString titleNote(const QString& verb, const QJsonObject& parameters) const { return {}; }
    // The settings this plugin reads (PluginContext::settings); others are refused when set.
    virtual QList<PluginSetting> settingSpecs() const { return {}; }

    // Cluster runs (core/cluster, docs/cluster.md). A verb that can run as
    // independent shards says how to split its input and merge the shard
    // outputs back; core does the rest (submission, monitoring, resume).
    virtual bool canShard(const QString& verb) const { return false; }
    // Splits the run into at most `shards` shards and writes the plan the
    // shard runs read to `planFile`; called once per cluster run.
    virtual Expected<ShardPlan> planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile)
    {
        return Error(QStringLiteral("verb '%1' cannot run on a cluster").arg(verb));
    }
    // A cluster run's resume, before it submits anything and while a task is left to run: the models
    // the plan at `planFile` was made with against the models `parameters` name now (core has compared
    // the plan's inputs already). An error names the model and both checksums: every task would refuse
    // it, after its wait in the queue. By default (a plan that records no model) ok.
    virtual Status checkShardPlanModels(const QString& verb, const QJsonObject& parameters, const QString& planFile) const
    {
        (void)verb;
        (void)parameters;
        (void)planFile;
        return okStatus();
    }
    // The parameters of shard `index` (0-based) of `count`: by default the
    // run's own plus "shard": "<index+1>/<count>" and "shard_plan": the plan file.
    virtual QJsonObject shardParameters(const QString& verb, const QJsonObject& parameters, int index, int count, const QString& planFile) const
    {
        QJsonObject p = parameters;
        p.insert(QStringLiteral("shard"), QStringLiteral("%1/%2").arg(index + 1).arg(count));
        p.insert(QStringLiteral("shard_plan"), planFile);
        return p;
    }
    // Writes into `outputDir` the outputs a single-machine run would have
    // written, from the shard runs' output folders (in shard order).
    virtual Expected<QList<MergedOutput>> mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                                      const QString& outputDir)
    {
        return Error(QStringLiteral("verb '%1' cannot run on a cluster").arg(verb));
    }
    // A cluster run's warnings from its shard runs' (`byShard`: each shard's, in shard order, as its run
    // recorded them), once the merged outputs are in `mergedDir` (verified): a warning that counts the shard's part of the
    // input is the plugin's to replace by the whole run's count, as a single-machine run says it. By
    // default each distinct warning once, in order.
    virtual QStringList mergeShardWarnings(const QString& verb, const QList<QStringList>& byShard, const QString& mergedDir) const
    {
        (void)verb;
        (void)mergedDir;
        QStringList once;
        QSet<QString> seen;
        for (const QStringList& warnings : byShard)
            for (const QString& w : warnings)
                if (!seen.contains(w)) {
                    seen.insert(w);
                    once << w;
                }
        return once;
    }
    // Runs the demo project makes with this plugin (clearly labelled test data).
    virtual QList<DemoRun> demoRuns() const { return {}; }
};

} // namespace bioforge::core

#define BIOFORGE_IPLUGIN_IID "org.bioforge.IPlugin/4"
Q_DECLARE_INTERFACE(bioforge::core::IPlugin, BIOFORGE_IPLUGIN_IID)
