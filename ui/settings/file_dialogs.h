#pragma once

// The workbench's file dialogs: QFileDialog's, each starting where the user last chose in a dialog
// of the same purpose ("fasta", "gguf", "gene-list", …; PageMemory::dialogFolder), else the home
// folder — a desktop start leaves the working directory arbitrary (the FASTA dialog opened in
// whatever folder the workbench was started from). The folder of each choice is kept.

#include <QString>
#include <QStringList>

class QWidget;

namespace bioforge::ui {

// Files to open; empty when cancelled.
QStringList chooseFiles(QWidget* parent, const QString& purpose, const QString& caption, const QString& filter = {});
// One file to open; `start` (a file or folder the field already names) before the kept folder.
QString chooseFile(QWidget* parent, const QString& purpose, const QString& caption, const QString& filter = {}, const QString& start = {});
// An existing folder. `keepParent`: the next dialog starts beside the chosen folder, not in it (a
// project folder: the next project is made or opened next to it).
QString chooseFolder(QWidget* parent, const QString& purpose, const QString& caption, bool keepParent = false);
// A folder to make (or an empty one to use), named as a file to save is: a folder chooser refuses a
// name that is not there yet. Made by the caller. Empty when cancelled.
QString chooseNewFolder(QWidget* parent, const QString& purpose, const QString& caption);
// A file to write, `fileName` proposed in the kept folder.
QString chooseSaveFile(QWidget* parent, const QString& purpose, const QString& caption, const QString& fileName, const QString& filter = {});

} // namespace bioforge::ui
