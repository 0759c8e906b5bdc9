#include "io/csv_writer.h"

#include "io/atomic_file.h"

namespace bioforge::core {

QString CsvWriter::quoted(const QString& field) const
{
    const bool needsQuotes = field.contains(m_delimiter) || field.contains(QLatin1Char('"'))
                             || field.contains(QLatin1Char('\n')) || field.contains(QLatin1Char('\r'));
    if (!needsQuotes)
        return field;
    QString escaped = field;
    escaped.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

void CsvWriter::writeRow(const QStringList& fields)
{
    QStringList out;
    out.reserve(fields.size());
    for (const QString& f : fields)
        out.append(quoted(f));
    m_data.append(out.join(m_delimiter).toUtf8());
    m_data.append('\n');
}

Status CsvWriter::save(const QString& path) const
{
    return AtomicFile::write(path, m_data);
}

} // namespace bioforge::core
