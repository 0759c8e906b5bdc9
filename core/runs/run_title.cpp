#include "runs/run_title.h"

namespace bioforge::core {

Expected<QString> checkRunTitle(const QString& title)
{
    qsizetype position = 0; // in characters (code points), as a user counts them
    for (qsizetype i = 0; i < title.size(); ++i, ++position) {
        const QChar c = title[i];
        if (c.isHighSurrogate() && i + 1 < title.size() && title[i + 1].isLowSurrogate()) {
            ++i; // a character outside the BMP: allowed (an emoji, a CJK extension)
            continue;
        }
        const QString at = QString::number(position + 1);
        if (c.isSurrogate())
            return Error(QStringLiteral("the run title has a byte that is not UTF-8 at character %1; give it in UTF-8 (the terminal's or the script's "
                                        "encoding)")
                             .arg(at),
                         Error::Kind::Invalid);
        const char16_t u = c.unicode();
        const QString code = QString::number(u, 16).toUpper().rightJustified(4, QLatin1Char('0'));
        const QChar::Category category = c.category();
        if (category == QChar::Other_Control || category == QChar::Separator_Line || category == QChar::Separator_Paragraph)
            return Error(QStringLiteral("the run title has a control character (U+%1: a line break, a tab or a terminal escape) at character %2; a title "
                                        "is one line of text")
                             .arg(code, at),
                         Error::Kind::Invalid);
        if ((u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069))
            return Error(QStringLiteral("the run title has a bidirectional control (U+%1) at character %2, which reorders what follows it on a line "
                                        "(in `runs`, the report); a title is plain text")
                             .arg(code, at),
                         Error::Kind::Invalid);
    }
    return title.trimmed().isEmpty() ? QString() : title;
}

} // namespace bioforge::core
