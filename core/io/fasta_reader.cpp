#include "io/fasta_reader.h"

#include "io/content_sniffer.h"
#include "io/text_decoding.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace bioforge::core {
namespace {

bool isSequenceChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*' || c == '-' || c == '.';
}

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// Refuses, at open, content that is not FASTA at all, saying what it looks like.
Status checkLooksLikeFasta(const LineReader& lines)
{
    const QByteArray head = lines.head();
    const QByteArray trimmed = head.trimmed();
    if (trimmed.isEmpty())
        return Error(QStringLiteral("%1: no FASTA record: the file is %2").arg(lines.path(), lines.compressed() ? QStringLiteral("empty once decompressed") : QStringLiteral("empty")));
    if (trimmed.startsWith('>') || trimmed.startsWith(';'))
        return okStatus();
    const QString looks = describeText(trimmed);
    if (!looks.isEmpty())
        return Error(QStringLiteral("%1: this looks like %2, not FASTA").arg(lines.path(), looks));
    if (!head.contains("\n>") && !head.contains("\r>"))
        return Error(QStringLiteral("%1: not FASTA: no header line starting with '>' in the first %2 bytes (it starts with '%3')")
                         .arg(lines.path(), QString::number(head.size()), QString::fromUtf8(trimmed.left(40)).replace(QLatin1Char('\n'), QLatin1Char(' '))));
    return okStatus(); // sequence before the first header: reported as a record error, the rest is read
}

} // namespace

Expected<std::unique_ptr<FastaReader>> FastaReader::open(const QString& path, FastaLimits limits)
{
    auto lines = LineReader::open(path, QStringLiteral("FASTA (plain text or gzip)"));
    if (!lines)
        return lines.error();
    if (Status st = checkLooksLikeFasta(**lines); !st)
        return st.error();
    std::unique_ptr<FastaReader> reader(new FastaReader);
    reader->m_lines = std::move(*lines);
    reader->m_limits = limits;
    return reader;
}

Error FastaReader::errorAt(qint64 line, const QString& what) const
{
    return Error(QStringLiteral("%1:%2: %3").arg(m_lines->path(), QString::number(line), what));
}

double FastaReader::nucleotideFraction(const QByteArray& sequence)
{
    qint64 letters = 0, nucleotides = 0;
    for (char c : sequence) {
        const char u = char(c & ~0x20);
        if (u < 'A' || u > 'Z')
            continue;
        ++letters;
        nucleotides += (u == 'A' || u == 'C' || u == 'G' || u == 'T' || u == 'U' || u == 'N') ? 1 : 0;
    }
    return letters ? double(nucleotides) / double(letters) : 1.0;
}

