#pragma once

// The llm plugin: its CLI commands (`bioforge llm …`), the recorded
// "generate" run, its report, its demo, and the chat page.

#include "plugin/iplugin.h"
#include "plugin/iplugin_ui.h"

#include <QObject>

namespace bioforge::llm {

class LlmPlugin final : public QObject, public core::IPlugin, public ui::IPluginUi {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID BIOFORGE_IPLUGIN_IID FILE "llm.json")
    Q_INTERFACES(bioforge::core::IPlugin bioforge::ui::IPluginUi)
public:
    bool initialize(const core::PluginContext& context, QString* errorString) override;
    QList<core::VerbSpec> verbs() const override;
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
    core::Status checkLocalRun(const QString& verb, const QJsonObject& parameters) const override;
    // "with a TEST model (…)" for a model registered as one or written by `llm synth-model`.
    QString titleNote(const QString& verb, const QJsonObject& parameters) const override;
    std::optional<int> runCommand(const QString& verb, const QStringList& args, QTextStream& out, QTextStream& err) override;
    QStringList commandVerbs() const override;
    core::Expected<core::ReportContent> reportContent(const core::RunRecord& run, const QString& runDir) const override;
    QStringList references(const core::RunRecord& run) const override;
    QList<core::DemoRun> demoRuns() const override;

    QString pageTitle() const override { return tr("Chat"); }
    QIcon pageIcon() const override;
    QWidget* createPage(const ui::PageContext& context, QWidget* parent) override;

private:
    core::PluginContext m_context;
};

} // namespace bioforge::llm
