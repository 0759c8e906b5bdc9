#include "models/model_downloader.h"

#include "io/atomic_file.h"
#include "io/path_guard.h"
#include "io/sha256.h"
#include "log/log.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace bioforge::core {

Status ModelDownloader::download(const QList<DownloadItem>& items, const Progress& progress, const StopCheck& stop)
{
    m_requests = 0;
    m_resumed = 0;
    qint64 total = 0;
    for (const DownloadItem& item : items) {
        if (item.sha256.size() != 64)
            return Error(QStringLiteral("%1: a SHA-256 (64 hex digits) is required to download it").arg(item.url.toString()));
        total += qMax<qint64>(0, item.size);
    }
    qint64 done = 0;
    for (const DownloadItem& item : items) {
        if (Status st = downloadOne(item, done, total, progress, stop); !st)
            return st;
        done += QFileInfo(QDir(m_targetDir).filePath(item.relativePath)).size();
    }
    return okStatus();
}

Status ModelDownloader::downloadOne(const DownloadItem& item, qint64 doneBefore, qint64 total, const Progress& progress,
                                    const StopCheck& stop)
{
    auto target = PathGuard::resolveInside(m_targetDir, item.relativePath);
    if (!target)
        return target.error();
    if (!QDir().mkpath(QFileInfo(*target).absolutePath()))
        return Error(QStringLiteral("%1: cannot create folder").arg(*target));
    // Already complete and verified: nothing to do.
    if (QFileInfo::exists(*target)) {
        if (auto sha = Sha256::ofFile(*target); sha && *sha == item.sha256)
            return okStatus();
    }
    const QString part = *target + QStringLiteral(".part");
    QNetworkAccessManager network;
    QString lastError;
    for (int attempt = 1; attempt <= m_maxAttempts; ++attempt) {
        if (stop && stop())
            return Error(QStringLiteral("%1: download stopped; %2 bytes kept for resuming").arg(item.url.toString()).arg(QFileInfo(part).size()));
        const qint64 offset = QFileInfo::exists(part) ? QFileInfo(part).size() : 0;
        if (item.size >= 0 && offset == item.size)
            break; // complete, verify below
        QNetworkRequest request(item.url);
        request.setTransferTimeout(m_transferTimeoutMs);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        if (offset > 0) {
            request.setRawHeader("Range", "bytes=" + QByteArray::number(offset) + '-');
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
                if (offset > 0 && status == 200) { // the server ignored Range: start over
                    out.resize(0);
                    out.seek(0);
                }
            }
            received += chunk.size();
            if (out.write(chunk) != chunk.size()) {
                writeError = out.errorString();
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
        const QNetworkReply::NetworkError netError = reply->error();
        lastError = reply->errorString();
        const QVariant contentLength = reply->header(QNetworkRequest::ContentLengthHeader);
        // A connection closed early can look like a clean end: trust the byte count, not the status.
        const bool shortBody = contentLength.isValid() && received < contentLength.toLongLong();
        if (shortBody)
            lastError = QStringLiteral("connection closed after %1 of %2 bytes").arg(received).arg(contentLength.toLongLong());
        reply->deleteLater();
        out.flush();
        out.close();
        if (!writeError.isEmpty())
            return Error(QStringLiteral("%1: write failed: %2").arg(part, writeError));
        if (stop && stop())
            return Error(QStringLiteral("%1: download stopped; %2 bytes kept for resuming").arg(item.url.toString()).arg(QFileInfo(part).size()));
        if (rangeUnsatisfiable)
            break; // the part file already holds everything (or more): verify decides
        if (netError == QNetworkReply::NoError && (status == 200 || status == 206) && !shortBody)
            break;
        if (status >= 400 && status < 500 && status != 408 && status != 429)
            return Error(QStringLiteral("%1: HTTP %2 (%3)").arg(item.url.toString()).arg(status).arg(lastError));
        log::warn(QStringLiteral("%1: attempt %2 of %3 failed (%4); %5 bytes kept, retrying")
                      .arg(item.url.toString()).arg(attempt).arg(m_maxAttempts).arg(lastError).arg(QFileInfo(part).size()));
        if (attempt == m_maxAttempts)
            return Error(QStringLiteral("%1: failed after %2 attempts: %3").arg(item.url.toString()).arg(m_maxAttempts).arg(lastError));
        QEventLoop wait;
        QTimer::singleShot(m_retryDelayMs * attempt, &wait, &QEventLoop::quit);
        wait.exec();
    }
    auto sha = Sha256::ofFile(part);
    if (!sha)
        return sha.error();
    if (*sha != item.sha256.toLower()) {
        const qint64 got = QFileInfo(part).size();
        QFile::remove(part);
        return Error(QStringLiteral("%1: checksum mismatch (expected SHA-256 %2, got %3 over %4 bytes); the file was deleted")
                         .arg(item.url.toString(), item.sha256, *sha).arg(got));
    }
    QFile::remove(*target);
    if (!QFile::rename(part, *target))
        return Error(QStringLiteral("%1: cannot rename the verified download into place").arg(*target));
    return AtomicFile::syncDirectory(QFileInfo(*target).absolutePath());
}

} // namespace bioforge::core
