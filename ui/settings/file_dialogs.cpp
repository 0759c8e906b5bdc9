#include "settings/file_dialogs.h"

#include "settings/page_memory.h"

#include <QDir>
#include <QFileInfo>
#include <QFileDialog>

namespace bioforge::ui {

QStringList chooseFiles(QWidget* parent, const QString& purpose, const QString& caption, const QString& filter)
{
    const QStringList files = QFileDialog::getOpenFileNames(parent, caption, PageMemory::dialogFolder(purpose), filter);
    PageMemory::rememberDialogChoice(purpose, files.value(0));
    return files;
}

QString chooseFile(QWidget* parent, const QString& purpose, const QString& caption, const QString& filter, const QString& start)
{
    const QString file = QFileDialog::getOpenFileName(parent, caption, start.isEmpty() ? PageMemory::dialogFolder(purpose) : start, filter);
    PageMemory::rememberDialogChoice(purpose, file);
    return file;
}

QString chooseFolder(QWidget* parent, const QString& purpose, const QString& caption, bool keepParent)
{
    const QString folder = QFileDialog::getExistingDirectory(parent, caption, PageMemory::dialogFolder(purpose));
    PageMemory::rememberDialogChoice(purpose, keepParent && !folder.isEmpty() ? QFileInfo(folder).absolutePath() : folder);
    return folder;
}

QString chooseNewFolder(QWidget* parent, const QString& purpose, const QString& caption)
{
    const QString folder = QFileDialog::getSaveFileName(parent, caption, PageMemory::dialogFolder(purpose), QString(), nullptr,
                                                        QFileDialog::DontConfirmOverwrite);
    PageMemory::rememberDialogChoice(purpose, folder.isEmpty() ? folder : QFileInfo(folder).absolutePath());
    return folder;
}

QString chooseSaveFile(QWidget* parent, const QString& purpose, const QString& caption, const QString& fileName, const QString& filter)
{
    const QString file = QFileDialog::getSaveFileName(parent, caption, QDir(PageMemory::dialogFolder(purpose)).filePath(fileName), filter);
    PageMemory::rememberDialogChoice(purpose, file);
    return file;
}

} // namespace bioforge::ui
