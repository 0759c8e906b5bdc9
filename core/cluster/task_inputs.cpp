#include "cluster/task_inputs.h"

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

} // namespace bioforge::core
