#include "io/fasta_reader.h"

#include <QRegularExpression>

namespace bioforge::core {
namespace {

bool isSequenceChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*' || c == '-' || c == '.';
}

bool isBlank(char c) { return c == ' ' || c == '\t'; }

} // namespace

Expected<std::unique_ptr<FastaReader>> FastaReader::open(const QString& path, FastaLimits limits)
{
    auto lines = LineReader::open(path);
    if (!lines)
        return lines.error();
    std::unique_ptr<FastaReader> reader(new FastaReader);
    reader->m_lines = std::move(*lines);
    reader->m_limits = limits;
    return reader;
}

Error FastaReader::errorAt(qint64 line, const QString& what) const
{
    return Error(QStringLiteral("%1:%2: %3").arg(m_lines->path()).arg(line).arg(what));
}

Expected<std::optional<FastaRecord>> FastaReader::next()
{
    // Find a header: the one read ahead by the previous record, or the next
    // '>' line. Anything else before the first header is an error.
    while (!m_pendingHeader) {
        auto line = m_lines->next();
        if (!line)
            return line.error();
        if (!line->has_value())
            return std::optional<FastaRecord>();
        const QByteArray& text = **line;
        if (text.startsWith('>')) {
            m_pendingHeader = text;
            m_pendingHeaderLine = m_lines->lineNumber();
        } else if (!text.trimmed().isEmpty() && !m_started) {
            m_started = true;
            return errorAt(m_lines->lineNumber(), QStringLiteral("expected a FASTA header starting with '>', found sequence data"));
        }
    }
    m_started = true;

    FastaRecord record;
    record.headerLine = m_pendingHeaderLine;
    const QString header = QString::fromUtf8(m_pendingHeader->mid(1)).trimmed();
    m_pendingHeader.reset();
    const qsizetype space = header.indexOf(QRegularExpression(QStringLiteral("\\s")));
    record.id = space < 0 ? header : header.left(space);
    record.description = space < 0 ? QString() : header.mid(space + 1).trimmed();

    std::optional<Error> problem;
    if (record.id.isEmpty())
        problem = errorAt(record.headerLine, QStringLiteral("empty sequence id after '>'"));
    else if (record.id.size() > m_limits.maxIdLength)
        problem = errorAt(record.headerLine, QStringLiteral("sequence id is %1 characters long, the limit is %2")
                                                 .arg(record.id.size()).arg(m_limits.maxIdLength));

    for (;;) {
        auto line = m_lines->next();
        if (!line)
            return line.error();
        if (!line->has_value())
            break;
        const QByteArray& text = **line;
        if (text.startsWith('>')) {
            m_pendingHeader = text;
            m_pendingHeaderLine = m_lines->lineNumber();
            break;
        }
        if (problem)
            continue; // skip the rest of a bad record
        for (qsizetype i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (isSequenceChar(c)) {
                record.sequence.append(c);
            } else if (!isBlank(c)) {
                problem = errorAt(m_lines->lineNumber(),
                                  QStringLiteral("record '%1': unexpected character '%2' in column %3; expected sequence letters, '*', '-' or '.'")
                                      .arg(record.id, c >= 32 && c < 127 ? QString(QLatin1Char(c)) : QStringLiteral("\\x%1").arg(uchar(c), 2, 16, QLatin1Char('0')))
                                      .arg(i + 1));
                break;
            }
        }
        if (!problem && record.sequence.size() > m_limits.maxSequenceLength)
            problem = errorAt(m_lines->lineNumber(), QStringLiteral("record '%1' is longer than the limit of %2 letters")
                                                        .arg(record.id).arg(m_limits.maxSequenceLength));
    }
    if (problem)
        return *problem;
    if (record.sequence.isEmpty() && !m_limits.allowEmptySequence)
        return errorAt(record.headerLine, QStringLiteral("record '%1' has no sequence").arg(record.id));
    return std::optional<FastaRecord>(std::move(record));
}

} // namespace bioforge::core
