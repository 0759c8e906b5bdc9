#pragma once

// A list for a message line: its first `shown` items joined by `separator`, then
// " and N more" when there are others ("a.gguf, b.gguf and 3 more").

#include <QString>
#include <QStringList>

namespace bioforge::core {

inline QString shortList(const QStringList& items, const QString& separator, qsizetype shown = 8)
{
    QString text = items.mid(0, shown).join(separator);
    if (items.size() > shown)
        text += QStringLiteral(" and %1 more").arg(items.size() - shown);
    return text;
}

} // namespace bioforge::core
