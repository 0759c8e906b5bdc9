#include "io/table_values.h"

#include <QRegularExpression>
#include <QStringList>

namespace bioforge::core {

QString withoutZeroWidth(const QString& text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u != 0x200b && u != 0x200c && u != 0x200d && u != 0x2060 && u != 0xfeff)
            out += c;
    }
    return out;
}

bool isMissingValueText(const QString& trimmed)
{
    static const QStringList missing{QStringLiteral("NA"),   QStringLiteral("na"),   QStringLiteral("N/A"),  QStringLiteral("n/a"),
                                     QStringLiteral("NaN"),  QStringLiteral("nan"),  QStringLiteral("NULL"), QStringLiteral("null"),
                                     QStringLiteral("None"), QStringLiteral("#N/A"), QStringLiteral("-"),    QStringLiteral(".")};
    return trimmed.isEmpty() || missing.contains(trimmed);
}

std::optional<double> parseTableNumber(const QString& trimmed, QChar delimiter, bool* decimalComma)
{
    bool ok = false;
    if (const double v = trimmed.toDouble(&ok); ok) // C locale whatever the process's
        return v;
    if (delimiter != QLatin1Char(';'))
        return std::nullopt;
    static const QRegularExpression comma(QStringLiteral("^[-+]?\\d*,\\d+([eE][-+]?\\d+)?$"));
    if (!comma.match(trimmed).hasMatch())
        return std::nullopt;
    QString point = trimmed;
    point.replace(QLatin1Char(','), QLatin1Char('.'));
    const double v = point.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    if (decimalComma)
        *decimalComma = true;
    return v;
}

} // namespace bioforge::core