std::optional<Error> FastaReader::checkAlphabet(const FastaRecord& record) const
{
    if (m_limits.alphabet != SequenceAlphabet::Nucleotide || record.sequence.isEmpty())
        return std::nullopt;
    const double fraction = nucleotideFraction(record.sequence);
    // Many ambiguity codes but no letter outside the IUPAC nucleotide set: still nucleotides.
    static const QByteArray iupac("ACGTURYSWKMBDHVN");
    const bool onlyIupac = std::all_of(record.sequence.begin(), record.sequence.end(), [](char c) {
        const char u = char(c & ~0x20);
        return u < 'A' || u > 'Z' || iupac.contains(u);
    });
    if (fraction >= 0.9 || (onlyIupac && fraction >= 0.5)) {
        // Nucleotides otherwise; a '*' (a translation's stop) is no base, and would be read as one.
        const qsizetype star = record.sequence.indexOf('*');
        if (star < 0)
            return std::nullopt;
        return errorAt(record.headerLine, QStringLiteral("record '%1': '*' at position %2 of the sequence (%3 in all) is not a nucleotide: it marks a stop "
                                                         "in a translated (protein) sequence; expected A, C, G, T/U, N or IUPAC codes")
                                              .arg(record.id, QString::number(star + 1), QString::number(record.sequence.count('*'))));
    }
    if (onlyIupac) // every letter a nucleotide code, but mostly ambiguity codes (R, Y, K, M, …): no sequence to read
        return errorAt(record.headerLine, QStringLiteral("record '%1' is mostly IUPAC ambiguity codes: only %2 % of its letters are A, C, G, T/U or N "
                                                         "(at least 50 % are needed; it starts '%3')")
                                              .arg(record.id, QString::number(std::floor(fraction * 100), 'f', 0), QString::fromLatin1(record.sequence.left(20))));
    return errorAt(record.headerLine, QStringLiteral("record '%1' looks like protein, not nucleotide: only %2 % of its letters are A, C, G, T/U or N "
                                                     "(it starts '%3')")
                                          .arg(record.id, QString::number(std::floor(fraction * 100), 'f', 0), QString::fromLatin1(record.sequence.left(20))));
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
        } else if (text.startsWith(';')) {
            continue; // an old-style FASTA comment line
        } else if (!text.trimmed().isEmpty() && !m_started) {
            m_started = true;
            return errorAt(m_lines->lineNumber(), QStringLiteral("expected a FASTA header starting with '>', found sequence data"));
        }
    }
    m_started = true;

    FastaRecord record;
    record.headerLine = m_pendingHeaderLine;
    std::optional<Error> problem;
    const QByteArray line = *m_pendingHeader, headerBytes = line.mid(1);
    // The whole line decoded ('>' is ASCII): a byte named in an error counts from the line's start.
    auto header = decodeUtf8Line(line, m_lines->path(), record.headerLine);
    if (header)
        *header = header->mid(1);
    m_pendingHeader.reset();
    if (!header) {
        // The id (to the first white space) is what every output names: a description that is not
        // UTF-8 keeps its record, read as Latin-1 (what old NCBI and EMBL exports wrote), and is said.
        const QByteArray trimmed = headerBytes.trimmed();
        qsizetype idEnd = 0;
        while (idEnd < trimmed.size() && !isBlank(trimmed[idEnd]) && trimmed[idEnd] != '\v' && trimmed[idEnd] != '\f')
            ++idEnd; // ASCII white space only: 0x85 and 0xA0 are bytes inside UTF-8 characters ('à', 'Å')
        const qsizetype bad = firstInvalidUtf8(line); // 0-based in the line
        const QString byte = QStringLiteral("byte %1 of its header line, 0x%2").arg(QString::number(bad + 1), QStringLiteral("%1").arg(uchar(line[bad]), 2, 16, QLatin1Char('0')));
        if (auto id = decodeUtf8Line(trimmed.left(idEnd), m_lines->path(), record.headerLine); id && !id->isEmpty()) {
            record.notes << errorAt(record.headerLine, QStringLiteral("record '%1': its description is not UTF-8 (%2): read as Latin-1").arg(*id, byte)).message();
            header = *id + QLatin1Char(' ') + QString::fromLatin1(trimmed.mid(idEnd).trimmed());
        } else if (idEnd > 0) {
            // The id itself (a LIMS export's "café_contig"): read as Latin-1 too, and said, rather than
            // the sequence lost for one accented letter (trial 24 T24-5).
            header = QString::fromLatin1(trimmed);
            record.notes << errorAt(record.headerLine, QStringLiteral("record '%1': its id is not UTF-8 (%2): read as Latin-1; the outputs name it so")
                                                         .arg(QString::fromLatin1(trimmed.left(idEnd)), byte))
                              .message();
        } else {
            problem = Error(header.error().message() + QStringLiteral(" (in the header's id)"));
        }
    }
    if (header) {
        const QString text = header->trimmed();
        const qsizetype space = text.indexOf(QRegularExpression(QStringLiteral("\\s")));
        record.id = space < 0 ? text : text.left(space);
        record.description = space < 0 ? QString() : text.mid(space + 1).trimmed();
        if (record.id.isEmpty())
            problem = errorAt(record.headerLine, QStringLiteral("empty sequence id after '>'"));
        else if (record.id.size() > m_limits.maxIdLength)
            problem = errorAt(record.headerLine, QStringLiteral("sequence id is %1 characters long, the limit is %2")
                                                     .arg(record.id.size()).arg(m_limits.maxIdLength));
    }

    for (;;) {
        auto line = m_lines->next();
        if (!line)
            return line.error(); // the stream broke: the record so far is not returned as if whole
        if (!line->has_value())
            break;
        QByteArray text = std::move(**line);
        if (text.startsWith('>')) {
            m_pendingHeader = text;
            m_pendingHeaderLine = m_lines->lineNumber();
            break;
        }
        if (text.endsWith('\x1a'))
            text.chop(1); // a DOS end-of-file mark (Ctrl-Z), as `copy /a` and old editors write at the end
        if (problem) { // skip the rest of a bad record, up to a header joined to one of its lines
            if (const qsizetype joined = text.indexOf('>'); joined > 0) {
                m_pendingHeader = text.mid(joined);
                m_pendingHeaderLine = m_lines->lineNumber();
                break;
            }
            continue;
        }
        bool joinedHeader = false;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (isSequenceChar(c)) {
                record.sequence.append(c);
            } else if (c == '>') {
                // A header joined to the sequence line before it: the record ends here, the next begins.
                m_pendingHeader = text.mid(i);
                m_pendingHeaderLine = m_lines->lineNumber();
                record.notes << errorAt(m_lines->lineNumber(), QStringLiteral("record '%1': a header ('%2') starts at byte %3 of a sequence line, joined to it "
                                                                            "(files concatenated, the first without its final newline?): read as the end of "
                                                                            "'%1' and the start of the next record")
                                                                 .arg(record.id, QString::fromUtf8(text.mid(i, 40)).section(QLatin1Char(' '), 0, 0), QString::number(i + 1)))
                                  .message();
                joinedHeader = true;
                break;
            } else if (!isBlank(c)) {
                if (const qsizetype joined = text.indexOf('>', i); joined > 0) { // the record ends there: the next one is read
                    m_pendingHeader = text.mid(joined);
                    m_pendingHeaderLine = m_lines->lineNumber();
                    joinedHeader = true;
                }
                problem = errorAt(m_lines->lineNumber(),
                                  QStringLiteral("record '%1': unexpected character '%2' at byte %3; expected %4")
                                      .arg(record.id, c >= 32 && c < 127 ? QString(QLatin1Char(c)) : QStringLiteral("\\x%1").arg(uchar(c), 2, 16, QLatin1Char('0')),
                                           QString::number(i + 1),
                                           m_limits.alphabet == SequenceAlphabet::Nucleotide
                                               ? QStringLiteral("nucleotide letters (A, C, G, T/U, N or IUPAC codes), '-' or '.'")
                                               : QStringLiteral("sequence letters, '*', '-' or '.'")));
                break;
            }
        }
        if (!problem && record.sequence.size() > m_limits.maxSequenceLength)
            problem = errorAt(m_lines->lineNumber(), QStringLiteral("record '%1' is longer than the limit of %2 letters")
                                                        .arg(record.id, QString::number(m_limits.maxSequenceLength)));
        if (joinedHeader)
            break;
    }
    if (problem)
        return *problem;
    if (record.sequence.isEmpty() && !m_limits.allowEmptySequence)
        return errorAt(record.headerLine, QStringLiteral("record '%1' has no sequence").arg(record.id));
    if (auto notNucleotide = checkAlphabet(record))
        return *notNucleotide;
    return std::optional<FastaRecord>(std::move(record));
}

} // namespace bioforge::core
