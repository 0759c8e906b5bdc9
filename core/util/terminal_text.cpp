#include "util/terminal_text.h"

#include <unistd.h>

namespace bioforge::core {

QString shownOnTerminal(const QString& text)
{
    QString shown;
    shown.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n' || u == u'\t')
            shown += c;
        else if (u < 0x20)
            shown += QChar(char16_t(0x2400 + u));
        else if (u == 0x7f)
            shown += QChar(char16_t(0x2421));
        else if (u >= 0x80 && u <= 0x9f)
            shown += QStringLiteral("<U+%1>").arg(QString::number(int(u), 16).toUpper().rightJustified(4, QLatin1Char('0')));
        else
            shown += c;
    }
    return shown;
}

bool stdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }

} // namespace bioforge::core
