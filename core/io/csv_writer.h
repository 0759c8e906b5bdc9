#pragma once

// Writes CSV/TSV rows with RFC 4180 quoting into a buffer that is saved
// atomically, so a half-written table never replaces a good one.

#include "util/expected.h"

#include <QByteArray>
#include <QStringList>

namespace bioforge::core {

class CsvWriter {
public:
    explicit CsvWriter(QChar delimiter = QLatin1Char(',')) : m_delimiter(delimiter) {}

    void writeRow(const QStringList& fields);
    const QByteArray& data() const { return m_data; }
    Status save(const QString& path) const;

    QString quoted(const QString& field) const;

private:
    QChar m_delimiter;
    QByteArray m_data;
};

} // namespace bioforge::core
