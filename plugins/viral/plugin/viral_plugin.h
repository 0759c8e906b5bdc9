#pragma once

// The viral plugin: the `predict` and `validate` runs (models resolved from
// the registry or given by path), their report, the demo, and the page.

#include "pipeline/predict_settings.h"
#include "plugin/iplugin.h"
#include "plugin/iplugin_ui.h"

#include <QObject>

namespace bioforge::viral {

class ViralPlugin final : public QObject, public core::IPlugin, public ui::IPluginUi {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID BIOFORGE_IPLUGIN_IID FILE "viral.json")
    Q_INTERFACES(bioforge::core::IPlugin bioforge::ui::IPluginUi)
public:
    bool initialize(const core::PluginContext& context, QString* errorString) override;
    QList<core::VerbSpec> verbs() const override;
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
    core::Status checkLocalRun(const QString& verb, const QJsonObject& parameters) const override;
    bool canShard(const QString& verb) const override { return verb == QLatin1String("predict"); }
    core::Expected<core::ShardPlan> planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile) override;
    core::Status checkShardPlanModels(const QString& verb, const QJsonObject& parameters, const QString& planFile) const override;
    core::Expected<QList<core::MergedOutput>> mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                                          const QString& outputDir) override;
    QStringList mergeShardWarnings(const QString& verb, const QList<QStringList>& byShard, const QString& mergedDir) const override;
    core::Expected<core::ReportContent> reportContent(const core::RunRecord& run, const QString& runDir) const override;
    QStringList references(const core::RunRecord& run) const override;
    QString titleNote(const QString& verb, const QJsonObject& parameters) const override;
    QList<core::PluginSetting> settingSpecs() const override;
    QList<core::DemoRun> demoRuns() const override;

    QString pageTitle() const override { return tr("Viral contigs"); }
    QIcon pageIcon() const override;
    QWidget* createPage(const ui::PageContext& context, QWidget* parent) override;

    // The model names used when a run does not name them (plugin settings, else these defaults).
    QString defaultModel(const char* key) const;
    // The model a run's `key` (dnabert, esm, classifier) names, else the default for its chunk length.
    QString modelFor(const char* key, const QJsonObject& parameters) const;

private:
    // The run's settings with its models resolved (registry names to folders and checksums).
    core::Expected<PredictSettings> resolveSettings(const QString& verb, const QJsonObject& parameters) const;

    core::PluginContext m_context;
};

} // namespace bioforge::viral
