#include "jobs/input_pins.h"

#include "checkpoint/checkpoint_store.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "io/sha256.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
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

bool pinInputs(JobContext& ctx, const QStringList& files, bool resuming, const QHash<QString, QString>& recorded,
               const QHash<QString, QString>& movedFrom, QList<FileRef>* newlyPinned)
{
    if (files.isEmpty())
        return true;
    CheckpointStore& store = ctx.checkpoints();
    const QString key = QLatin1String(kInputPinsKey);
    // Paths compared as cleaned ("/data//x.fa" is "/data/x.fa": a relocation names the clean one).
    const auto clean = [](const QString& path) { return QDir::cleanPath(path); };
    QHash<QString, QString> moved; // clean path now -> clean path the run began with
    for (auto it = movedFrom.cbegin(); it != movedFrom.cend(); ++it)
        moved.insert(clean(it.key()), clean(it.value()));
    // A file found elsewhere with nothing to check it against is not taken (review 66 R66-3).
    const auto unverifiable = [&](const QString& path) {
        return JobFailure(QStringLiteral("the input %1 was found at %2, but no SHA-256 of it was kept when the run began, so it cannot be told to "
                                         "be the same file: put it back at %1 and resume, or start a new run")
                              .arg(moved.value(clean(path)), path));
    };
    QHash<QString, QString> pinned; // clean path -> SHA-256 when the run first started
    bool havePins = false;
    QString unchecked; // why a resumed run's inputs cannot be checked
    if (store.hasManifest(key)) {
        if (auto loaded = store.load(key)) {
            havePins = true;
            QJsonArray files = loaded->state.value(QLatin1String("files")).toArray();
            for (const QJsonValue& v : std::as_const(files))
                pinned.insert(clean(v[QLatin1String("path")].toString()), v[QLatin1String("sha256")].toString());
            // Moved inputs: the pins follow them before anything is hashed, so a continuation stopped
            // during the check (a pause, a kill) finds them at the new paths (review 66 R66-1).
            if (!moved.isEmpty()) {
                QHash<QString, QString> newPlace; // clean old path -> new path
                for (auto it = moved.cbegin(); it != moved.cend(); ++it)
                    newPlace.insert(it.value(), it.key());
                for (qsizetype i = 0; i < files.size(); ++i) {
                    QJsonObject entry = files[i].toObject();
                    const QString was = clean(entry.value(QLatin1String("path")).toString());
                    if (!newPlace.contains(was))
                        continue;
                    entry.insert(QStringLiteral("path"), newPlace.value(was));
                    files[i] = entry;
                    pinned.insert(newPlace.value(was), pinned.value(was));
                }
                QJsonObject state = loaded->state;
                state.insert(QStringLiteral("files"), files);
                orThrow(store.save(key, state));
            }
        } else {
            unchecked = QStringLiteral("its input pins are damaged: %1").arg(loaded.error().message());
        }
    } else if (resuming && holdsWork(store)) {
        unchecked = QStringLiteral("its input pins are missing: deleted, or it began before runs pinned their inputs");
    }
    // No pins, on a resume: the record of the run it continues holds its inputs' SHA-256 (a pins or
    // checkpoint folder deleted or damaged must not let a changed input through unsaid).
    const bool fromRecord = !havePins && resuming && !recorded.isEmpty();
    if (fromRecord) {
        pinned.clear();
        for (auto it = recorded.cbegin(); it != recorded.cend(); ++it)
            pinned.insert(clean(it.key()), it.value());
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
        if (!havePins && !fromRecord && moved.contains(clean(path)))
            throw unverifiable(path);
        const QDateTime modified = info.lastModified();
        const std::optional<QString> sha = hashFile(ctx, path, done, total);
        if (!sha)
            return false;
        if (havePins || fromRecord) {
            // (A record lists the inputs its run named, by absolute path; a file it does not list is not checked.)
            // A moved input's pin: at its new path (moved above), else the record's at its old one.
            const QString at = fromRecord ? clean(info.absoluteFilePath()) : clean(path);
            QString then = pinned.value(at);
            if (then.isEmpty() && moved.contains(at))
                then = pinned.value(moved.value(at));
            if (then.isEmpty() && moved.contains(at))
                throw unverifiable(path);
            if (then.isEmpty() && !fromRecord)
                throw JobFailure::needingNewRun(QStringLiteral("the input %1 was not among this run's inputs when it began; start a new run").arg(path));
            if (!then.isEmpty() && then != *sha)
                throw JobFailure(QStringLiteral("the input %1 changed since this run began (SHA-256 %2… then, %3… now): what the run has "
                                                "computed so far came from the old content, so it cannot go on with the new. Start a "
                                                "new run on it (or restore the file to resume this one)")
                                     .arg(path, then.left(12), sha->left(12)));
        }
        ctx.provenance().knownDigest(info.absoluteFilePath(), *sha, info.size(), modified);
        if (newlyPinned && !havePins)
            newlyPinned->append({QStringLiteral("input (pinned when the run began)"), info.absoluteFilePath(), *sha, info.size()});
        entries.append(QJsonObject{{QStringLiteral("path"), path}, {QStringLiteral("sha256"), *sha}, {QStringLiteral("bytes"), double(info.size())}});
    }
    for (const QString& path : files)
        if (moved.contains(clean(path)) && (havePins || fromRecord))
            ctx.warn(QStringLiteral("the input %1 moved to %2 since this run began; its SHA-256 is the one it began with").arg(moved.value(clean(path)), path));
    ctx.setMessage({});
    if (!havePins) {
        orThrow(store.save(key, {{QStringLiteral("files"), entries}}));
        if (!unchecked.isEmpty())
            ctx.warn(QStringLiteral("this run's inputs could not be checked against its first start (%1): they are pinned as they are now; "
                                    "if one was edited since the run began, its results mix both versions — start a new run to be sure")
                         .arg(unchecked));
    }
    return true;
}

} // namespace bioforge::core
