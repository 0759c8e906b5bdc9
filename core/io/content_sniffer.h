#pragma once

// What the first bytes of a file say it is, for messages that tell a user
// what they gave us ("this looks like FASTQ") instead of failing later on a
// confusing symptom. Magic numbers from each format's specification:
// gzip (RFC 1952), bzip2 ("BZh"), xz (FD 37 7A 58 5A 00), zstd (28 B5 2F FD),
// zip ("PK\3\4"), 7-Zip, BAM/BGZF (SAMv1 spec §4), CRAM, SQLite, GGUF, PDF.

#include <QByteArray>
#include <QString>

namespace bioforge::core {

enum class Compression { None, Gzip, Other };

struct CompressionGuess {
    Compression kind = Compression::None;
    QString name;        // "gzip", "bzip2", "xz", "zstd", "zip", "7-Zip", "lz4"
    QString decompressHint; // a command that turns it into plain text, for the message
    // An office document ("an Excel workbook (.xlsx)", named "…, not a text table"), not a packed
    // file: what it is, without the advice to make a table of it; empty for anything else.
    QString document() const
    {
        const qsizetype cut = name.indexOf(QLatin1String(", not"));
        return cut > 0 ? name.left(cut) : QString();
    }
    // For "the file is …": "gzip-compressed", "a zip archive".
    QString description() const
    {
        return name.startsWith(QLatin1String("a ")) || name.startsWith(QLatin1String("an ")) ? name : name + QStringLiteral("-compressed");
    }
};

// From the raw (undecoded) first bytes of a file; give kSniffBytes to tell a spreadsheet
// (.xlsx, .ods) from another zip by its entries' names.
CompressionGuess sniffCompression(const QByteArray& rawHead);
inline constexpr qsizetype kSniffBytes = 4096;

// A short description of binary content ("BAM (aligned reads)", "an SQLite
// database", …), or of unrecognised binary data with the offset of its
// first NUL byte. `head` is the decompressed start of the file.
QString describeBinary(const QByteArray& head);

// What a text file's start looks like when it is not what a reader expected:
// "FASTQ (sequencing reads)", "SAM (aligned reads)", "GenBank", "EMBL",
// "an HTML page", "JSON", "FASTA (sequences)", or an empty string when nothing
// is recognised.
QString describeText(const QByteArray& head);

// True when `head` (a file's first bytes, at least 16) starts as an SQLite 3 database does
// ("SQLite format 3\0", https://sqlite.org/fileformat.html 1.3.1).
bool looksLikeSqlite(const QByteArray& head);

// True when the decompressed start holds a NUL byte (text formats never do).
bool looksBinary(const QByteArray& head);

} // namespace bioforge::core
