#pragma once

// Reads a text file line by line, plain or gzip-compressed (detected from the
// content), in constant memory. The one input layer every text format we read
// stands on (FASTA, CSV/TSV):
//  - line ends LF, CRLF and CR (old Mac), mixed within a file, all end a line;
//  - a UTF-8 byte-order mark at the start is skipped;
//  - what it cannot take is refused at open(), naming the file and what it
//    looks like: other compressions (bzip2, xz, zstd, zip, 7-Zip), UTF-16,
//    binary data (BAM, SQLite, …);
//  - a damaged or truncated gzip stream is an error ("the compressed data
//    ends early"), never a silently shorter file. After a stream error,
//    failed() is true and no further line is returned.

#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace bioforge::core {

class LineReader {
public:
    ~LineReader();
    // `expected` names the text the caller reads ("FASTA (plain or gzip)"): an office document is then
    // said not to be it, instead of being advised to save as CSV (the advice for tables).
    static Expected<std::unique_ptr<LineReader>> open(const QString& path, const QString& expected = {});

    // The next line without its line end; nullopt at the end of the file.
    Expected<std::optional<QByteArray>> next();
    qint64 lineNumber() const { return m_lineNumber; } // of the line last returned, 1-based
    qint64 compressedOffset() const;                  // bytes of the file consumed, for progress
    qint64 fileSize() const { return m_fileSize; }
    const QString& path() const { return m_path; }
    bool compressed() const { return m_compressed; }
    // The stream broke (read error, truncated or corrupt compressed data).
    bool failed() const { return m_streamError; }
    // The first bytes of the content (decompressed, after a BOM), for sniffing.
    const QByteArray& head() const { return m_head; }

private:
    LineReader() = default;
    bool fill();
    Error streamError();

    QString m_path;
    void* m_gz = nullptr; // gzFile, kept opaque so zlib.h stays out of this header
    QByteArray m_buffer;
    QByteArray m_head;
    qsizetype m_pos = 0;
    qsizetype m_scanned = 0; // bytes from m_pos already searched for a line end
    bool m_eof = false;
    bool m_failed = false;       // fill() saw an error not yet reported
    bool m_streamError = false;  // reported: the file counts as ended
    QString m_failure;
    bool m_compressed = false;
    qint64 m_lineNumber = 0;
    qint64 m_fileSize = 0;
    int m_chunk = 0; // bytes read at once (line_reader.cpp: chunkFor)
};

} // namespace bioforge::core
