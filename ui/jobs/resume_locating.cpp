#include "jobs/resume_locating.h"

#include "runs/run_service.h"
#include "settings/file_dialogs.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

namespace bioforge::ui {

core::Expected<QString> resumeLocatingInputs(core::RunService& runs, const QString& runId, QWidget* parent)
{
    const auto gone = runs.goneInputs(runId);
    if (!gone || gone->isEmpty())
        return runs.resume(runId);
    // Asked again for the files no folder chosen so far holds (inputs moved to two places could
    // never be resumed from the window: review 66 R66-5).
    core::InputRelocation relocation;
    QStringList left = *gone;
    while (!left.isEmpty()) {
        QMessageBox question(QMessageBox::Question, QObject::tr("Resume run"),
                             (relocation.searchFolders.isEmpty()
                                  ? QObject::tr("Run %1 reads %n file(s) that are no longer where it began:", nullptr, int(left.size())).arg(runId)
                                  : QObject::tr("%n file(s) of run %1 are in none of the folders chosen:", nullptr, int(left.size())).arg(runId))
                                 + QStringLiteral("\n") + left.join(QLatin1Char('\n'))
                                 + QObject::tr("\n\nChoose the folder they are in now: each is found there by its name and taken if its content is "
                                               "the one the run began with (SHA-256). Or put them back where they were and resume again."),
                             QMessageBox::Cancel, parent);
        question.setObjectName(QStringLiteral("locateInputsQuestion"));
        QPushButton* locate = question.addButton(QObject::tr("Locate folder…"), QMessageBox::AcceptRole);
        locate->setObjectName(QStringLiteral("locateInputsButton"));
        question.setDefaultButton(locate);
        question.exec();
        const QString folder = question.clickedButton() != locate
                                   ? QString()
                                   : chooseFolder(parent, QStringLiteral("moved-inputs"), QObject::tr("The folder the inputs of run %1 are in now").arg(runId));
        if (folder.isEmpty())
            return core::Error(QObject::tr("run %1 was not resumed: its input files were not located").arg(runId), core::Error::Kind::NotFound);
        relocation.searchFolders << folder;
        left.removeIf([&](const QString& path) { return QFileInfo(QDir(folder).filePath(QFileInfo(path).fileName())).isFile(); });
    }
    return runs.resume(runId, relocation);
}

} // namespace bioforge::ui
