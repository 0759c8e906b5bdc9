#include "store/sqlite_read_only.h"

#include <QDir>
#include <QFile>
#include <QtEndian>
#include <QFileInfo>
#include <QStorageInfo>
#include <QUrl>

#include <cstring>

namespace bioforge::core {

bool readOnlyPlace(const QString& path)
{
    const QString folder = QFileInfo(path).absolutePath();
    return QStorageInfo(folder).isReadOnly() || !QFileInfo(folder).isWritable() || (QFileInfo::exists(path) && !QFileInfo(path).isWritable());
}

bool readOnlyFolder(const QString& folder)
{
    QFileInfo at(QFileInfo(folder).absoluteFilePath());
    while (!at.exists() && at.absolutePath() != at.absoluteFilePath())
        at = QFileInfo(at.absolutePath());
    if (!at.isDir())
        return true; // a file where a folder would have to be made
    return QStorageInfo(at.absoluteFilePath()).isReadOnly() || !at.isWritable();
}

bool readOnlyFile(const QString& path) { return QFileInfo::exists(path) && readOnlyPlace(path); }

QString sqliteImmutableUri(const QString& path)
{
    return QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toString(QUrl::FullyEncoded) + QStringLiteral("?immutable=1");
}

namespace {

quint32 bigEndian32(const QByteArray& b, qsizetype at) { return qFromBigEndian<quint32>(b.constData() + at); }
quint32 native32(const QByteArray& b, qsizetype at)
{
    quint32 v = 0;
    std::memcpy(&v, b.constData() + at, sizeof v);
    return v;
}

} // namespace

bool walFullyCheckpointed(const QString& path)
{
    // The wal-index (-shm, native byte order; sqlite.org/walformat.html): two equal copies of the
    // 48-byte header (iVersion 3007000, isInit at 12, page size at 14, mxFrame at 16, the WAL's salts
    // at 32), then the checkpoint information (nBackfill at 96).
    QFile shm(path + QStringLiteral("-shm")), wal(path + QStringLiteral("-wal"));
    if (!shm.open(QIODevice::ReadOnly) || !wal.open(QIODevice::ReadOnly))
        return false;
    const QByteArray index = shm.read(136);
    if (index.size() < 136 || index.left(48) != index.mid(48, 48) || native32(index, 0) != 3007000 || index.at(12) != 1)
        return false;
    const quint32 mxFrame = native32(index, 16), nBackfill = native32(index, 96);
    quint16 szPage = 0;
    std::memcpy(&szPage, index.constData() + 14, sizeof szPage);
    quint32 pageSize = szPage;
    if (pageSize == 1)
        pageSize = 65536;
    if (nBackfill != mxFrame || pageSize < 512)
        return false;
    // The log itself (big-endian): its header's salts are the index's, and no frame of these salts
    // follows the last one the index knows (a writer killed between the log and the index).
    const QByteArray header = wal.read(32);
    if (header.size() < 32 || (bigEndian32(header, 0) & ~1u) != 0x377f0682u || header.mid(16, 8) != index.mid(32, 8))
        return false;
    const qint64 next = 32 + qint64(mxFrame) * (24 + qint64(pageSize));
    if (wal.size() >= next + 24) {
        if (!wal.seek(next))
            return false;
        const QByteArray frame = wal.read(24);
        if (frame.size() < 24 || frame.mid(8, 8) == header.mid(16, 8))
            return false;
    }
    return true;
}

Status checkNoPendingWal(const QString& path, const QString& what)
{
    const QFileInfo wal(path + QStringLiteral("-wal"));
    if (!wal.exists() || wal.size() == 0 || walFullyCheckpointed(path))
        return okStatus();
    return Error(QStringLiteral("%1: %2 is read-only here (a read-only mount, or this user's permissions) and its write-ahead log (%3, %4 bytes) "
                                "is not empty, so it may hold changes not yet in the database (a program has it open now, or one was killed before "
                                "it closed it), which immutable reading would miss; only a writer can fold them in. Close the program that has it open, or open %2 once where it can be written (or copy "
                                "it, with the -wal file, to a writable place and make the copy writable: chmod -R u+w COPY)")
                     .arg(path, what, wal.fileName(), QString::number(wal.size())));
}

} // namespace bioforge::core
