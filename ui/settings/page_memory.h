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

    // Where a file dialog for `purpose` ("fasta", "gguf", …) starts: the folder of the file or
    // folder last chosen in it (kept under pages/file-dialogs), else the home folder — not the
    // process's working directory, which a desktop start makes arbitrary.
    static QString dialogFolder(const QString& purpose);
    // Keeps the folder of `chosen` (a file, or a folder the dialog chose) for dialogFolder; an empty
    // `chosen` (the dialog was cancelled) changes nothing.
    static void rememberDialogChoice(const QString& purpose, const QString& chosen);

private:
    QString m_group;
};

} // namespace bioforge::ui
