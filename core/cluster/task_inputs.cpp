#include "cluster/task_inputs.h"

#include "io/json_file.h"
#include "io/sha256.h"
#include "provenance/provenance_recorder.h"

#include <QFileInfo>
#include <QHash>

#include <utility>

namespace bioforge::core {

namespace {

// `byTask[i]`: what task i read, as (name, SHA-256) pairs; `what` names the kind ("input", "model").
Status checkTasksAgree(const QList<QList<std::pair<QString, QString>>>& byTask, const QString& what)
{
    QHash<QString, std::pair<QString, qsizetype>> first; // name -> the SHA-256 the first task to read it read, and that task
    for (qsizetype task = 0; task < byTask.size(); ++task)
        for (const auto& [name, sha256] : byTask[task]) {
            if (name.isEmpty())
                continue;
            const auto read = first.constFind(name);
            if (read == first.constEnd()) {
                first.insert(name, {sha256, task});
                continue;
            }
            if (read->first != sha256)
                return Error(QStringLiteral("the %1 %2 changed while the cluster's tasks ran: task %3 read SHA-256 %4…, task %5 %6…; start the run again")
                                 .arg(what, name, QString::number(read->second + 1), read->first.left(12), QString::number(task + 1), sha256.left(12)));
        }
    return okStatus();
}

// Each task's (`key` of a record, its SHA-256) pairs.
template <typename Ref>
QList<QList<std::pair<QString, QString>>> digestsByTask(const QList<QList<Ref>>& byTask, QString Ref::*key)
{
    QList<QList<std::pair<QString, QString>>> out;
    for (const QList<Ref>& refs : byTask) {
        out.emplaceBack();
        for (const Ref& r : refs)
            out.back().append({r.*key, r.sha256});
    }
    return out;
}

} // namespace

Status checkTaskInputsAgree(const QList<QList<FileRef>>& inputsByTask)
{
    return checkTasksAgree(digestsByTask(inputsByTask, &FileRef::path), QStringLiteral("input"));
}

Status checkTaskModelsAgree(const QList<QList<ModelRef>>& modelsByTask)
{
    return checkTasksAgree(digestsByTask(modelsByTask, &ModelRef::name), QStringLiteral("model"));
}

QJsonObject plannedInput(const QString& path, const ProvenanceRecorder* known)
{
    const QFileInfo info(path);
    const QString sha256 = known ? known->knownSha256(path) : QString();
    return {{QStringLiteral("path"), info.absoluteFilePath()},
            {QStringLiteral("size"), double(info.size())},
            {QStringLiteral("sha256"), sha256.isEmpty() ? Sha256::ofFile(path).valueOr(QString()) : sha256}};
}

Status checkInputsUnchangedSincePlan(const QJsonArray& planned, const QJsonArray& now, const QString& planFile)
{
    for (const QJsonValue& p : planned)
        for (const QJsonValue& n : now) {
            const QJsonObject was = p.toObject(), is = n.toObject();
            if (was.value(QLatin1String("path")) != is.value(QLatin1String("path")) || !was.contains(QLatin1String("sha256"))
                || was.value(QLatin1String("sha256")) == is.value(QLatin1String("sha256")))
                continue;
            const QString path = is.value(QLatin1String("path")).toString();
            if (!QFileInfo::exists(path))
                return Error(QStringLiteral("the input %1 is gone since the run was planned (%2): put it back to resume the run, or start a new one")
                                 .arg(path, planFile));
            if (is.value(QLatin1String("sha256")).toString().isEmpty())
                return Error(QStringLiteral("the input %1 cannot be read now (this user's permissions, or the file system): its checksum cannot be "
                                            "compared with the one %2 was made from").arg(path, planFile));
            return Error(QStringLiteral("the input %1 changed after the run was planned (%2 was made from SHA-256 %3…, %4 bytes; it is %5…, %6 bytes "
                                        "now): the shards were planned, and tasks may have computed, from its earlier content; restore it to resume the run, or start a new one")
                             .arg(path, planFile, was.value(QLatin1String("sha256")).toString().left(12),
                                  QString::number(qint64(was.value(QLatin1String("size")).toDouble())), is.value(QLatin1String("sha256")).toString().left(12),
                                  QString::number(qint64(is.value(QLatin1String("size")).toDouble()))));
        }
    return okStatus();
}

QJsonObject planLayout(QJsonObject madeFrom)
{
    madeFrom.remove(QStringLiteral("models"));
    QJsonArray inputs;
    for (const QJsonValue& v : madeFrom.value(QLatin1String("inputs")).toArray()) {
        QJsonObject input = v.toObject();
        input.remove(QStringLiteral("sha256"));
        inputs.append(input);
    }
    if (madeFrom.contains(QLatin1String("inputs")))
        madeFrom.insert(QStringLiteral("inputs"), inputs);
    return madeFrom;
}

Status checkPlannedInputsUnchanged(const QString& planFile)
{
    auto plan = readJsonObjectFile(planFile, qint64(256) << 20);
    if (!plan)
        return plan.error();
    const QJsonArray planned = plan->value(QLatin1String("made_from")).toObject().value(QLatin1String("inputs")).toArray();
    QJsonArray now;
    for (const QJsonValue& input : planned)
        now.append(plannedInput(input.toObject().value(QLatin1String("path")).toString()));
    return checkInputsUnchangedSincePlan(planned, now, planFile);
}

} // namespace bioforge::core
