#pragma once

// Markdown that shows a plain text as it was typed: what a user wrote (a chat question, a title,
// a system prompt) put into a Markdown document — the chat transcript, an export — without any of
// it being read as Markdown or HTML (a pasted `<img …>` blanked a whole transcript: trial 22).
// CommonMark 0.30: a backslash before any ASCII punctuation character makes it literal (§2.4),
// which rules out emphasis, headings, lists, links, code spans, HTML and entities; a backslash at
// the end of a line is a hard line break (§6.7), so each line stays a line; a blank line is a
// paragraph break. A line's leading space or tab is written as a character reference (§2.5), so
// that indentation never makes a code block (where backslashes would show).

#include <QString>
#include <QStringList>

namespace bioforge::core {

inline QString markdownText(const QString& plain)
{
    // CR LF and a lone CR end a line too (CommonMark §2.1).
    QStringList lines = QString(plain).replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\r'), QLatin1Char('\n')).split(QLatin1Char('\n'));
    for (QString& line : lines) {
        if (line.trimmed().isEmpty()) { // a paragraph break
            line.clear();
            continue;
        }
        QString escaped;
        escaped.reserve(line.size() * 2);
        for (qsizetype i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (i == 0 && (c == QLatin1Char(' ') || c == QLatin1Char('\t')))
                escaped += c == QLatin1Char(' ') ? QStringLiteral("&#32;") : QStringLiteral("&#9;");
            else if (c.unicode() < 128 && (c.isPunct() || c.isSymbol()))
                escaped += QLatin1Char('\\') + c;
            else
                escaped += c;
        }
        line = escaped;
    }
    for (qsizetype i = 0; i + 1 < lines.size(); ++i)
        if (!lines[i].isEmpty() && !lines[i + 1].isEmpty())
            lines[i] += QLatin1Char('\\');
    return lines.join(QLatin1Char('\n'));
}

} // namespace bioforge::core
