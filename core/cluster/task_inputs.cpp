#include "cluster/task_inputs.h"

#include "io/json_file.h"
#include "io/sha256.h"

#include <QFileInfo>
#include <QHash>

#include <utility>

namespace bioforge::core {

Status checkTaskInputsAgree(const QList<QList<FileRef>>& inputsByTask)
{
    QHash<QString, std::pair<QString, qsizetype>> first; // path -> the SHA-256 the first task to read it read, and that task
    for (qsizetype task = 0; task < inputsByTask.size(); ++task)
        for (const FileRef& in : inputsByTask[task]) {
            if (in.path.isEmpty())
                continue;
            const auto read = first.constFind(in.path);
            if (read == first.constEnd()) {
                first.insert(in.path, {in.sha256, task});
                continue;
            }
            if (read->first != in.sha256)
                return Error(QStringLiteral("the input %1 changed while the cluster's tasks ran: task %2 read SHA-256 %3…, task %4 %5…; start the run again")
                                 .arg(in.path, QString::number(read->second + 1), read->first.left(12), QString::number(task + 1), in.sha256.left(12)));
        }
    return okStatus();
}

QJsonObject plannedInput(const QString& path)
{
    const QFileInfo info(path);
    return {{QStringLiteral("path"), info.absoluteFilePath()},
            {QStringLiteral("size"), double(info.size())},
            {QStringLiteral("sha256"), Sha256::ofFile(path).valueOr(QString())}};
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
                                        "now): the planned shards would not cover it; restore it to resume the run, or start a new one")
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
