#include "models/model_downloader.h"

#include "io/atomic_file.h"
#include "io/json_file.h"
#include "io/path_guard.h"
#include "io/sha256.h"
#include "log/log.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace bioforge::core {

namespace {

// What a failed or stopped attempt leaves for the next one.
QString keptForResuming(const QString& part)
{
    const qint64 kept = QFileInfo(part).size();
    return kept > 0 ? QStringLiteral("%1 bytes kept for resuming").arg(kept) : QStringLiteral("nothing received yet");
}

// Why a reply failed, in words: the transfer timeout aborts the reply, which Qt reports as
// "Operation canceled" (a cancel nobody asked for); said as what it is, naming the host that was
// asked last (after redirects: a model host's CDN) and whether it had answered at all.
QString failureOf(const QNetworkReply& reply, qint64 received, int timeoutMs, bool stopped)
{
    const QUrl url = reply.url();
    const QString name = url.host().contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(url.host()) : url.host(); // IPv6 in brackets
    const QString host = url.port() >= 0 ? QStringLiteral("%1:%2").arg(name).arg(url.port()) : name;
    const QString seconds = QString::number(timeoutMs / 1000.0, 'g', 4);
    const bool answered = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() > 0;
    if (reply.error() == QNetworkReply::TimeoutError)
        return QStringLiteral("could not connect to %1 (timed out)").arg(host);
    if (reply.error() != QNetworkReply::OperationCanceledError || stopped)
        return reply.errorString();
    if (received > 0)
        return QStringLiteral("no data from %1 for %2 s after %3 bytes").arg(host, seconds, QString::number(received));
    return answered ? QStringLiteral("%1 answered but sent no data within %2 s").arg(host, seconds)
                    : QStringLiteral("no answer from %1 within %2 s").arg(host, seconds);
}

} // namespace

Status ModelDownloader::download(const QList<DownloadItem>& items, const Progress& progress, const StopCheck& stop)
{
    m_requests = 0;
    m_resumed = 0;
    m_downloaded.clear();
    qint64 total = 0;
    for (const DownloadItem& item : items) {
        if (item.sha256.size() != 64 && !item.serverSizeOnly)
            return Error(QStringLiteral("%1: a SHA-256 (64 hex digits) is required to download it").arg(item.url.toString()));
        total += qMax<qint64>(0, item.size);
    }
    qint64 done = 0;
    for (const DownloadItem& item : items) {
        if (Status st = downloadOne(item, done, total, progress, stop); !st) {
            if (auto target = PathGuard::resolveInside(m_targetDir, item.relativePath); target && QFileInfo(*target + QStringLiteral(".part")).size() == 0) {
                QFile::remove(*target + QStringLiteral(".part")); // nothing to resume from
                QFile::remove(*target + QStringLiteral(".part.json"));
            }
            return st;
        }
        done += QFileInfo(QDir(m_targetDir).filePath(item.relativePath)).size();
    }
    return okStatus();
}

bool ModelDownloader::isWorkFile(const QString& path)
{
    return path.endsWith(QLatin1String(".part")) || path.endsWith(QLatin1String(".part.json")) || path.endsWith(QLatin1String(".download.json"));
}

