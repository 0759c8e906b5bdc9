#include "settings/page_memory.h"

#include <QDir>
#include <QFileInfo>
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

QString PageMemory::dialogFolder(const QString& purpose)
{
    const QString kept = PageMemory(QStringLiteral("file-dialogs")).value(purpose).toString();
    return !kept.isEmpty() && QFileInfo(kept).isDir() ? kept : QDir::homePath();
}

void PageMemory::rememberDialogChoice(const QString& purpose, const QString& chosen)
{
    if (chosen.isEmpty())
        return;
    const QFileInfo info(chosen);
    PageMemory(QStringLiteral("file-dialogs")).setValue(purpose, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

} // namespace bioforge::ui
