#include "io/line_reader.h"

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace bioforge::core {
namespace {
constexpr int kChunk = 1 << 17;
constexpr qsizetype kMaxLineBytes = qsizetype(1) << 30; // a single line above 1 GiB is refused
}

LineReader::~LineReader()
{
    if (m_gz)
        gzclose(static_cast<gzFile>(m_gz));
}

Expected<std::unique_ptr<LineReader>> LineReader::open(const QString& path)
{
    std::unique_ptr<LineReader> reader(new LineReader);
    reader->m_path = path;
    const QFileInfo info(path);
    if (!info.exists())
        return Error(QStringLiteral("%1: no such file").arg(path));
    if (!info.isFile())
        return Error(QStringLiteral("%1: not a regular file").arg(path));
    reader->m_fileSize = info.size();
    gzFile gz = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!gz)
        return Error(QStringLiteral("%1: cannot open for reading").arg(path));
    gzbuffer(gz, kChunk);
    reader->m_gz = gz;
    return reader;
}

bool LineReader::fill()
{
    if (m_eof)
        return false;
    if (m_pos > 0) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype old = m_buffer.size();
    m_buffer.resize(old + kChunk);
    const int got = gzread(static_cast<gzFile>(m_gz), m_buffer.data() + old, kChunk);
    if (got < 0) {
        m_failed = true;
        m_buffer.resize(old);
        return false;
    }
    m_buffer.resize(old + got);
    if (got == 0)
        m_eof = true;
    return got > 0;
}

Expected<std::optional<QByteArray>> LineReader::next()
{
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', m_pos);
        if (nl >= 0) {
            QByteArray line = m_buffer.mid(m_pos, nl - m_pos);
            m_pos = nl + 1;
            if (line.endsWith('\r'))
                line.chop(1);
            ++m_lineNumber;
            return std::optional<QByteArray>(std::move(line));
        }
        if (m_buffer.size() - m_pos > kMaxLineBytes)
            return Error(QStringLiteral("%1:%2: line longer than %3 bytes").arg(m_path).arg(m_lineNumber + 1).arg(kMaxLineBytes));
        if (!fill()) {
            if (m_failed) {
                // Report a read error once; afterwards the file counts as ended.
                m_failed = false;
                m_eof = true;
                m_buffer.clear();
                m_pos = 0;
                int code = 0;
                const char* msg = gzerror(static_cast<gzFile>(m_gz), &code);
                return Error(QStringLiteral("%1:%2: read error (%3); the file may be truncated or not valid gzip")
                                 .arg(m_path).arg(m_lineNumber + 1).arg(QString::fromLatin1(msg)));
            }
            if (m_pos >= m_buffer.size())
                return std::optional<QByteArray>();
            QByteArray line = m_buffer.mid(m_pos);
            m_pos = m_buffer.size();
            if (line.endsWith('\r'))
                line.chop(1);
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
