#pragma once

// The workbench's own plugin, compiled into the application: the self-test
// verb (on one machine or a cluster) and its report. Registered with PluginManager::addBuiltin().

#include "plugin/iplugin.h"
#include "plugin/plugin_metadata.h"

#include <QObject>

namespace bioforge::core {

class WorkbenchPlugin final : public QObject, public IPlugin {
    Q_OBJECT
    Q_INTERFACES(bioforge::core::IPlugin)
public:
    static PluginMetadata metadata();

    bool initialize(const PluginContext& context, QString* errorString) override;
    QList<VerbSpec> verbs() const override;
    Expected<std::unique_ptr<Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
    Expected<ReportContent> reportContent(const RunRecord& run, const QString& runDir) const override;
    QList<DemoRun> demoRuns() const override;
    // The self-test runs on a cluster too: a check of the cluster setup with no model or data (self_test_shards.h).
    bool canShard(const QString& verb) const override;
    Expected<ShardPlan> planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile) override;
    Expected<QList<MergedOutput>> mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                              const QString& outputDir) override;
};

} // namespace bioforge::core
