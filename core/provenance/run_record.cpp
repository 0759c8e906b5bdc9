#include "provenance/run_record.h"
#include "provenance/run_state_text.h"

#include "io/path_guard.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <array>

namespace bioforge::core {
namespace {

constexpr std::array<std::pair<RunState, const char*>, 7> kStates{{
    {RunState::Queued, "queued"},     {RunState::Running, "running"},   {RunState::Paused, "paused"},
    {RunState::Cancelled, "cancelled"}, {RunState::Finished, "finished"}, {RunState::Failed, "failed"},
    {RunState::Interrupted, "interrupted"},
}};

QString isoTime(const QDateTime& t) { return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString(); }
QDateTime parseTime(const QJsonValue& v) { return QDateTime::fromString(v.toString(), Qt::ISODateWithMs); }

} // namespace

QJsonArray filesToJson(const QList<FileRef>& files)
{
    QJsonArray out;
    for (const FileRef& f : files)
        out.append(QJsonObject{{QStringLiteral("name"), f.name}, {QStringLiteral("path"), f.path},
                               {QStringLiteral("sha256"), f.sha256}, {QStringLiteral("size"), double(f.size)}});
    return out;
}

QList<FileRef> filesFromJson(const QJsonValue& v)
{
    QList<FileRef> out;
    for (const QJsonValue& e : v.toArray()) {
        const QJsonObject o = e.toObject();
        out.append({o.value(QLatin1String("name")).toString(), o.value(QLatin1String("path")).toString(),
                    o.value(QLatin1String("sha256")).toString(), o.value(QLatin1String("size")).toInteger()});
    }
    return out;
}

QString runStateName(RunState state)
{
    for (const auto& [s, name] : kStates)
        if (s == state)
            return QString::fromLatin1(name);
    return QStringLiteral("unknown");
}

QString whichRunState(RunState state)
{
    switch (state) {
    case RunState::Failed: return QStringLiteral("which failed");
    case RunState::Finished: return QStringLiteral("which finished");
    case RunState::Cancelled: return QStringLiteral("which was cancelled");
    case RunState::Interrupted: return QStringLiteral("which was interrupted");
    default: return QStringLiteral("which is ") + runStateName(state);
    }
}

std::optional<RunState> runStateFromName(const QString& name)
{
    for (const auto& [s, n] : kStates)
        if (name == QLatin1String(n))
            return s;
    return std::nullopt;
}

bool runStateIsFinal(RunState state)
{
    return state == RunState::Cancelled || state == RunState::Finished || state == RunState::Failed;
}

bool runStateIsResumable(RunState state)
{
    return state == RunState::Paused || state == RunState::Interrupted || state == RunState::Failed;
}

bool RunRecord::resumable() const
{
    return runStateIsResumable(state) && !failedOnInput();
}

QJsonObject RunRecord::toJson() const
{
    QJsonArray models;
    for (const ModelRef& m : this->models) {
        QJsonObject model{{QStringLiteral("name"), m.name}, {QStringLiteral("revision"), m.revision}, {QStringLiteral("sha256"), m.sha256}, {QStringLiteral("path"), m.path}};
        if (!m.files.isEmpty())
            model.insert(QStringLiteral("files"), filesToJson(m.files));
        if (!m.role.isEmpty())
            model.insert(QStringLiteral("role"), m.role);
        if (m.size > 0)
            model.insert(QStringLiteral("size"), m.size);
        models.append(model);
    }
    QJsonObject json{
        {QStringLiteral("schema"), QStringLiteral("bioforge-run-record/1")},
        {QStringLiteral("runId"), runId},
        {QStringLiteral("title"), title},
        {QStringLiteral("plugin"), QJsonObject{{QStringLiteral("id"), pluginId}, {QStringLiteral("version"), pluginVersion}}},
        {QStringLiteral("verb"), verb},
        {QStringLiteral("parameters"), parameters},
        {QStringLiteral("state"), runStateName(state)},
        {QStringLiteral("error"), error},
        {QStringLiteral("parentRunId"), parentRunId},
        {QStringLiteral("checkpointId"), checkpointId},
        {QStringLiteral("createdAt"), isoTime(createdAt)},
        {QStringLiteral("startedAt"), isoTime(startedAt)},
        {QStringLiteral("endedAt"), isoTime(endedAt)},
        {QStringLiteral("inputs"), filesToJson(inputs)},
        {QStringLiteral("models"), models},
        {QStringLiteral("outputs"), filesToJson(outputs)},
        {QStringLiteral("environment"), environment},
        {QStringLiteral("device"), device},
        {QStringLiteral("libraries"), libraries},
        {QStringLiteral("warningCount"), warningCount},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)},
    };
    if (!cluster.isEmpty())
        json.insert(QStringLiteral("cluster"), cluster);
    if (newRunNeeded)
        json.insert(QStringLiteral("newRunNeeded"), true);
    return json;
}

