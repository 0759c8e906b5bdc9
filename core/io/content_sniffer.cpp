#include "io/content_sniffer.h"

#include <QList>

namespace bioforge::core {
namespace {

bool startsWith(const QByteArray& head, const char* magic, qsizetype length)
{
    return head.size() >= length && std::equal(magic, magic + length, head.constData());
}

QList<QByteArray> lines(const QByteArray& head, int count)
{
    QList<QByteArray> out;
    QByteArray normalised = head;
    normalised.replace("\r\n", "\n").replace('\r', '\n');
    for (const QByteArray& l : normalised.split('\n')) {
        if (l.trimmed().isEmpty() && out.isEmpty())
            continue;
        out << l;
        if (out.size() == count)
            break;
    }
    return out;
}

// A zip's first entries' names (each local file header holds its name in the clear, APPNOTE
// 4.3.7) tell a spreadsheet from an archive: unzipping an .xlsx gives XML parts, not a table.
// Office Open XML (ECMA-376 Part 2): "[Content_Types].xml", then "xl/…" for Excel, "word/…" for
// Word; OpenDocument (ODF 1.2 Part 3 §3.3): a stored first entry "mimetype" with the media type.
CompressionGuess zipContent(const QByteArray& raw)
{
    if (raw.contains("application/vnd.oasis.opendocument.spreadsheet"))
        return {Compression::Other, QStringLiteral("an OpenDocument spreadsheet (.ods), not a text table"),
                QStringLiteral("save the sheet as CSV: File > Save As > Text CSV, and give that file")};
    if (raw.contains("application/vnd.oasis.opendocument"))
        return {Compression::Other, QStringLiteral("an OpenDocument file (.odt, .odp …), not text"), QStringLiteral("save it as plain text or CSV")};
    if (raw.contains("xl/"))
        return {Compression::Other, QStringLiteral("an Excel workbook (.xlsx), not a text table"),
                QStringLiteral("save the sheet as CSV: File > Save As > CSV UTF-8, and give that file")};
    if (raw.contains("word/"))
        return {Compression::Other, QStringLiteral("a Word document (.docx), not text"), QStringLiteral("save it as plain text (.txt)")};
    if (raw.contains("[Content_Types].xml"))
        return {Compression::Other, QStringLiteral("an Office document (Excel, Word …), not text"), QStringLiteral("save it as CSV or plain text")};
    return {Compression::Other, QStringLiteral("a zip archive"), QStringLiteral("unzip FILE and give the file inside")};
}

} // namespace

CompressionGuess sniffCompression(const QByteArray& raw)
{
    if (startsWith(raw, "\x1f\x8b", 2))
        return {Compression::Gzip, QStringLiteral("gzip"), QStringLiteral("gunzip")};
    if (startsWith(raw, "BZh", 3))
        return {Compression::Other, QStringLiteral("bzip2"), QStringLiteral("bunzip2 -k FILE, or recompress with gzip")};
    if (startsWith(raw, "\xfd" "7zXZ\x00", 6))
        return {Compression::Other, QStringLiteral("xz"), QStringLiteral("unxz -k FILE, or recompress with gzip")};
    if (startsWith(raw, "\x28\xb5\x2f\xfd", 4))
        return {Compression::Other, QStringLiteral("zstd"), QStringLiteral("unzstd FILE, or recompress with gzip")};
    if (startsWith(raw, "PK\x03\x04", 4) || startsWith(raw, "PK\x05\x06", 4))
        return zipContent(raw);
    if (startsWith(raw, "7z\xbc\xaf\x27\x1c", 6))
        return {Compression::Other, QStringLiteral("a 7-Zip archive"), QStringLiteral("7z x FILE and give the file inside")};
    if (startsWith(raw, "\x04\x22\x4d\x18", 4))
        return {Compression::Other, QStringLiteral("lz4"), QStringLiteral("unlz4 FILE, or recompress with gzip")};
    return {};
}

QString describeBinary(const QByteArray& head)
{
    if (startsWith(head, "BAM\x01", 4))
        return QStringLiteral("BAM (aligned reads)");
    if (startsWith(head, "CRAM", 4))
        return QStringLiteral("CRAM (aligned reads)");
    if (startsWith(head, "BCF\x02", 4))
        return QStringLiteral("BCF (variant calls)");
    if (startsWith(head, "SQLite format 3\x00", 16))
        return QStringLiteral("an SQLite database");
    if (startsWith(head, "GGUF", 4))
        return QStringLiteral("a GGUF model");
    if (startsWith(head, "%PDF", 4))
        return QStringLiteral("a PDF document");
    if (startsWith(head, "\x89PNG", 4))
        return QStringLiteral("a PNG image");
    if (startsWith(head, "\x7f" "ELF", 4))
        return QStringLiteral("a program (ELF)");
    if (startsWith(head, "\xff\xfe", 2) || startsWith(head, "\xfe\xff", 2))
        return QStringLiteral("UTF-16 text (save it as UTF-8)");
    const qsizetype nul = head.indexOf('\0');
    return nul < 0 ? QStringLiteral("binary data") : QStringLiteral("binary data (a NUL byte at offset %1)").arg(nul);
}

QString describeText(const QByteArray& head)
{
    const QList<QByteArray> l = lines(head, 4);
    if (l.isEmpty())
        return {};
    const QByteArray& first = l.first();
    if (first.startsWith('@') && l.size() >= 3 && l[2].startsWith('+'))
        return QStringLiteral("FASTQ (sequencing reads; convert with 'seqtk seq -A FILE')");
    if (first.startsWith("@HD\t") || first.startsWith("@SQ\t") || first.count('\t') >= 10)
        return QStringLiteral("SAM (aligned reads)");
    if (first.startsWith("LOCUS "))
        return QStringLiteral("GenBank");
    if (first.startsWith("ID   "))
        return QStringLiteral("EMBL");
    if (first.startsWith("##fileformat=VCF"))
        return QStringLiteral("VCF (variant calls)");
    if (first.startsWith("##gff-version") || first.startsWith("##gtf"))
        return QStringLiteral("GFF/GTF (annotations)");
    const QByteArray lower = first.trimmed().toLower();
    if (lower.startsWith("<!doctype html") || lower.startsWith("<html"))
        return QStringLiteral("an HTML page (a download that returned an error page?)");
    if (lower.startsWith("<?xml"))
        return QStringLiteral("XML");
    if (lower.startsWith('{') || lower.startsWith('['))
        return QStringLiteral("JSON");
    if (first.startsWith('@'))
        return QStringLiteral("FASTQ (sequencing reads; convert with 'seqtk seq -A FILE')");
    return {};
}

bool looksBinary(const QByteArray& head) { return head.contains('\0'); }

} // namespace bioforge::core
