#include "pipeline/contig_source.h"

#include <QFileInfo>

namespace bioforge::viral {

core::Expected<std::optional<SourceContig>> ContigSource::next()
{
    for (;;) {
        if (!m_reader) {
            if (m_current + 1 >= m_files.size())
                return std::optional<SourceContig>();
            ++m_current;
            auto reader = core::FastaReader::open(m_files[m_current]);
            if (!reader)
                return reader.error();
            m_reader = std::move(*reader);
        }
        auto record = m_reader->next();
        if (!record) {
            m_warnings << record.error().message(); // names file and line; the reader goes on
            continue;
        }
        if (!*record) {
            m_doneBytes += m_reader->fileSize();
            m_reader.reset();
            continue;
        }
        SourceContig c;
        c.file = m_current;
        c.id = (*record)->id.toStdString();
        c.sequence = (*record)->sequence.toUpper().toStdString();
        return std::optional<SourceContig>(std::move(c));
    }
}

qint64 ContigSource::bytesRead() const { return m_doneBytes + (m_reader ? m_reader->bytesConsumed() : 0); }

qint64 ContigSource::totalBytes() const
{
    qint64 total = 0;
    for (const QString& f : m_files)
        total += QFileInfo(f).size();
    return total;
}

} // namespace bioforge::viral
