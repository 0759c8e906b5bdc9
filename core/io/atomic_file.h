#pragma once

// Atomic, durable writes: temp file in the same folder, flush, fsync, rename,
// fsync of the folder. A reader sees the old file or the new one, never half.

#include "util/expected.h"

#include <QByteArray>
#include <QFileDevice>
#include <QString>

class QSaveFile;

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
    // Why a write to `file` failed, in words a user can act on: the device's own error string, or
    // else `systemError` (errno read right after the failing call: a short write leaves Qt with
    // "Unknown error"), in the system's words ("No space left on device" with the free bytes,
    // "File too large", …); with neither, "no space left … (N bytes free)" when the file system
    // is (nearly) full, else "the system gave no reason".
    static QString failureReason(const QFileDevice& file, int systemError = 0);
    // Completes a QSaveFile: its buffer flushed and checked, then committed (fsync, rename). Qt 6.4's
    // commit() reports success when that last flush fails (a full disk, a file-size limit) and
    // replaces the target with a short or empty file; here the target is then left as it was
    // and the error names the file and why ("FILE: cannot save: REASON"). Every QSaveFile of the
    // product ends through this.
    static Status commit(QSaveFile& file);
};

} // namespace bioforge::core
