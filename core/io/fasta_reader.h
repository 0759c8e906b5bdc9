#pragma once

// Streaming FASTA reader: plain or gzip, multi-line records, \r\n line ends,
// upper and lower case. A bad record is reported with file and line and the
// reader carries on with the next record, so one bad record never loses the
// rest of the file.

#include "io/line_reader.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace bioforge::core {

struct FastaRecord {
    QString id;          // header up to the first white space
    QString description; // rest of the header line
    QByteArray sequence; // letters as in the file (case kept), white space removed
    qint64 headerLine = 0;
};

struct FastaLimits {
    qint64 maxIdLength = 1000;
    qint64 maxSequenceLength = qint64(1) << 31;
    bool allowEmptySequence = false;
};

class FastaReader {
public:
    static Expected<std::unique_ptr<FastaReader>> open(const QString& path, FastaLimits limits = {});

    // The next record; nullopt at the end. After an error the next call goes on
    // with the record after the bad one.
    Expected<std::optional<FastaRecord>> next();
    qint64 bytesConsumed() const { return m_lines->compressedOffset(); }
    qint64 fileSize() const { return m_lines->fileSize(); }
    const QString& path() const { return m_lines->path(); }

private:
    FastaReader() = default;
    Error errorAt(qint64 line, const QString& what) const;

    std::unique_ptr<LineReader> m_lines;
    FastaLimits m_limits;
    std::optional<QByteArray> m_pendingHeader;
    qint64 m_pendingHeaderLine = 0;
    bool m_started = false;
};

} // namespace bioforge::core
