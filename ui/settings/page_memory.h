#pragma once

// What a page or the window remembers between sessions (the workbench's
// QSettings, group "pages/<name>"): file lists, model choices, a pasted
// gene list, window geometry. Written as the user changes them, so a crash
// keeps them too.

#include <QString>
#include <QVariant>

namespace bioforge::ui {

class PageMemory {
public:
    explicit PageMemory(QString page) : m_group(QStringLiteral("pages/") + std::move(page)) {}
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    void setValue(const QString& key, const QVariant& value) const;

private:
    QString m_group;
};

} // namespace bioforge::ui
