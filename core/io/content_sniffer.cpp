#include "io/content_sniffer.h"

#include <QList>
#include <QtEndian>

#include <algorithm>

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

// The names of a zip's entries whose local file headers lie in `raw` (APPNOTE 4.3.7: general
// purpose flags at offset 6, compressed size at 18, name and extra field lengths at 26 and 28, the
// name from 30), up to the end of `raw`; `stopped` when an entry's sizes follow its data (flag bit
// 3), so the entries after it could not be found.
struct ZipListing {
    QList<QByteArray> names;
    bool stopped = false;
};

ZipListing zipEntries(const QByteArray& raw)
{
    ZipListing out;
    const auto* bytes = reinterpret_cast<const uchar*>(raw.constData());
    qsizetype at = 0;
    while (at >= 0 && at + 30 <= raw.size() && std::equal(bytes + at, bytes + at + 4, "PK\x03\x04")) {
        const quint16 nameLength = qFromLittleEndian<quint16>(bytes + at + 26);
        out.names << raw.mid(at + 30, nameLength);
        if (qFromLittleEndian<quint16>(bytes + at + 6) & 0x8) {
            out.stopped = true;
            break;
        }
        at += 30 + qsizetype(nameLength) + qFromLittleEndian<quint16>(bytes + at + 28) + qsizetype(qFromLittleEndian<quint32>(bytes + at + 18));
    }
    return out;
}

// A zip's entries tell a spreadsheet from an archive: unzipping an .xlsx gives XML parts, not a
// table. Office Open XML (ECMA-376 Part 2) has the parts "[Content_Types].xml" and "_rels/.rels"
// in no fixed order (some writers put the content types last), "docProps/…", and "xl/…" for Excel
// or "word/…" for Word; OpenDocument (ODF 1.2 Part 3 §3.3) a stored first entry "mimetype"
// holding the media type. A plain archive with a folder named xl/ is an archive.
CompressionGuess zipContent(const QByteArray& raw)
{
    const ZipListing zip = zipEntries(raw);
    const auto is = [&zip](const char* name) { return zip.names.contains(name); };
    const auto named = [&zip](const char* folder) {
        return std::any_of(zip.names.begin(), zip.names.end(), [folder](const QByteArray& n) { return n.startsWith(folder); });
    };
    if (zip.names.value(0) == "mimetype" && raw.contains("application/vnd.oasis.opendocument.spreadsheet"))
        return {Compression::Other, QStringLiteral("an OpenDocument spreadsheet (.ods), not a text table"),
                QStringLiteral("save the sheet as CSV: File > Save As > Text CSV, and give that file")};
    if (zip.names.value(0) == "mimetype" && raw.contains("application/vnd.oasis.opendocument"))
        return {Compression::Other, QStringLiteral("an OpenDocument file (.odt, .odp …), not text"), QStringLiteral("save it as plain text or CSV")};
    // Past an entry written with its sizes after its data the names are looked for in the bytes.
    const bool ooxml = is("[Content_Types].xml") || is("_rels/.rels") || named("docProps/") || is("xl/workbook.xml") || named("xl/worksheets/")
                       || is("word/document.xml") || (zip.stopped && (raw.contains("[Content_Types].xml") || raw.contains("_rels/.rels")));
    if (ooxml) {
        if (named("xl/") || (!named("word/") && zip.stopped && raw.contains("xl/")))
            return {Compression::Other, QStringLiteral("an Excel workbook (.xlsx), not a text table"),
                    QStringLiteral("save the sheet as CSV: File > Save As > CSV UTF-8, and give that file")};
        if (named("word/") || (zip.stopped && raw.contains("word/")))
            return {Compression::Other, QStringLiteral("a Word document (.docx), not text"), QStringLiteral("save it as plain text (.txt)")};
        return {Compression::Other, QStringLiteral("an Office document (Excel, Word …), not text"), QStringLiteral("save it as CSV or plain text")};
    }
    // torch.save's file since PyTorch 1.6: a zip whose first entry is ARCHIVE/data.pkl (a pickle).
    if (std::any_of(zip.names.begin(), zip.names.end(), [](const QByteArray& n) { return n.endsWith("/data.pkl"); })
        || (zip.stopped && raw.contains("/data.pkl")))
        return {Compression::Other, QStringLiteral("a PyTorch checkpoint (torch.save: a zip of pickled objects, which is never loaded here)"),
                QStringLiteral("convert it to safetensors")};
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

bool looksLikeSqlite(const QByteArray& head) { return startsWith(head, "SQLite format 3\x00", 16); }

QString describeBinary(const QByteArray& head)
{
    if (startsWith(head, "BAM\x01", 4))
        return QStringLiteral("BAM (aligned reads)");
    if (startsWith(head, "CRAM", 4))
        return QStringLiteral("CRAM (aligned reads)");
    if (startsWith(head, "BCF\x02", 4))
        return QStringLiteral("BCF (variant calls)");
    if (looksLikeSqlite(head))
        return QStringLiteral("an SQLite database");
    if (startsWith(head, "GGUF", 4))
        return QStringLiteral("a GGUF model");
    if (startsWith(head, "%PDF", 4))
        return QStringLiteral("a PDF document");
    if (startsWith(head, "\x89PNG", 4))
        return QStringLiteral("a PNG image");
    if (startsWith(head, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) {
        // An OLE2 compound file ([MS-CFB] 2.2): Excel 97-2003 names its stream "Workbook", Word its "WordDocument"
        // (UTF-16 directory entries, found when the directory lies in the bytes read).
        const auto utf16 = [](const char* name) {
            QByteArray out;
            for (const char* c = name; *c; ++c)
                out.append(*c).append('\0');
            return out;
        };
        if (head.contains(utf16("Workbook")) || head.contains(utf16("Book") + QByteArray(2, '\0')))
            return QStringLiteral("a legacy Excel workbook (.xls: save the sheet as CSV, File > Save As > CSV UTF-8, and give that file)");
        if (head.contains(utf16("WordDocument")))
            return QStringLiteral("a legacy Word document (.doc: save it as plain text)");
        return QStringLiteral("a legacy Microsoft Office file (.xls, .doc …, an OLE2 compound document: save a sheet as CSV, a document as plain text)");
    }
    if (startsWith(head, "PK\x03\x04", 4)) // what the zip holds (an .xlsx, torch.save's checkpoint, …)
        return sniffCompression(head).name;
    // torch.save's file before PyTorch 1.6: the pickle itself (protocol 2: 0x80 0x02), never unpickled here.
    if (head.size() >= 2 && uchar(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5)
        return QStringLiteral("a Python pickle (an older PyTorch checkpoint?), which is never loaded here");
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
    if (first.startsWith('>'))
        return QStringLiteral("FASTA (sequences)");
    return {};
}

bool looksBinary(const QByteArray& head) { return head.contains('\0'); }

} // namespace bioforge::core
