#include "io/delimited_file.h"

#include "io/text_decoding.h"

#include <algorithm>

namespace bioforge::annotation {

core::Expected<std::unique_ptr<DelimitedFile>> DelimitedFile::open(const QString& path, Options options)
{
    auto lines = core::LineReader::open(path);
    if (!lines)
        return lines.error();
    std::unique_ptr<DelimitedFile> f(new DelimitedFile);
    f->m_lines = std::move(*lines);
    f->m_options = options;
    return f;
}

core::Error DelimitedFile::errorAt(const QString& message) const
{
    return core::Error(QStringLiteral("%1:%2: %3").arg(path(), QString::number(line()), message));
}

core::Status DelimitedFile::poll(qint64 row, const StreamControl& control, qint64 every, qint64 offset, qint64 total) const
{
    if (row % every != 0)
        return core::okStatus();
    if (control.progress)
        control.progress(offset + bytesRead(), total < 0 ? fileSize() : total);
    if (control.stopped())
        return core::Error(QStringLiteral("%1: stopped").arg(path()));
    return core::okStatus();
}

core::Status DelimitedFile::readHeader(const QStringList& required)
{
    std::optional<QByteArray> headerLine;
    for (;;) {
        auto l = m_lines->next();
        if (!l)
            return l.error();
        if (!*l)
            return core::Error(QStringLiteral("%1: the file is empty (expected a header line with %2)")
                                   .arg(path(), required.isEmpty() ? QStringLiteral("column names") : required.join(QStringLiteral(", "))));
        if (m_options.commentHash && (*l)->startsWith('#')) {
            headerLine = **l; // the last comment line before the data may be the header
            continue;
        }
        if (m_options.commentHash && headerLine) {
            m_pending = **l;
            break;
        }
        headerLine = **l;
        break;
    }
    // The whole line decoded, then its '#' dropped: a byte named in an error counts from the line's start.
    auto text = core::decodeUtf8Line(*headerLine, path(), line());
    if (!text)
        return text.error();
    if (text->startsWith(QLatin1Char('#')))
        text->remove(0, 1);
    m_header.clear();
    for (const QString& name : m_options.collapseSpaces ? text->split(QLatin1Char(' '), Qt::SkipEmptyParts)
                                                        : text->split(QLatin1Char(m_options.delimiter)))
        m_header << QString::fromUtf8(unquoted(name.toUtf8())).trimmed();
    QStringList missing;
    for (const QString& r : required)
        if (!m_header.contains(r))
            missing << r;
    if (missing.isEmpty())
        return core::okStatus();
    // A column spelt another way ("lof_oe_ci_upper" for "lof.oe_ci.upper", a case changed) is named,
    // wherever it is in a long header.
    const auto folded = [](const QString& name) {
        QString f;
        for (const QChar c : name)
            if (c.isLetterOrNumber())
                f += c.toLower();
        return f;
    };
    QStringList spelt;
    for (const QString& r : missing)
        for (const QString& h : std::as_const(m_header))
            if (folded(h) == folded(r))
                spelt << QStringLiteral("'%1' for %2").arg(h, r);
    constexpr qsizetype kShown = 12;
    QString found = m_header.mid(0, kShown).join(QStringLiteral(", "));
    if (m_header.size() > kShown)
        found += QStringLiteral(" and %1 more").arg(m_header.size() - kShown);
    return core::Error(QStringLiteral("%1: the header lacks %2 (found: %3)%4; is this the right file?")
                           .arg(path(), missing.join(QStringLiteral(", ")), found,
                                spelt.isEmpty() ? QString() : QStringLiteral("; it has %1, spelt otherwise").arg(spelt.join(QStringLiteral(", ")))));
}

core::Expected<QList<QByteArray>> DelimitedFile::skipLines(int n)
{
    QList<QByteArray> out;
    for (int i = 0; i < n; ++i) {
        auto l = m_lines->next();
        if (!l)
            return l.error();
        if (!*l)
            return core::Error(QStringLiteral("%1: the file ends after %2 lines (expected at least %3)").arg(path(), QString::number(i), QString::number(n)));
        out << **l;
    }
    return out;
}

core::Expected<std::optional<QList<QByteArrayView>>> DelimitedFile::next()
{
    for (;;) {
        if (m_pending) {
            m_current = std::move(*m_pending);
            m_pending.reset();
        } else {
            auto l = m_lines->next();
            if (!l)
                return l.error();
            if (!*l)
                return std::optional<QList<QByteArrayView>>();
            m_current = std::move(**l);
        }
        if (m_current.isEmpty() || (m_options.commentHash && m_current.startsWith('#')))
            continue;
        break;
    }
    m_fields.clear();
    const QByteArrayView all(m_current);
    if (m_options.collapseSpaces) {
        qsizetype i = 0;
        while (i < all.size()) {
            while (i < all.size() && all[i] == ' ')
                ++i;
            const qsizetype start = i;
            while (i < all.size() && all[i] != ' ')
                ++i;
            if (i > start)
                m_fields << all.sliced(start, i - start);
        }
    } else {
        qsizetype start = 0;
        for (;;) {
            const qsizetype at = all.indexOf(m_options.delimiter, start);
            if (at < 0) {
                m_fields << all.sliced(start);
                break;
            }
            m_fields << all.sliced(start, at - start);
            start = at + 1;
        }
    }
    if (!m_header.isEmpty() && m_fields.size() != m_header.size())
        return errorAt(QStringLiteral("%1 fields where the header has %2").arg(m_fields.size()).arg(m_header.size()));
    return std::optional<QList<QByteArrayView>>(m_fields);
}

core::Expected<QString> DelimitedFile::text(QByteArrayView field) const
{
    if (core::firstInvalidUtf8(field) < 0 || field.data() < m_current.constData() || field.data() + field.size() > m_current.constData() + m_current.size())
        return core::decodeUtf8Line(field.toByteArray(), path(), line());
    // A byte named in the error counts from the line's start, as every reader's (it counted from the
    // field's): the field decoded behind as many ASCII spaces as bytes before it in the line.
    return core::decodeUtf8Line(QByteArray(field.data() - m_current.constData(), ' ') + field.toByteArray(), path(), line());
}

QByteArrayView unquoted(QByteArrayView field)
{
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
        return field.sliced(1, field.size() - 2);
    return field;
}

QStringList splitList(const QString& field, QChar separator)
{
    QStringList out;
    for (const QString& part : field.split(separator, Qt::SkipEmptyParts)) {
        const QString t = part.trimmed();
        if (!t.isEmpty())
            out << t;
    }
    return out;
}

core::Expected<std::optional<double>> DelimitedFile::number(QByteArrayView field, const QString& column) const
{
    field = field.trimmed();
    if (field.isEmpty() || field == "NA" || field == "NaN" || field == "nan" || field == "." || field == "-")
        return std::optional<double>();
    bool ok = false;
    const double v = field.toDouble(&ok);
    if (!ok)
        return errorAt(QStringLiteral("column %1: '%2' is not a number").arg(column, QString::fromUtf8(field.first(std::min<qsizetype>(40, field.size())).toByteArray())));
    return std::optional<double>(v);
}

} // namespace bioforge::annotation
