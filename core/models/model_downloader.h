#pragma once

// Downloads model files over HTTP(S) into a folder, with resume (Range
// requests continue a .part file after a dropped connection or a pause),
// retries with back-off, progress, and a SHA-256 check before the file takes
// its final name: a file whose checksum does not match is deleted, never kept
// or registered. Blocking: it runs its own event loop, so call it from a
// worker thread (a Job) or the command line.

#include "util/expected.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>

namespace bioforge::core {

struct DownloadItem {
    QUrl url;
    QString relativePath;
    QString sha256;     // required unless serverSizeOnly: nothing unverified is kept
    qint64 size = -1;   // optional, for progress before the server says
    // For files whose publisher gives no checksum (providers' bulk files):
    // kept when its size equals the size the server declared (Content-Length,
    // or Content-Range's total on a resumed transfer); a resume asks
    // If-Range with the first answer's ETag (or Last-Modified), so a file
    // changed on the server restarts from zero. The SHA-256 is then computed
    // and reported, the file's time set to Last-Modified, and a sidecar
    // `<file>.download.json` (URL, size, SHA-256, ETag, Last-Modified) marks
    // it complete: a second download of the same URL reuses it.
    bool serverSizeOnly = false;
    // serverSizeOnly: a complete copy is used only when the server says the file has not changed
    // since (a conditional GET: If-None-Match with its ETag, else If-Modified-Since, answered 304
    // Not Modified); a changed file is downloaded again. A server that cannot be asked leaves the
    // copy in use, said in DownloadedFile::note. Providers replace bulk files at one URL
    // (ClinVar weekly), so a second download must ask.
    bool revalidate = false;
};

struct DownloadedFile {
    QString path;
    qint64 size = 0;
    QString sha256;
    QString etag;
    QDateTime lastModified; // invalid when the server sent none
    bool reused = false;    // already complete from an earlier download
    QString note{};         // how a reused copy was judged current ("unchanged on the server", …)
};

class ModelDownloader {
public:
    using Progress = std::function<void(qint64 bytesDone, qint64 bytesTotal)>;
    using StopCheck = std::function<bool()>;

    explicit ModelDownloader(QString targetDir) : m_targetDir(std::move(targetDir)) {}

    void setMaxAttempts(int n) { m_maxAttempts = n; }
    void setTransferTimeoutMs(int ms) { m_transferTimeoutMs = ms; }
    void setRetryDelayMs(int ms) { m_retryDelayMs = ms; }

    // A transfer that fails keeps its bytes in `<file>.part` for the next call to resume; an
    // empty one is removed.
    Status download(const QList<DownloadItem>& items, const Progress& progress = {}, const StopCheck& stop = {});
    // Whether a file of a target folder is the downloader's own (an unfinished `.part`, its
    // `.part.json` validator, a `.download.json` sidecar): never part of a model.
    static bool isWorkFile(const QString& path);

    // Result of the last download(): how many HTTP requests were made and
    // whether any continued a partial file (for tests and logs).
    int requestCount() const { return m_requests; }
    int resumedRequests() const { return m_resumed; }
    const QList<DownloadedFile>& downloaded() const { return m_downloaded; }

private:
    Status downloadOne(const DownloadItem& item, qint64 doneBefore, qint64 total, const Progress& progress, const StopCheck& stop);

    QString m_targetDir;
    int m_maxAttempts = 5;
    int m_transferTimeoutMs = 30000;
    int m_retryDelayMs = 500;
    int m_requests = 0;
    int m_resumed = 0;
    QList<DownloadedFile> m_downloaded;
};

} // namespace bioforge::core
