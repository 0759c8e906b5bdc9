#include "identity/gene_list.h"

#include "io/line_reader.h"
#include "io/text_decoding.h"

#include <QRegularExpression>
#include <QSet>

namespace bioforge::annotation {
namespace {

bool isTitle(const QString& token)
{
    static const QSet<QString> titles{QStringLiteral("gene"), QStringLiteral("genes"), QStringLiteral("symbol"), QStringLiteral("gene_symbol"),
                                      QStringLiteral("genesymbol"), QStringLiteral("gene symbol"), QStringLiteral("hgnc_id"), QStringLiteral("hgnc id"),
                                      QStringLiteral("gene_id"), QStringLiteral("approved_symbol"), QStringLiteral("approved symbol")};
    return titles.contains(token.trimmed().toLower());
}

void addLine(QList<GeneListEntry>& out, const QString& rawLine, qint64 line, bool first)
{
    QString text = rawLine;
    if (const qsizetype hash = text.indexOf(QLatin1Char('#')); hash >= 0)
        text.truncate(hash);
    if (first && isTitle(text))
        return;
    static const QRegularExpression separators(QStringLiteral("[,;\\t\\s]+"));
    for (const QString& token : text.split(separators, Qt::SkipEmptyParts)) {
        QString t = token.trimmed();
        if (t.size() >= 2 && t.startsWith(QLatin1Char('"')) && t.endsWith(QLatin1Char('"')))
            t = t.mid(1, t.size() - 2).trimmed();
        if (!t.isEmpty())
            out.append({t, line});
    }
}

} // namespace

QList<GeneListEntry> parseGeneList(const QString& text)
{
    QList<GeneListEntry> out;
    qint64 line = 0;
    bool first = true;
    for (const QString& l : text.split(QRegularExpression(QStringLiteral("\\r\\n|\\r|\\n")))) {
        ++line;
        if (l.trimmed().isEmpty())
            continue;
        addLine(out, l, line, first);
        first = false;
    }
    return out;
}

core::Expected<QList<GeneListEntry>> readGeneList(const QString& path)
{
    auto reader = core::LineReader::open(path);
    if (!reader)
        return reader.error();
    QList<GeneListEntry> out;
    bool first = true;
    for (;;) {
        auto l = (*reader)->next();
        if (!l)
            return l.error();
        if (!*l)
            break;
        auto text = core::decodeUtf8Line(**l, path, (*reader)->lineNumber());
        if (!text)
            return text.error();
        if (text->trimmed().isEmpty())
            continue;
        addLine(out, *text, (*reader)->lineNumber(), first);
        first = false;
    }
    if (out.isEmpty())
        return core::Error(QStringLiteral("%1: no gene in the list (expected symbols or ids, one or more per line)").arg(path));
    return out;
}

} // namespace bioforge::annotation
