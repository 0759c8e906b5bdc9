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
#include <QString>
#include <QStringList>
#include <QTextStream>

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

struct PluginContext {
    QString applicationVersion;
    QString dataDir;                   // per-user data folder (models, caches)
    ModelRegistry* models = nullptr;   // may be null in tests
    QJsonObject settings;              // this plugin's saved settings
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
    virtual QJsonObject settingsSchema() const { return {}; }
    // Runs the demo project makes with this plugin (clearly labelled test data).
    virtual QList<DemoRun> demoRuns() const { return {}; }
};

} // namespace bioforge::core

#define BIOFORGE_IPLUGIN_IID "org.bioforge.IPlugin/1"
Q_DECLARE_INTERFACE(bioforge::core::IPlugin, BIOFORGE_IPLUGIN_IID)
