#include "io/csv_reader.h"

#include "io/text_decoding.h"

namespace bioforge::core {

namespace {

// The delimiter of a file whose name says one thing and whose header another: a header line
// without the named delimiter (outside quotes) but with tabs, else commas, else semicolons (a
// spreadsheet saved with a European locale), is read with those. Anything unreadable keeps the named one:
// reading the file proper reports it.
QChar sniffedDelimiter(const QString& path, QChar named)
{
    auto lines = LineReader::open(path);
    if (!lines)
        return named;
    for (;;) {
        auto line = (*lines)->next();
        if (!line || !line->has_value())
            return named;
        const QByteArray& text = **line;
        if (text.trimmed().isEmpty())
            continue;
        // Tab, comma, semicolon: the first found outside quotes, when the named one is not there.
        const char candidates[3] = {'\t', ',', ';'};
        qsizetype counts[3] = {0, 0, 0};
        qsizetype namedCount = 0;
        bool quoted = false;
        for (const char c : text) {
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (quoted)
                continue;
            namedCount += c == named.toLatin1();
            for (int k = 0; k < 3; ++k)
                counts[k] += c == candidates[k];
        }
        if (namedCount > 0)
            return named;
        for (int k = 0; k < 3; ++k)
            if (counts[k] > 0)
                return QLatin1Char(candidates[k]);
        return named;
    }
}

} // namespace

Expected<std::unique_ptr<CsvReader>> CsvReader::open(const QString& path, QChar delimiter)
{
    auto lines = LineReader::open(path);
    if (!lines)
        return lines.error();
    std::unique_ptr<CsvReader> reader(new CsvReader);
    reader->m_lines = std::move(*lines);
    if (delimiter.isNull()) {
        QString name = path.toLower();
        if (name.endsWith(QLatin1String(".gz")))
            name.chop(3);
        delimiter = name.endsWith(QLatin1String(".tsv")) || name.endsWith(QLatin1String(".tab")) ? QLatin1Char('\t')
                                                                                                 : QLatin1Char(',');
        delimiter = sniffedDelimiter(path, delimiter);
    }
    reader->m_delimiter = delimiter;
    return reader;
}

Status CsvReader::readHeader()
{
    auto row = next();
    if (!row)
        return row.error();
    if (!row->has_value())
        return Error(QStringLiteral("%1: empty file, expected a header row").arg(path()));
    m_header = **row;
    for (QString& h : m_header)
        h = h.trimmed();
    return okStatus();
}

Expected<std::optional<QStringList>> CsvReader::next()
{
    QStringList fields;
    QString field;
    bool inQuotes = false;
    bool started = false;
    m_rowEncodingProblem.clear();
    for (;;) {
        auto line = m_lines->next();
        if (!line)
            return line.error();
        if (!line->has_value()) {
            if (inQuotes)
                return Error(QStringLiteral("%1:%2: quoted field is not closed before the end of the file")
                                 .arg(path(), QString::number(m_rowLine)));
            return std::optional<QStringList>();
        }
        auto decoded = decodeUtf8Line(**line, path(), m_lines->lineNumber());
        if (!decoded && !m_lenientUtf8)
            return decoded.error();
        if (!decoded && m_rowEncodingProblem.isEmpty()) {
            const qsizetype bad = firstInvalidUtf8(**line);
            m_rowEncodingProblem = QStringLiteral("byte %1 (0x%2) of line %3").arg(bad + 1).arg(uchar((**line)[bad]), 2, 16, QLatin1Char('0')).arg(m_lines->lineNumber());
        }
        const QString text = decoded ? *decoded : QString::fromUtf8(**line); // U+FFFD for each bad byte
        if (!started) {
            if (text.isEmpty())
                continue; // blank lines between rows are ignored
            started = true;
            m_rowLine = m_lines->lineNumber();
        } else {
            field.append(QLatin1Char('\n')); // a quoted field continues on this line
        }
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if (inQuotes) {
                if (c == QLatin1Char('"')) {
                    if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                        field.append(c);
                        ++i;
                    } else {
                        inQuotes = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == QLatin1Char('"') && field.isEmpty()) {
                inQuotes = true;
            } else if (c == m_delimiter) {
                fields.append(field);
                field.clear();
            } else {
                field.append(c);
            }
        }
        if (!inQuotes)
            break;
    }
    fields.append(field);
    if (!m_header.isEmpty() && !m_ragged && fields.size() != m_header.size())
        return Error(QStringLiteral("%1:%2: expected %3 fields as in the header, found %4")
                         .arg(path(), QString::number(m_rowLine), QString::number(m_header.size()), QString::number(fields.size())));
    return std::optional<QStringList>(std::move(fields));
}

} // namespace bioforge::core
