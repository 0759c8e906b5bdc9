#include "support/input_list_plugin.h"

#include "checkpoint/checkpoint_store.h"
#include "diagnostics/workbench_plugin.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>

namespace bioforge::test {

using namespace bioforge::core;

JobOutcome CopyInputsJob::run(JobContext& ctx)
{
    for (const QString& input : m_inputs) // recorded first, as the plugins' jobs do (a paused run's record holds them)
        orThrow(ctx.provenance().addInputFile(QStringLiteral("file"), input));
    if (auto copied = ctx.checkpoints().loadOrDiscard(QStringLiteral("copied"))) {
        QFile out(QDir(ctx.outputDir()).filePath(QStringLiteral("copy.txt")));
        if (!out.open(QIODevice::WriteOnly) || out.write(copied->blobs.value(QStringLiteral("bytes"))) < 0)
            throw JobFailure(QStringLiteral("cannot write copy.txt"));
        return JobOutcome::Finished;
    }
    QByteArray bytes;
    for (const QString& input : m_inputs)
        bytes += readAll(input);
    orThrow(ctx.checkpoints().save(QStringLiteral("copied"), {}, nullptr, {{QStringLiteral("bytes"), bytes}}));
    return JobOutcome::Paused;
}

QList<VerbSpec> InputListPlugin::verbs() const
{
    VerbSpec v;
    v.name = QStringLiteral("read");
    v.parameters = {{QStringLiteral("inputs"), ParameterSpec::Type::PathList, QStringLiteral("files"), QJsonValue::Undefined, {}, 0, 0, true}};
    VerbSpec copy = v;
    copy.name = QStringLiteral("copy");
    return {v, copy};
}

Expected<std::unique_ptr<Job>> InputListPlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    if (verb != QLatin1String("copy"))
        return Error(QStringLiteral("no job in this test"));
    QStringList inputs;
    for (const QJsonValue& v : parameters.value(QLatin1String("inputs")).toArray())
        inputs << v.toString();
    return std::unique_ptr<Job>(std::make_unique<CopyInputsJob>(inputs));
}

std::unique_ptr<PluginManager> listPlugins()
{
    auto plugins = std::make_unique<PluginManager>();
    plugins->setSearchPaths({});
    PluginMetadata meta = WorkbenchPlugin::metadata();
    meta.id = QStringLiteral("lists");
    plugins->addBuiltin(new InputListPlugin, meta);
    plugins->loadAll({});
    return plugins;
}

} // namespace bioforge::test
