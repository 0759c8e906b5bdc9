#include "jobs/input_pins.h"

#include "checkpoint/checkpoint_store.h"
#include "io/sha256.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QFileInfo>
#include <QJsonArray>

namespace bioforge::core {

void pinInputs(JobContext& ctx, const QStringList& files)
{
    if (files.isEmpty())
        return;
    CheckpointStore& store = ctx.checkpoints();
    QHash<QString, QString> pinned; // path -> SHA-256 when the run first started
    const std::optional<LoadedCheckpoint> previous = store.loadOrDiscard(QLatin1String(kInputPinsKey));
    if (previous)
        for (const QJsonValue& v : previous->state.value(QLatin1String("files")).toArray())
            pinned.insert(v[QLatin1String("path")].toString(), v[QLatin1String("sha256")].toString());
    ctx.setMessage(files.size() == 1 ? QStringLiteral("checking the input %1").arg(files.first())
                                     : QStringLiteral("checking the %1 input files").arg(files.size()));
    QJsonArray entries;
    for (const QString& path : files) {
        const QFileInfo info(path);
        if (!info.isFile())
            throw JobFailure(previous ? QStringLiteral("the input %1 is gone since this run began; it cannot be resumed without it").arg(path)
                                      : QStringLiteral("%1: not a file").arg(path));
        const QDateTime modified = info.lastModified();
        const QString sha = orThrow(Sha256::ofFile(path));
        if (previous) {
            const QString then = pinned.value(path);
            if (then.isEmpty())
                throw JobFailure(QStringLiteral("the input %1 was not among this run's inputs when it began; start a new run").arg(path));
            if (then != sha)
                throw JobFailure(QStringLiteral("the input %1 changed since this run began (SHA-256 %2… then, %3… now): what the run has "
                                                "computed so far came from the old content, so it cannot go on with the new. Start a "
                                                "new run on it (or restore the file to resume this one)")
                                     .arg(path, then.left(12), sha.left(12)));
        }
        ctx.provenance().knownDigest(info.absoluteFilePath(), sha, info.size(), modified);
        entries.append(QJsonObject{{QStringLiteral("path"), path}, {QStringLiteral("sha256"), sha}, {QStringLiteral("bytes"), double(info.size())}});
    }
    if (!previous)
        orThrow(store.save(QLatin1String(kInputPinsKey), {{QStringLiteral("files"), entries}}));
}

} // namespace bioforge::core
