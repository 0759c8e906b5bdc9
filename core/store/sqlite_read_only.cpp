#include "store/sqlite_read_only.h"

#include <QDir>
#include <QFileInfo>
#include <QStorageInfo>
#include <QUrl>

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

Status checkNoPendingWal(const QString& path, const QString& what)
{
    const QFileInfo wal(path + QStringLiteral("-wal"));
    if (!wal.exists() || wal.size() == 0)
        return okStatus();
    return Error(QStringLiteral("%1: %2 is read-only here (a read-only mount, or this user's permissions) and its write-ahead log (%3, %4 bytes) "
                                "is not empty, so it may hold changes not yet in the database (a program has it open now, or one was killed before "
                                "it closed it), which immutable reading would miss; only a writer can fold them in. Close the program that has it open, or open %2 once where it can be written (or copy "
                                "it, with the -wal file, to a writable place and make the copy writable: chmod -R u+w COPY)")
                     .arg(path, what, wal.fileName(), QString::number(wal.size())));
}

} // namespace bioforge::core
