#include "jobs/input_pins.h"

#include "checkpoint/checkpoint_store.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "io/sha256.h"
#include "provenance/provenance_recorder.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QLocale>

#include <optional>

namespace bioforge::core {

namespace {

// Checkpoints besides the progress a pause keeps (job_context.h): work a job saved.
bool holdsWork(const CheckpointStore& store)
{
    QStringList keys = store.keys();
    keys.removeAll(QLatin1String(JobContext::kResumeProgressKey));
    return !keys.isEmpty();
}

// The SHA-256 of `path`; nullopt when the run was asked to stop meanwhile. `done` and `total`:
// bytes of every input, for the message.
std::optional<QString> hashFile(JobContext& ctx, const QString& path, qint64& done, qint64 total)
{
    const qint64 before = done;
    qint64 lastMessage = before;
    auto sha = Sha256::ofFile(path, [&](qint64 read) {
        done = before + read;
        if (done - lastMessage >= (qint64(64) << 20) && total > 0) {
            lastMessage = done;
            ctx.setMessage(QStringLiteral("checking the inputs: %1 % of %2").arg(100 * done / total).arg(QLocale::c().formattedDataSize(total)));
        }
        return !ctx.stopRequested();
    });
    if (!sha && ctx.stopRequested())
        return std::nullopt;
    if (!sha)
        throw JobFailure(sha.error());
    return *sha;
}

} // namespace

bool pinInputs(JobContext& ctx, const QStringList& files, bool resuming, const QHash<QString, QString>& recorded, const QHash<QString, QString>& movedFrom)
{
    if (files.isEmpty())
        return true;
    CheckpointStore& store = ctx.checkpoints();
    const QString key = QLatin1String(kInputPinsKey);
    QHash<QString, QString> pinned; // path -> SHA-256 when the run first started
    bool havePins = false;
    QString unchecked; // why a resumed run's inputs cannot be checked
    if (store.hasManifest(key)) {
        if (auto loaded = store.load(key)) {
            havePins = true;
            for (const QJsonValue& v : loaded->state.value(QLatin1String("files")).toArray())
                pinned.insert(v[QLatin1String("path")].toString(), v[QLatin1String("sha256")].toString());
        } else {
            unchecked = QStringLiteral("its input pins are damaged: %1").arg(loaded.error().message());
        }
    } else if (resuming && holdsWork(store)) {
        unchecked = QStringLiteral("it began before runs pinned their inputs");
    }
    // No pins, on a resume: the record of the run it continues holds its inputs' SHA-256 (a pins or
    // checkpoint folder deleted or damaged must not let a changed input through unsaid).
    const bool fromRecord = !havePins && resuming && !recorded.isEmpty();
    if (fromRecord) {
        pinned = recorded;
        unchecked.clear();
    }
    qint64 total = 0, done = 0;
    for (const QString& path : files)
        total += QFileInfo(path).size();
    ctx.setMessage(files.size() == 1 ? QStringLiteral("checking the input %1").arg(files.first())
                                     : QStringLiteral("checking the %1 input files").arg(files.size()));
    QJsonArray entries;
    for (const QString& path : files) {
        const QFileInfo info(path);
        if (!info.isFile())
            throw JobFailure(havePins || fromRecord ? QStringLiteral("the input %1 is gone since this run began; it cannot be resumed without it").arg(path)
                             : QFileInfo(path).isRelative()
                                 ? QStringLiteral("%1: not a file here (the run recorded its inputs as typed: resume it from the folder it was started in)").arg(path)
                                 : QStringLiteral("%1: not a file").arg(path));
        const QDateTime modified = info.lastModified();
        const std::optional<QString> sha = hashFile(ctx, path, done, total);
        if (!sha)
            return false;
        if (havePins || fromRecord) {
            // (A record lists the inputs its run named, by absolute path; a file it does not list is not checked.)
            const QString pinnedAt = movedFrom.value(path, path); // a moved input's pin is at the path it began with
            const QString then = fromRecord ? pinned.value(movedFrom.value(path, info.absoluteFilePath())) : pinned.value(pinnedAt);
            if (then.isEmpty() && !fromRecord)
                throw JobFailure::needingNewRun(QStringLiteral("the input %1 was not among this run's inputs when it began; start a new run").arg(path));
            if (!then.isEmpty() && then != *sha)
                throw JobFailure(QStringLiteral("the input %1 changed since this run began (SHA-256 %2… then, %3… now): what the run has "
                                                "computed so far came from the old content, so it cannot go on with the new. Start a "
                                                "new run on it (or restore the file to resume this one)")
                                     .arg(path, then.left(12), sha->left(12)));
        }
        ctx.provenance().knownDigest(info.absoluteFilePath(), *sha, info.size(), modified);
        entries.append(QJsonObject{{QStringLiteral("path"), path}, {QStringLiteral("sha256"), *sha}, {QStringLiteral("bytes"), double(info.size())}});
    }
    for (const QString& path : files)
        if (movedFrom.contains(path))
            ctx.warn(QStringLiteral("the input %1 moved to %2 since this run began; its SHA-256 is the one it began with").arg(movedFrom.value(path), path));
    if (!havePins || !movedFrom.isEmpty()) { // moved: the pins follow, for the next resume
        orThrow(store.save(key, {{QStringLiteral("files"), entries}}));
        if (!unchecked.isEmpty())
            ctx.warn(QStringLiteral("this run's inputs could not be checked against its first start (%1): they are pinned as they are now; "
                                    "if one was edited since the run began, its results mix both versions — start a new run to be sure")
                         .arg(unchecked));
    }
    return true;
}

} // namespace bioforge::core
