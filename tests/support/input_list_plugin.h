#pragma once

// A plugin for tests of runs that read input files (as viral predict does), as plugin 'lists':
// verbs read (no job) and copy (CopyInputsJob), each taking `inputs`, a list of files.

#include "jobs/job.h"
#include "plugin/iplugin.h"
#include "plugin/plugin_manager.h"

#include <QObject>
#include <QStringList>

#include <memory>

namespace bioforge::test {

// copy: keeps its inputs' bytes in a checkpoint and pauses; resumed, writes what the checkpoint
// holds to copy.txt (as any job whose checkpoints hold what it computed from its inputs so far).
class CopyInputsJob final : public core::Job {
public:
    explicit CopyInputsJob(QStringList inputs) : m_inputs(std::move(inputs)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    QStringList m_inputs;
};

class InputListPlugin final : public QObject, public core::IPlugin {
    Q_OBJECT
    Q_INTERFACES(bioforge::core::IPlugin)
public:
    bool initialize(const core::PluginContext&, QString*) override { return true; }
    QList<core::VerbSpec> verbs() const override;
    core::Expected<std::unique_ptr<core::Job>> createJob(const QString& verb, const QJsonObject& parameters) override;
};

// A plugin manager holding the InputListPlugin alone, as plugin 'lists'.
std::unique_ptr<core::PluginManager> listPlugins();

} // namespace bioforge::test
