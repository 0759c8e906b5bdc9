#pragma once

// The age plugin: the `clocks` and `evaluate` runs on cohort tables, their
// report and the demo on a shipped NHANES subset.

#include "plugin/iplugin.h"
#include "plugin/iplugin_ui.h"

#include <QObject>

namespace bioforge::age {

class AgePlugin final : public QObject, public core::IPlugin, public ui::IPluginUi {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID BIOFORGE_IPLUGIN_IID FILE "age.json")
    Q_INTERFACES(bioforge::core::IPlugin bioforge::ui::IPluginUi)
public:
    bool initialize(const core::PluginContext& context, QString* errorString) override;
    QList<core::VerbSpec> verbs() const override;
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
    core::Status checkLocalRun(const QString& verb, const QJsonObject& parameters) const override;
    bool canShard(const QString& verb) const override { return verb == QLatin1String("predict"); }
    core::Expected<core::ShardPlan> planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile) override;
    core::Expected<QList<core::MergedOutput>> mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                                          const QString& outputDir) override;
    QStringList mergeShardWarnings(const QString& verb, const QList<QStringList>& byShard, const QString& mergedDir) const override;
    core::Expected<core::ReportContent> reportContent(const core::RunRecord& run, const QString& runDir) const override;
    QStringList references(const core::RunRecord& run) const override;
    QList<core::DemoRun> demoRuns() const override;

    QString pageTitle() const override { return tr("Biological age"); }
    QIcon pageIcon() const override;
    QWidget* createPage(const ui::PageContext& context, QWidget* parent) override;

private:
    core::PluginContext m_context;
};

} // namespace bioforge::age
