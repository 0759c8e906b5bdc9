#include "provenance/ro_crate.h"

#include "provenance/run_record.h"

#include <QJsonArray>

namespace bioforge::core {
namespace {

QJsonObject fileEntity(const QString& id, const FileRef& f, const QString& description)
{
    QJsonObject o{{QStringLiteral("@id"), id}, {QStringLiteral("@type"), QStringLiteral("File")},
                  {QStringLiteral("name"), f.name}, {QStringLiteral("description"), description},
                  {QStringLiteral("contentSize"), QString::number(f.size)}};
    if (!f.sha256.isEmpty())
        o.insert(QStringLiteral("sha256"), f.sha256);
    return o;
}

QJsonObject ref(const QString& id) { return {{QStringLiteral("@id"), id}}; }

} // namespace

QJsonObject RoCrate::fromRun(const RunRecord& run)
{
    QJsonArray graph;
    QJsonArray parts, objects, results, parameters;
    graph.append(QJsonObject{{QStringLiteral("@id"), QStringLiteral("ro-crate-metadata.json")},
                             {QStringLiteral("@type"), QStringLiteral("CreativeWork")},
                             {QStringLiteral("conformsTo"), ref(QStringLiteral("https://w3id.org/ro/crate/1.1"))},
                             {QStringLiteral("about"), ref(QStringLiteral("./"))}});
    int n = 0;
    for (const FileRef& f : run.inputs) {
        const QString id = f.path.isEmpty() ? QStringLiteral("#input-%1").arg(++n) : QStringLiteral("file://") + f.path;
        graph.append(fileEntity(id, f, QStringLiteral("input")));
        objects.append(ref(id));
    }
    for (const ModelRef& m : run.models) {
        const QString id = QStringLiteral("#model-") + m.name;
        graph.append(QJsonObject{{QStringLiteral("@id"), id}, {QStringLiteral("@type"), QStringLiteral("Dataset")},
                                 {QStringLiteral("name"), m.name}, {QStringLiteral("version"), m.revision},
                                 {QStringLiteral("sha256"), m.sha256}, {QStringLiteral("description"), m.roleName()}});
        objects.append(ref(id));
    }
    for (const FileRef& f : run.outputs) {
        graph.append(fileEntity(f.path, f, QStringLiteral("output")));
        results.append(ref(f.path));
        parts.append(ref(f.path));
    }
    for (auto it = run.parameters.begin(); it != run.parameters.end(); ++it) {
        const QString id = QStringLiteral("#param-") + it.key();
        graph.append(QJsonObject{{QStringLiteral("@id"), id}, {QStringLiteral("@type"), QStringLiteral("PropertyValue")},
                                 {QStringLiteral("name"), it.key()}, {QStringLiteral("value"), it.value()}});
        parameters.append(ref(id));
    }
    graph.append(QJsonObject{{QStringLiteral("@id"), QStringLiteral("#bioforge")},
                             {QStringLiteral("@type"), QStringLiteral("SoftwareApplication")},
                             {QStringLiteral("name"), QStringLiteral("BioForge Workbench")},
                             {QStringLiteral("version"), run.environment.value(QLatin1String("version")).toString()}});
    const QString pluginId = QStringLiteral("#plugin-") + run.pluginId;
    graph.append(QJsonObject{{QStringLiteral("@id"), pluginId}, {QStringLiteral("@type"), QStringLiteral("SoftwareApplication")},
                             {QStringLiteral("name"), run.pluginId}, {QStringLiteral("version"), run.pluginVersion}});
    const QString status = run.state == RunState::Finished ? QStringLiteral("http://schema.org/CompletedActionStatus")
                           : run.state == RunState::Failed ? QStringLiteral("http://schema.org/FailedActionStatus")
                                                           : QStringLiteral("http://schema.org/ActiveActionStatus");
    QJsonObject action{{QStringLiteral("@id"), QStringLiteral("#run-") + run.runId},
                       {QStringLiteral("@type"), QStringLiteral("CreateAction")},
                       {QStringLiteral("name"), run.title.isEmpty() ? run.pluginId + QLatin1Char(' ') + run.verb : run.title},
                       {QStringLiteral("instrument"), QJsonArray{ref(QStringLiteral("#bioforge")), ref(pluginId)}},
                       {QStringLiteral("object"), objects},
                       {QStringLiteral("result"), results},
                       {QStringLiteral("actionStatus"), ref(status)}};
    if (!parameters.isEmpty())
        action.insert(QStringLiteral("object_parameters"), parameters);
    if (run.startedAt.isValid())
        action.insert(QStringLiteral("startTime"), run.startedAt.toUTC().toString(Qt::ISODate));
    if (run.endedAt.isValid())
        action.insert(QStringLiteral("endTime"), run.endedAt.toUTC().toString(Qt::ISODate));
    if (!run.error.isEmpty())
        action.insert(QStringLiteral("error"), run.error);
    if (!run.parentRunId.isEmpty())
        action.insert(QStringLiteral("isBasedOn"), ref(QStringLiteral("#run-") + run.parentRunId));
    graph.append(action);
    graph.append(QJsonObject{{QStringLiteral("@id"), QStringLiteral("./")}, {QStringLiteral("@type"), QStringLiteral("Dataset")},
                             {QStringLiteral("name"), action.value(QLatin1String("name"))},
                             {QStringLiteral("hasPart"), parts},
                             {QStringLiteral("mentions"), ref(QStringLiteral("#run-") + run.runId)}});
    return {{QStringLiteral("@context"), QStringLiteral("https://w3id.org/ro/crate/1.1/context")},
            {QStringLiteral("@graph"), graph}};
}

} // namespace bioforge::core