Expected<RunRecord> RunRecord::fromJson(const QJsonObject& json)
{
    if (json.value(QLatin1String("schema")).toString() != QLatin1String("bioforge-run-record/1"))
        return Error(QStringLiteral("run record: unknown schema '%1', expected bioforge-run-record/1")
                         .arg(json.value(QLatin1String("schema")).toString()));
    RunRecord r;
    r.runId = json.value(QLatin1String("runId")).toString();
    if (r.runId.isEmpty())
        return Error(QStringLiteral("run record: missing runId"));
    r.title = json.value(QLatin1String("title")).toString();
    const QJsonObject plugin = json.value(QLatin1String("plugin")).toObject();
    r.pluginId = plugin.value(QLatin1String("id")).toString();
    r.pluginVersion = plugin.value(QLatin1String("version")).toString();
    r.verb = json.value(QLatin1String("verb")).toString();
    r.parameters = json.value(QLatin1String("parameters")).toObject();
    const auto state = runStateFromName(json.value(QLatin1String("state")).toString());
    if (!state)
        return Error(QStringLiteral("run record %1: unknown state '%2'").arg(r.runId, json.value(QLatin1String("state")).toString()));
    r.state = *state;
    r.error = json.value(QLatin1String("error")).toString();
    r.newRunNeeded = json.value(QLatin1String("newRunNeeded")).toBool();
    r.parentRunId = json.value(QLatin1String("parentRunId")).toString();
    r.checkpointId = json.value(QLatin1String("checkpointId")).toString();
    r.createdAt = parseTime(json.value(QLatin1String("createdAt")));
    r.startedAt = parseTime(json.value(QLatin1String("startedAt")));
    r.endedAt = parseTime(json.value(QLatin1String("endedAt")));
    r.inputs = filesFromJson(json.value(QLatin1String("inputs")));
    r.outputs = filesFromJson(json.value(QLatin1String("outputs")));
    for (const QJsonValue& v : json.value(QLatin1String("models")).toArray()) {
        const QJsonObject o = v.toObject();
        r.models.append({o.value(QLatin1String("name")).toString(), o.value(QLatin1String("revision")).toString(),
                         o.value(QLatin1String("sha256")).toString(), o.value(QLatin1String("path")).toString(), filesFromJson(o.value(QLatin1String("files"))),
                         o.value(QLatin1String("role")).toString(), o.value(QLatin1String("size")).toInteger()});
    }
    r.environment = json.value(QLatin1String("environment")).toObject();
    r.device = json.value(QLatin1String("device")).toObject();
    r.libraries = json.value(QLatin1String("libraries")).toObject();
    r.cluster = json.value(QLatin1String("cluster")).toObject();
    for (const QJsonValue& w : json.value(QLatin1String("warnings")).toArray())
        r.warnings << w.toString();
    r.warningCount = std::max(json.value(QLatin1String("warningCount")).toInt(), int(r.warnings.size()));
    // Ids become folder names (runs/<id>, checkpoints/<id>): a record from a copied or edited database must not lead elsewhere.
    for (const auto& [what, id] : {std::pair{"runId", r.runId}, {"parentRunId", r.parentRunId}, {"checkpointId", r.checkpointId}})
        if (!id.isEmpty())
            if (Status st = PathGuard::checkName(id, QLatin1String(what)); !st)
                return st.error().withContext(QStringLiteral("run record"));
    return r;
}

const RunRecord* continuationOf(const QList<RunRecord>& all, const QString& runId)
{
    const auto it = std::find_if(all.begin(), all.end(), [&](const RunRecord& r) { return r.parentRunId == runId; });
    return it == all.end() ? nullptr : &*it;
}

const RunRecord* lastContinuationOf(const QList<RunRecord>& all, const QString& runId)
{
    const RunRecord* last = nullptr;
    QString parent = runId;
    for (qsizetype step = 0; step < all.size(); ++step) {
        const RunRecord* next = continuationOf(all, parent);
        if (!next)
            break;
        last = next;
        parent = next->runId;
    }
    return last;
}

QList<const RunRecord*> chainUpTo(const QList<RunRecord>& all, const QString& runId)
{
    const auto byId = [&](const QString& id) -> const RunRecord* {
        const auto it = std::find_if(all.begin(), all.end(), [&](const RunRecord& r) { return r.runId == id; });
        return it == all.end() ? nullptr : &*it;
    };
    QList<const RunRecord*> chain;
    QSet<QString> seen;
    for (const RunRecord* leg = byId(runId); leg && !seen.contains(leg->runId); leg = leg->parentRunId.isEmpty() ? nullptr : byId(leg->parentRunId)) {
        seen.insert(leg->runId);
        chain.prepend(leg);
    }
    return chain;
}

QList<const RunRecord*> runsOfChain(const QList<RunRecord>& all, const QString& runId)
{
    QList<const RunRecord*> chain = chainUpTo(all, runId);
    if (chain.isEmpty())
        return chain;
    chain = {chain.first()}; // from the first run, every continuation of each run met
    QSet<QString> seen{chain.first()->runId};
    for (qsizetype i = 0; i < chain.size(); ++i)
        for (const RunRecord& r : all)
            if (r.parentRunId == chain[i]->runId && !seen.contains(r.runId)) {
                seen.insert(r.runId);
                chain.append(&r);
            }
    return chain;
}

} // namespace bioforge::core
