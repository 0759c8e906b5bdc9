#include "io/atomic_file.h"

#include "io/folder.h"

#include "io/sha256.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStorageInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace bioforge::core {

Status AtomicFile::write(const QString& path, const QByteArray& data)
{
    const QFileInfo info(path);
    if (Status made = makeFolder(info.absolutePath()); !made)
        return made.error().withContext(path);
    // QSaveFile writes to a temporary file beside the target, fsyncs it on
    // commit() and renames it over the target.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("%1: cannot open for writing: %2").arg(path, file.errorString()));
    errno = 0;
    if (file.write(data) != data.size()) {
        const QString reason = failureReason(file, errno);
        file.cancelWriting();
        return Error(QStringLiteral("%1: write failed: %2").arg(path, reason));
    }
    if (Status done = commit(file); !done)
        return done;
    return syncDirectory(info.absolutePath());
}

Expected<QByteArray> AtomicFile::readVerified(const QString& path, const QString& expectedSha256)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Error(QStringLiteral("%1: read failed: %2").arg(path, file.errorString()));
    if (!expectedSha256.isEmpty()) {
        const QString actual = Sha256::ofData(data);
        if (actual.compare(expectedSha256, Qt::CaseInsensitive) != 0)
            return Error(QStringLiteral("%1: checksum mismatch (expected SHA-256 %2, found %3)")
                             .arg(path, expectedSha256, actual));
    }
    return data;
}

Status AtomicFile::copyVerified(const QString& from, const QString& expectedSha256, const QString& to)
{
    if (expectedSha256.isEmpty())
        return Error(QStringLiteral("%1: no SHA-256 to verify the copy to %2 against").arg(from, to));
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open: %2").arg(from, in.errorString()));
    const QFileInfo info(to);
    if (Status made = makeFolder(info.absolutePath()); !made)
        return made.error().withContext(to);
    QSaveFile out(to);
    if (!out.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("%1: cannot open for writing: %2").arg(to, out.errorString()));
    // The sum is of the bytes written, so a file that changes while it is copied cannot pass.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray block;
    while (!(block = in.read(qint64(1) << 20)).isEmpty()) {
        hash.addData(block);
        errno = 0;
        if (out.write(block) != block.size()) {
            const QString reason = failureReason(out, errno);
            out.cancelWriting();
            return Error(QStringLiteral("%1: write failed: %2").arg(to, reason));
        }
    }
    if (in.error() != QFileDevice::NoError) {
        out.cancelWriting();
        return Error(QStringLiteral("%1: read failed: %2").arg(from, in.errorString()));
    }
    const QString actual = QString::fromLatin1(hash.result().toHex());
    if (actual.compare(expectedSha256, Qt::CaseInsensitive) != 0) {
        out.cancelWriting();
        return Error(QStringLiteral("%1: checksum mismatch (expected SHA-256 %2, found %3)").arg(from, expectedSha256, actual));
    }
    if (Status done = commit(out); !done)
        return done;
    return syncDirectory(info.absolutePath());
}

QString AtomicFile::failureReason(const QFileDevice& file, int systemError)
{
    const QStorageInfo storage(QFileInfo(file.fileName()).absolutePath());
    QString reason = file.errorString();
    const bool qtKnows = file.error() != QFileDevice::NoError && !reason.isEmpty() && reason != QLatin1String("Unknown error");
    if (!qtKnows && systemError != 0) // a short write: Qt keeps no error, errno has it
        reason = QString::fromLocal8Bit(std::strerror(systemError));
    else if (!qtKnows) {
        if (storage.isValid() && !storage.isReadOnly() && storage.bytesAvailable() < 1024 * 1024)
            return QStringLiteral("no space left on the device holding it (%1 bytes free)").arg(storage.bytesAvailable());
        return QStringLiteral("the system gave no reason (%1)").arg(reason.isEmpty() ? QStringLiteral("no message") : reason);
    }
    if ((systemError == ENOSPC || (qtKnows && file.error() == QFileDevice::ResourceError)) && storage.isValid())
        reason += QStringLiteral(" (%1 bytes free on the device holding it)").arg(storage.bytesAvailable());
    return reason;
}

Status AtomicFile::commit(QSaveFile& file)
{
    errno = 0;
    if (!file.flush() || file.error() != QFileDevice::NoError) {
        const QString reason = failureReason(file, errno);
        file.cancelWriting(); // the target stays as it was; the temporary file goes with `file`
        return Error(QStringLiteral("%1: cannot save: %2").arg(file.fileName(), reason));
    }
    if (!file.commit())
        return Error(QStringLiteral("%1: cannot save: %2").arg(file.fileName(), failureReason(file)));
    return okStatus();
}

Status AtomicFile::syncDirectory(const QString& dirPath)
{
    const QByteArray native = QFile::encodeName(dirPath);
    const int fd = ::open(native.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error(QStringLiteral("%1: cannot open folder to sync it").arg(dirPath));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        return Error(QStringLiteral("%1: fsync of folder failed").arg(dirPath));
    return okStatus();
}

} // namespace bioforge::core
