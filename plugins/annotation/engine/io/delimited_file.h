#pragma once

// Providers' bulk tables (TSV, GCT, space-separated links, header-less
// reports), plain or gzip, read line by line as bytes: fields are views into
// the line, so a 3.6 GB ClinVar variant_summary streams at disk speed. No
// RFC 4180 quoting (these formats have none); a field's surrounding double
// quotes are stripped on request (HGNC's TSV quotes its lists). Every error
// names the file and line; text kept is checked to be UTF-8.

#include "io/line_reader.h"
#include "io/stream_control.h"
#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace bioforge::annotation {

class DelimitedFile {
public:
    struct Options {
        char delimiter = '\t';
        bool collapseSpaces = false; // space-separated: runs of spaces are one delimiter
        bool commentHash = false;    // lines starting with '#' (before the data) are skipped, the last one may be the header
    };
    static core::Expected<std::unique_ptr<DelimitedFile>> open(const QString& path, Options options);

    // Header: the next line (with one leading '#' removed). `required`
    // columns must all be present, else an error that lists those missing.
    core::Status readHeader(const QStringList& required = {});
    // Skips `n` lines (e.g. GCT's version and dimension lines), returning them.
    core::Expected<QList<QByteArray>> skipLines(int n);
    int column(const QString& name) const { return int(m_header.indexOf(name)); }
    const QStringList& header() const { return m_header; }

    // The next row's fields (views valid until the next call); nullopt at the
    // end. With a header, a row of another width is an error naming the line.
    core::Expected<std::optional<QList<QByteArrayView>>> next();
    qint64 line() const { return m_lines->lineNumber(); }
    qint64 bytesRead() const { return m_lines->compressedOffset(); }
    qint64 fileSize() const { return m_lines->fileSize(); }
    const QString& path() const { return m_lines->path(); }

    // A field as text (UTF-8 checked: error names file, line and byte).
    core::Expected<QString> text(QByteArrayView field) const;
    // A number; nullopt for a missing value (empty, NA, NaN, ".", "-"); an
    // error naming the file, line and column for anything else.
    core::Expected<std::optional<double>> number(QByteArrayView field, const QString& column) const;
    // "path:line: message"
    core::Error errorAt(const QString& message) const;
    // Every `every` rows: reports progress (`offset` + bytes read of `total`,
    // default the file) and fails with "path: stopped" when a stop is asked.
    core::Status poll(qint64 row, const StreamControl& control, qint64 every = 8192, qint64 offset = 0, qint64 total = -1) const;

private:
    DelimitedFile() = default;
    std::unique_ptr<core::LineReader> m_lines;
    Options m_options;
    QStringList m_header;
    QByteArray m_current;
    QList<QByteArrayView> m_fields;
    std::optional<QByteArray> m_pending; // a data line read while skipping comments
};

// Strips one pair of surrounding double quotes.
QByteArrayView unquoted(QByteArrayView field);
// Splits a list field ("A|B", "a;b") into trimmed, non-empty texts.
QStringList splitList(const QString& field, QChar separator);

} // namespace bioforge::annotation
