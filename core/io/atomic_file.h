#pragma once

// Atomic, durable writes: temp file in the same folder, flush, fsync, rename,
// fsync of the folder. A reader sees the old file or the new one, never half.

#include "util/expected.h"

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace bioforge::core {

class AtomicFile {
public:
    static Status write(const QString& path, const QByteArray& data);
    // Reads a whole file and checks its SHA-256 when one is given.
    static Expected<QByteArray> readVerified(const QString& path, const QString& expectedSha256 = {});
    // Copies `from` to `to` atomically and durably (like write(), streamed in blocks, never
    // loaded whole) when the bytes copied have the SHA-256 `expectedSha256`; otherwise `to` is
    // left as it was. Errors name the file: no expected sum given, unreadable, unwritable,
    // or "checksum mismatch" with both sums.
    static Status copyVerified(const QString& from, const QString& expectedSha256, const QString& to);
    // fsync of a directory, so a rename inside it survives a power cut.
    static Status syncDirectory(const QString& dirPath);
    // Why a write to `file` failed, in words a user can act on: "no space left on the device (N
    // bytes free)" when its file system is (nearly) full — Qt's buffered writers report a full disk
    // as "Unknown error" —, else the device's own error string.
    static QString failureReason(const QFileDevice& file);
};

} // namespace bioforge::core
