#include "jobs/resume_locating.h"

#include "runs/run_service.h"
#include "settings/file_dialogs.h"

#include <QMessageBox>
#include <QPushButton>

namespace bioforge::ui {

core::Expected<QString> resumeLocatingInputs(core::RunService& runs, const QString& runId, QWidget* parent)
{
    const auto gone = runs.goneInputs(runId);
    if (!gone || gone->isEmpty())
        return runs.resume(runId);
    QMessageBox question(QMessageBox::Question, QObject::tr("Resume run"),
                         QObject::tr("Run %1 reads %n file(s) that are no longer where it began:\n%2\n\nChoose the folder they are in now: each is "
                                     "found there by its name and taken if its content is the one the run began with (SHA-256). Or put them "
                                     "back where they were and resume again.",
                                     nullptr, int(gone->size()))
                             .arg(runId, gone->join(QLatin1Char('\n'))),
                         QMessageBox::Cancel, parent);
    question.setObjectName(QStringLiteral("locateInputsQuestion"));
    QPushButton* locate = question.addButton(QObject::tr("Locate folder…"), QMessageBox::AcceptRole);
    locate->setObjectName(QStringLiteral("locateInputsButton"));
    question.setDefaultButton(locate);
    question.exec();
    if (question.clickedButton() != locate)
        return core::Error(QObject::tr("run %1 was not resumed: its input files were not located").arg(runId), core::Error::Kind::NotFound);
    const QString folder = chooseFolder(parent, QStringLiteral("moved-inputs"), QObject::tr("The folder the inputs of run %1 are in now").arg(runId));
    if (folder.isEmpty())
        return core::Error(QObject::tr("run %1 was not resumed: its input files were not located").arg(runId), core::Error::Kind::NotFound);
    core::InputRelocation relocation;
    relocation.searchFolders << folder;
    return runs.resume(runId, relocation);
}

} // namespace bioforge::ui
