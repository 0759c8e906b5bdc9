#pragma once

// The annotation plugin: the `annotate` run, the `import-bulk` and `sources`
// commands, the report and the demo on a kidney panel.

#include "plugin/iplugin.h"
#include "net/host_limiter.h"
#include "plugin/iplugin_ui.h"

#include <memory>
#include <mutex>

#include <QObject>

namespace bioforge::annotation {

class AnnotationPlugin final : public QObject, public core::IPlugin, public ui::IPluginUi {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID BIOFORGE_IPLUGIN_IID FILE "annotation.json")
    Q_INTERFACES(bioforge::core::IPlugin bioforge::ui::IPluginUi)
public:
    bool initialize(const core::PluginContext& context, QString* errorString) override;
    QList<core::VerbSpec> verbs() const override;
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
    std::optional<int> runCommand(const QString& verb, const QStringList& args, QTextStream& out, QTextStream& err) override;
    QStringList commandVerbs() const override;
    QList<core::PluginSetting> settingSpecs() const override;
    core::Expected<core::ReportContent> reportContent(const core::RunRecord& run, const QString& runDir) const override;
    QStringList references(const core::RunRecord& run) const override;
    QList<core::DemoRun> demoRuns() const override;

    QString pageTitle() const override { return tr("Gene annotation"); }
    QIcon pageIcon() const override;
    QWidget* createPage(const ui::PageContext& context, QWidget* parent) override;

    // The library runs and commands use: the `library` setting, else <dataDir>/annotation/library.sqlite.
    QString libraryPath() const;
    QJsonObject currentSettings() const;
    // The settings' rate_limits onto the shared host limits (documented defaults where a rate was unset).
    void applyRateLimits(const QJsonObject& settings);

private:
    core::PluginContext m_context;
    std::shared_ptr<HostLimits> m_limits; // every run of this process shares the hosts' limits
    std::mutex m_ratesMutex;
    QJsonObject m_appliedRates;
};

} // namespace bioforge::annotation