Status ModelDownloader::downloadOne(const DownloadItem& item, qint64 doneBefore, qint64 total, const Progress& progress,
                                    const StopCheck& stop)
{
    auto target = PathGuard::resolveInside(m_targetDir, item.relativePath);
    if (!target)
        return target.error();
    if (!QDir().mkpath(QFileInfo(*target).absolutePath()))
        return Error(QStringLiteral("%1: cannot create folder").arg(*target));
    const QString sidecar = *target + QStringLiteral(".download.json");
    // Already complete and verified: nothing to do; or, to revalidate, the download below asks for
    // the file only if it changed (If-None-Match / If-Modified-Since: one request either way).
    QJsonObject copy; // the sidecar of the copy kept, while the server is asked about it
    auto useCopy = [&](const QString& note) {
        m_downloaded.append({*target, QFileInfo(*target).size(), copy.value(QLatin1String("sha256")).toString(), copy.value(QLatin1String("etag")).toString(),
                             QDateTime::fromString(copy.value(QLatin1String("last_modified")).toString(), Qt::ISODate), true, note});
        return okStatus();
    };
    if (QFileInfo::exists(*target)) {
        if (item.serverSizeOnly) {
            const QJsonObject meta = readJsonObjectFile(sidecar).valueOr({});
            if (meta.value(QLatin1String("url")).toString() == item.url.toString()
                && meta.value(QLatin1String("size")).toInteger(-1) == QFileInfo(*target).size()) {
                copy = meta;
                if (!item.revalidate)
                    return useCopy({});
            }
        } else if (auto sha = Sha256::ofFile(*target); sha && *sha == item.sha256) {
            m_downloaded.append({*target, QFileInfo(*target).size(), *sha, {}, {}, true});
            return okStatus();
        }
    }
    const QString part = *target + QStringLiteral(".part");
    const QString partMeta = part + QStringLiteral(".json"); // the validator of the bytes in the .part file
    QJsonObject validator = readJsonObjectFile(partMeta).valueOr({});
    if (!QFileInfo::exists(part) || validator.value(QLatin1String("url")).toString() != item.url.toString())
        validator = {};
    qint64 declaredTotal = -1;
    QNetworkAccessManager network;
    QString lastError;
    for (int attempt = 1; attempt <= m_maxAttempts; ++attempt) {
        if (stop && stop())
            return Error(QStringLiteral("%1: download stopped; %2").arg(item.url.toString(), keptForResuming(part)));
        const qint64 offset = QFileInfo::exists(part) ? QFileInfo(part).size() : 0;
        if (item.size >= 0 && offset == item.size)
            break; // complete, verify below
        QNetworkRequest request(item.url);
        request.setTransferTimeout(m_transferTimeoutMs);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        // The copy kept, revalidated: its version is sent; 304 means it is current. (A part file of a
        // newer version goes on instead, If-Range deciding.)
        const bool conditional = !copy.isEmpty() && offset == 0;
        if (conditional) {
            const QString etag = copy.value(QLatin1String("etag")).toString();
            const QDateTime modified = QDateTime::fromString(copy.value(QLatin1String("last_modified")).toString(), Qt::ISODate);
            if (!etag.isEmpty())
                request.setRawHeader("If-None-Match", etag.toLatin1());
            else if (modified.isValid()) // RFC 9110 §5.6.7 IMF-fixdate
                request.setRawHeader("If-Modified-Since", QLocale::c().toString(modified.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1());
        }
        if (offset > 0) {
            request.setRawHeader("Range", "bytes=" + QByteArray::number(offset) + '-');
            // Only the same file continues: a changed one comes back whole (200).
            const QString etag = validator.value(QLatin1String("etag")).toString();
            const QString modified = validator.value(QLatin1String("last_modified_http")).toString();
            if (!etag.isEmpty())
                request.setRawHeader("If-Range", etag.toLatin1());
            else if (!modified.isEmpty())
                request.setRawHeader("If-Range", modified.toLatin1());
            ++m_resumed;
        }
        ++m_requests;
        QFile out(part);
        if (!out.open(QIODevice::ReadWrite))
            return Error(QStringLiteral("%1: cannot write: %2").arg(part, out.errorString()));
        out.seek(offset);
        QNetworkReply* reply = network.get(request);
        bool headerChecked = false;
        qint64 received = 0;
        bool rangeUnsatisfiable = false;
        QString writeError;
        QEventLoop loop;
        QTimer stopPoll;
        QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray chunk = reply->readAll();
            if (status != 200 && status != 206)
                return; // an error page is never written into the file
            if (!headerChecked) {
                headerChecked = true;
                if (offset > 0 && status == 200) { // the server ignored Range (or the file changed): start over
                    out.resize(0);
                    out.seek(0);
                }
                // The size the server declares for the whole file, and what identifies this version of it.
                if (status == 206) {
                    const QByteArray range = reply->rawHeader("Content-Range"); // bytes a-b/total
                    bool ok = false;
                    const qint64 t = range.mid(range.lastIndexOf('/') + 1).toLongLong(&ok);
                    declaredTotal = ok ? t : -1;
                } else {
                    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
                    declaredTotal = length.isValid() ? length.toLongLong() : -1;
                }
                if (status == 200 || validator.isEmpty()) {
                    validator = QJsonObject{{QStringLiteral("url"), item.url.toString()},
                                            {QStringLiteral("etag"), QString::fromLatin1(reply->rawHeader("ETag"))},
                                            {QStringLiteral("last_modified_http"), QString::fromLatin1(reply->rawHeader("Last-Modified"))},
                                            {QStringLiteral("last_modified"), reply->header(QNetworkRequest::LastModifiedHeader).toDateTime().toUTC().toString(Qt::ISODate)}};
                    if (item.serverSizeOnly)
                        (void)AtomicFile::write(partMeta, QJsonDocument(validator).toJson(QJsonDocument::Compact));
                }
            }
            received += chunk.size();
            if (out.write(chunk) != chunk.size()) {
                writeError = AtomicFile::failureReason(out);
                reply->abort();
            }
            if (progress)
                progress(doneBefore + out.pos(), qMax(total, doneBefore + out.pos()));
        });
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QObject::connect(&stopPoll, &QTimer::timeout, &loop, [&] {
            if (stop && stop())
                reply->abort();
        });
        stopPoll.start(100);
        loop.exec();
        stopPoll.stop();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        rangeUnsatisfiable = status == 416;
        if (rangeUnsatisfiable) { // "bytes */total": the whole file's size
            const QByteArray range = reply->rawHeader("Content-Range");
            bool ok = false;
            const qint64 t = range.mid(range.lastIndexOf('/') + 1).toLongLong(&ok);
            if (ok)
                declaredTotal = t;
        }
        const QNetworkReply::NetworkError netError = reply->error();
        lastError = failureOf(*reply, received, m_transferTimeoutMs, !writeError.isEmpty() || (stop && stop()));
        const QVariant contentLength = reply->header(QNetworkRequest::ContentLengthHeader);
        // A connection closed early can look like a clean end: trust the byte count, not the status.
        // (Only of a body that is the file: an error page's length says nothing of the download.)
        const bool shortBody = (status == 200 || status == 206) && contentLength.isValid() && received < contentLength.toLongLong();
        if (shortBody && netError != QNetworkReply::OperationCanceledError) // not the timeout's own abort (said above)
            lastError = QStringLiteral("connection closed after %1 of %2 bytes").arg(QString::number(received), QString::number(contentLength.toLongLong()));
        reply->deleteLater();
        out.flush();
        out.close();
        if (!writeError.isEmpty())
            return Error(QStringLiteral("%1: write failed: %2").arg(part, writeError));
        if (stop && stop())
            return Error(QStringLiteral("%1: download stopped; %2").arg(item.url.toString(), keptForResuming(part)));
        if (!copy.isEmpty() && received == 0 && status != 200 && status != 206 && status != 416) { // no new version came
            const QString fetched = copy.value(QLatin1String("fetched_at")).toString();
            if (conditional)
                QFile::remove(part); // empty: nothing of a newer version (a part of one goes on next time)
            if (status == 304)
                return useCopy(QStringLiteral("unchanged on the server since the copy fetched %1").arg(fetched));
            return useCopy(QStringLiteral("the server could not be asked whether the file changed (%1): the copy fetched %2 is used%3")
                               .arg(status > 0 ? QStringLiteral("HTTP %1").arg(status) : lastError, fetched,
                                    conditional ? QString() : QStringLiteral(" (the part of a newer version fetched before is kept for the next try)")));
        }
        if (conditional && (status == 200 || status == 206))
            log::info(QStringLiteral("%1: changed on the server since the copy fetched %2; downloading it again")
                          .arg(item.url.toString(), copy.value(QLatin1String("fetched_at")).toString()));
        if (rangeUnsatisfiable)
            break; // the part file already holds everything (or more): verify decides
        if (netError == QNetworkReply::NoError && (status == 200 || status == 206) && !shortBody)
            break;
        if (status >= 400 && status < 500 && status != 408 && status != 429)
            return Error(QStringLiteral("%1: HTTP %2 (%3)").arg(item.url.toString(), QString::number(status), lastError));
        // A host name that does not resolve (offline, a typo) will not resolve a second later either.
        if (netError == QNetworkReply::HostNotFoundError)
            return Error(QStringLiteral("%1: %2 (is this machine offline?); %3").arg(item.url.toString(), lastError, keptForResuming(part)));
        if (attempt == m_maxAttempts)
            return Error(QStringLiteral("%1: failed after %2 attempts: %3").arg(item.url.toString(), QString::number(m_maxAttempts), lastError));
        log::warn(QStringLiteral("%1: attempt %2 of %3 failed (%4); %5, retrying")
                      .arg(item.url.toString(), QString::number(attempt), QString::number(m_maxAttempts), lastError, keptForResuming(part)));
        QEventLoop wait;
        QTimer::singleShot(m_retryDelayMs * attempt, &wait, &QEventLoop::quit);
        wait.exec();
    }
    auto sha = Sha256::ofFile(part);
    if (!sha)
        return sha.error();
    if (item.serverSizeOnly) {
        const qint64 got = QFileInfo(part).size();
        if (declaredTotal < 0 && item.size < 0)
            return Error(QStringLiteral("%1: the server declared no size and no checksum is published: the download cannot be verified (%2 bytes kept)")
                             .arg(item.url.toString(), QString::number(got)));
        const qint64 expected = declaredTotal >= 0 ? declaredTotal : item.size;
        if (got != expected) {
            if (got > expected)
                QFile::remove(part);
            return Error(QStringLiteral("%1: %2 bytes where the server declared %3%4").arg(item.url.toString(), QString::number(got), QString::number(expected),
                                  got > expected ? QStringLiteral("; the file was deleted") : QStringLiteral("; kept for resuming")));
        }
        QFile::remove(*target);
        if (!QFile::rename(part, *target))
            return Error(QStringLiteral("%1: cannot rename the download into place").arg(*target));
        QFile::remove(partMeta);
        const QDateTime modified = QDateTime::fromString(validator.value(QLatin1String("last_modified")).toString(), Qt::ISODate);
        if (modified.isValid()) { // the provider's date becomes the file's: releases read from file dates say it
            QFile f(*target);
            if (f.open(QIODevice::ReadWrite))
                f.setFileTime(modified, QFileDevice::FileModificationTime);
        }
        const QJsonObject meta{{QStringLiteral("url"), item.url.toString()}, {QStringLiteral("size"), double(got)}, {QStringLiteral("sha256"), *sha},
                               {QStringLiteral("etag"), validator.value(QLatin1String("etag"))}, {QStringLiteral("last_modified"), validator.value(QLatin1String("last_modified"))},
                               {QStringLiteral("fetched_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
        if (Status st = AtomicFile::write(sidecar, QJsonDocument(meta).toJson()); !st)
            return st;
        m_downloaded.append({*target, got, *sha, validator.value(QLatin1String("etag")).toString(), modified, false});
        return AtomicFile::syncDirectory(QFileInfo(*target).absolutePath());
    }
    if (*sha != item.sha256.toLower()) {
        const qint64 got = QFileInfo(part).size();
        QFile::remove(part);
        return Error(QStringLiteral("%1: checksum mismatch (expected SHA-256 %2, got %3 over %4 bytes); the file was deleted")
                         .arg(item.url.toString(), item.sha256, *sha, QString::number(got)));
    }
    QFile::remove(*target);
    if (!QFile::rename(part, *target))
        return Error(QStringLiteral("%1: cannot rename the verified download into place").arg(*target));
    m_downloaded.append({*target, QFileInfo(*target).size(), *sha, {}, {}, false});
    return AtomicFile::syncDirectory(QFileInfo(*target).absolutePath());
}

} // namespace bioforge::core
