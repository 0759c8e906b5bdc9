#include "settings/page_memory.h"

#include <QSettings>

namespace bioforge::ui {

QVariant PageMemory::value(const QString& key, const QVariant& fallback) const
{
    QSettings settings(QStringLiteral("BioForge"), QStringLiteral("Workbench"));
    settings.beginGroup(m_group);
    return settings.value(key, fallback);
}

void PageMemory::setValue(const QString& key, const QVariant& value) const
{
    QSettings settings(QStringLiteral("BioForge"), QStringLiteral("Workbench"));
    settings.beginGroup(m_group);
    settings.setValue(key, value);
}

} // namespace bioforge::ui
