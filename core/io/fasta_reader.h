#pragma once

// Streaming FASTA reader: plain or gzip, multi-line records, any line ends
// (through LineReader), upper and lower case. A file that is not FASTA at all
// (empty, FASTQ, SAM, BAM, another compression, …) is refused at open() with
// what it looks like. A bad record is reported with file and line and the
// reader carries on with the next record, so one bad record never loses the
// rest of the file; a broken stream (truncated gzip) ends the file with an
// error and streamFailed() tells the two apart. Two repairs are made and said
// in the record's notes: a header that is not UTF-8 (an old NCBI/EMBL or LIMS
// export's Latin-1 'é', in its description or its id) keeps its record, read
// as Latin-1; a '>' inside a sequence line (two files concatenated, the
// first without its final newline) ends the record there and starts the next.

#include "io/line_reader.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace bioforge::core {

struct FastaRecord {
    QString id;          // header up to the first white space
    QString description; // rest of the header line
    QByteArray sequence; // letters as in the file (case kept), white space removed
    qint64 headerLine = 0;
    // What was read otherwise than written, each for the caller to warn of: a description that
    // is not UTF-8 read as Latin-1, a header joined to a sequence line.
    QStringList notes{};
};

enum class SequenceAlphabet {
    Any,
    // Nucleotides: a record is refused as "looks like protein" when less than
    // 90 % of its letters are A, C, G, T, U or N, unless all its letters are
    // IUPAC nucleotide codes: then it is read when at least half are A, C, G,
    // T, U or N, else refused as "mostly IUPAC ambiguity codes". A '*' (a
    // translation's stop mark) in a record otherwise nucleotides is refused too.
    Nucleotide,
};

struct FastaLimits {
    qint64 maxIdLength = 1000;
    qint64 maxSequenceLength = qint64(1) << 31;
    bool allowEmptySequence = false;
    SequenceAlphabet alphabet = SequenceAlphabet::Any;
};

class FastaReader {
public:
    static Expected<std::unique_ptr<FastaReader>> open(const QString& path, FastaLimits limits = {});

    // The next record; nullopt at the end. After a record error the next call
    // goes on with the record after the bad one.
    Expected<std::optional<FastaRecord>> next();
    // The last error ended the file (the stream broke): nothing more will come.
    bool streamFailed() const { return m_lines->failed(); }
    qint64 bytesConsumed() const { return m_lines->compressedOffset(); }
    qint64 fileSize() const { return m_lines->fileSize(); }
    const QString& path() const { return m_lines->path(); }

    // Fraction of a sequence's letters that are A, C, G, T, U or N (any case); 1 for no letters.
    static double nucleotideFraction(const QByteArray& sequence);

private:
    FastaReader() = default;
    Error errorAt(qint64 line, const QString& what) const;
    std::optional<Error> checkAlphabet(const FastaRecord& record) const;

    std::unique_ptr<LineReader> m_lines;
    FastaLimits m_limits;
    std::optional<QByteArray> m_pendingHeader;
    qint64 m_pendingHeaderLine = 0;
    bool m_started = false;
};

} // namespace bioforge::core
