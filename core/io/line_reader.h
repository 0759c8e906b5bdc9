#pragma once

// Reads a text file line by line, plain or gzip-compressed (detected from the
// content), in constant memory. Handles \n and \r\n line ends.

#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace bioforge::core {

class LineReader {
public:
    ~LineReader();
    static Expected<std::unique_ptr<LineReader>> open(const QString& path);

    // The next line without its line end; nullopt at the end of the file.
    Expected<std::optional<QByteArray>> next();
    qint64 lineNumber() const { return m_lineNumber; } // of the line last returned, 1-based
    qint64 compressedOffset() const;                  // bytes of the file consumed, for progress
    qint64 fileSize() const { return m_fileSize; }
    const QString& path() const { return m_path; }

private:
    LineReader() = default;
    bool fill();

    QString m_path;
    void* m_gz = nullptr; // gzFile, kept opaque so zlib.h stays out of this header
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    bool m_eof = false;
    bool m_failed = false;
    qint64 m_lineNumber = 0;
    qint64 m_fileSize = 0;
};

} // namespace bioforge::core
