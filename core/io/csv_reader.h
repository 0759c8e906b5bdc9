#pragma once

// CSV/TSV reader (RFC 4180 quoting, fields may span lines), plain or gzip,
// streaming, on LineReader (any line ends, a BOM skipped, binary or other
// compressions refused); bytes that are not UTF-8 are an error naming the
// file, line and byte. The delimiter is given or taken from the file name (.tsv/.tab:
// tab, otherwise comma) — unless the header has none of that one but tabs, commas or
// semicolons, which are then taken (a TSV named .csv, a European spreadsheet's CSV). Rows with the wrong number of fields are errors that
// name the file and line.

#include "io/line_reader.h"
#include "util/expected.h"

#include <QStringList>

#include <memory>
#include <optional>

namespace bioforge::core {

class CsvReader {
public:
    static Expected<std::unique_ptr<CsvReader>> open(const QString& path, QChar delimiter = QChar());

    // Reads the first row as the header.
    Status readHeader();
    const QStringList& header() const { return m_header; }
    int columnIndex(const QString& name) const { return int(m_header.indexOf(name)); }

    // The next row; nullopt at the end. Rows are checked against the header's width (an error
    // naming the file and line) unless ragged rows are allowed.
    Expected<std::optional<QStringList>> next();
    // Rows of another width than the header's are returned as they are, for a caller that reports
    // them and goes on (a table where one bad row must not lose the others).
    void allowRaggedRows(bool allow) { m_ragged = allow; }
    // Bytes that are not UTF-8 read as U+FFFD instead of an error, for a caller that says which
    // field they fall in (a Windows-1252 "fumé" in a column no one reads need not fail a table):
    // rowEncodingProblem() then names the first such byte of the row last returned ("byte 65
    // (0xe9) of line 7"), empty where the row's bytes were all UTF-8.
    void allowInvalidUtf8(bool allow) { m_lenientUtf8 = allow; }
    const QString& rowEncodingProblem() const { return m_rowEncodingProblem; }
    qint64 rowLine() const { return m_rowLine; } // first line of the row last returned
    qint64 bytesRead() const { return m_lines->compressedOffset(); } // of the file, for progress
    qint64 fileSize() const { return m_lines->fileSize(); }
    const QString& path() const { return m_lines->path(); }
    QChar delimiter() const { return m_delimiter; }

private:
    CsvReader() = default;

    std::unique_ptr<LineReader> m_lines;
    QChar m_delimiter;
    QStringList m_header;
    qint64 m_rowLine = 0;
    bool m_ragged = false;
    bool m_lenientUtf8 = false;
    QString m_rowEncodingProblem;
};

} // namespace bioforge::core
