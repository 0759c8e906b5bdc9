#include "io/line_reader.h"

#include "io/content_sniffer.h"

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace bioforge::core {
namespace {
constexpr int kChunk = 1 << 17;        // the most read at once, and zlib's buffer (gzbuffer)
constexpr int kSmallestChunk = 1 << 12;
constexpr qsizetype kHeadBytes = 1 << 16;
constexpr qsizetype kMaxLineBytes = qsizetype(1) << 30; // a single line above 1 GiB is refused

// A file smaller than kChunk is read in chunks of about its size (a gzip file: of four times its
// size), so opening many small files does not pay for buffers of 128 KiB each (ours and zlib's);
// under AddressSanitizer those were ~30 % of a fuzz input's time (docs/reliability.md).
int chunkFor(qint64 fileSize, bool compressed)
{
    const qint64 want = (compressed ? 4 * fileSize : fileSize) + 1;
    int chunk = kSmallestChunk;
    while (chunk < kChunk && chunk < want)
        chunk <<= 1;
    return chunk;
}
}

LineReader::~LineReader()
{
    if (m_gz)
        gzclose(static_cast<gzFile>(m_gz));
}

Expected<std::unique_ptr<LineReader>> LineReader::open(const QString& path, const QString& expected)
{
    std::unique_ptr<LineReader> reader(new LineReader);
    reader->m_path = path;
    const QFileInfo info(path);
    if (!info.exists())
        return Error(QStringLiteral("%1: no such file").arg(path));
    if (!info.isFile())
        return Error(QStringLiteral("%1: not a regular file").arg(path));
    reader->m_fileSize = info.size();
    QFile raw(path);
    if (!raw.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open for reading: %2").arg(path, raw.errorString()));
    const CompressionGuess compression = sniffCompression(raw.read(kSniffBytes));
    raw.close();
    if (!compression.document().isEmpty() && !expected.isEmpty())
        return Error(QStringLiteral("%1: the file is %2, not %3").arg(path, compression.document(), expected));
    if (compression.kind == Compression::Other)
        return Error(QStringLiteral("%1: the file is %2; only plain text and gzip are read (%3)")
                         .arg(path, compression.description(),
                              compression.decompressHint));
    reader->m_compressed = compression.kind == Compression::Gzip;
    reader->m_chunk = chunkFor(reader->m_fileSize, reader->m_compressed);
    gzFile gz = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!gz)
        return Error(QStringLiteral("%1: cannot open for reading").arg(path));
    gzbuffer(gz, unsigned(reader->m_chunk));
    reader->m_gz = gz;

    // Read the head: skip a UTF-8 byte-order mark, refuse what is not text.
    while (reader->m_buffer.size() < kHeadBytes && reader->fill()) {
    }
    // A compressed stream damaged before its first byte is not an empty file (a batch skips those:
    // review 68 R68-3): Kind::Io, as a stream failure met later is.
    if (reader->m_failed && reader->m_buffer.isEmpty())
        return Error(QStringLiteral("%1: %2").arg(path, reader->m_failure), Error::Kind::Io);
    if (reader->m_buffer.startsWith("\xef\xbb\xbf"))
        reader->m_pos = 3;
    reader->m_head = reader->m_buffer.mid(reader->m_pos, kHeadBytes);
    if (reader->m_head.startsWith("\xff\xfe") || reader->m_head.startsWith("\xfe\xff"))
        return Error(QStringLiteral("%1: the file is UTF-16 text; save it as UTF-8").arg(path));
    // What gzip holds is compressed again (a file gzipped twice, an archive gzipped): say so, not
    // "binary data".
    if (const CompressionGuess inner = sniffCompression(reader->m_head); reader->m_compressed && inner.kind != Compression::None && inner.document().isEmpty()) {
        if (inner.kind == Compression::Gzip)
            return Error(QStringLiteral("%1: the file is gzip-compressed twice: decompress it once (gunzip -c FILE > NEW) and give the result").arg(path));
        return Error(QStringLiteral("%1: the file is gzip-compressed, and what it holds is %2: only plain text and gzip are read (gunzip -c FILE > NEW, "
                                    "then %3)")
                         .arg(path, inner.description(), QString(inner.decompressHint).replace(QLatin1String("FILE"), QLatin1String("NEW"))));
    }
    if (looksBinary(reader->m_head))
        return Error(QStringLiteral("%1: this looks like %2, not text").arg(path, describeBinary(reader->m_head)));
    return reader;
}

bool LineReader::fill()
{
    if (m_eof || m_failed)
        return false;
    if (m_pos > 0) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype old = m_buffer.size();
    if (m_buffer.capacity() < old + m_chunk)
        m_buffer.reserve(std::max<qsizetype>(2 * m_buffer.capacity(), old + m_chunk)); // amortised growth for very long lines
    m_buffer.resize(old + m_chunk);
    gzFile gz = static_cast<gzFile>(m_gz);
    const int got = gzread(gz, m_buffer.data() + old, unsigned(m_chunk));
    int code = Z_OK;
    const char* message = gzerror(gz, &code);
    m_buffer.resize(old + std::max(got, 0));
    if (got < 0 || (code != Z_OK && code != Z_STREAM_END)) {
        // Z_BUF_ERROR: the input ended inside a compressed stream (a truncated file).
        m_failure = code == Z_BUF_ERROR ? QStringLiteral("the compressed data ends early (the gzip file is truncated)")
                                        : QStringLiteral("the compressed data is damaged (%1)").arg(QString::fromUtf8(message));
        m_failed = true;
        return got > 0;
    }
    if (got == 0)
        m_eof = true;
    return got > 0;
}

Error LineReader::streamError()
{
    m_failed = false;
    m_streamError = true;
    m_eof = true;
    m_buffer.clear();
    m_pos = 0;
    m_scanned = 0;
    return Error(QStringLiteral("%1:%2: %3; nothing after this point was read").arg(m_path, QString::number(m_lineNumber + 1), m_failure));
}

Expected<std::optional<QByteArray>> LineReader::next()
{
    if (m_streamError)
        return std::optional<QByteArray>();
    for (;;) {
        const char* data = m_buffer.constData();
        const qsizetype size = m_buffer.size();
        qsizetype end = m_pos + m_scanned;
        while (end < size && data[end] != '\n' && data[end] != '\r')
            ++end;
        // A CR at the end of the buffer may be the first half of a CRLF: read on before deciding.
        const bool crAtEdge = end == size - 1 && data[end] == '\r' && !m_eof && !m_failed;
        if (end < size && !crAtEdge) {
            QByteArray line = m_buffer.mid(m_pos, end - m_pos);
            m_pos = end + (data[end] == '\r' && end + 1 < size && data[end + 1] == '\n' ? 2 : 1);
            m_scanned = 0;
            ++m_lineNumber;
            return std::optional<QByteArray>(std::move(line));
        }
        m_scanned = end - m_pos;
        if (m_scanned > kMaxLineBytes)
            return Error(QStringLiteral("%1:%2: line longer than %3 bytes").arg(m_path, QString::number(m_lineNumber + 1), QString::number(kMaxLineBytes)));
        if (!fill()) {
            if (m_failed)
                return streamError(); // a truncated stream's last, partial line is not returned as if whole
            if (m_pos >= m_buffer.size())
                return std::optional<QByteArray>();
            QByteArray line = m_buffer.mid(m_pos);
            if (line.endsWith('\r'))
                line.chop(1);
            m_pos = m_buffer.size();
            m_scanned = 0;
            ++m_lineNumber;
            return std::optional<QByteArray>(std::move(line));
        }
    }
}

qint64 LineReader::compressedOffset() const
{
    const z_off_t off = gzoffset(static_cast<gzFile>(m_gz));
    return off < 0 ? 0 : qint64(off);
}

} // namespace bioforge::core
