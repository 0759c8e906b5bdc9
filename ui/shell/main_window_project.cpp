// The main window's project handling: opening one (or saying why none is
// open), the runs to resume, the demo, the title and status bar, recent
// projects, errors. The rest of MainWindow is in main_window.cpp.

#include "shell/main_window.h"

#include "compute/device_discovery.h"
#include "jobs/resume_locating.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/file_dialogs.h"
#include "settings/workbench_settings.h"
#include "shell/resume_dialog.h"
#include "store/project.h"
#include "store/project_recovery.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>

namespace bioforge::ui {

bool MainWindow::openProject(const QString& folder, bool create)
{
    // The runs going in the open project are paused by the switch: asked first, said after (they
    // went on paused, with no trace in the window of the project opened).
    const int active = m_session.project() ? activeRuns() : 0;
    const QString previous = m_session.project() ? m_session.project()->folder() : QString();
    if (active > 0) {
        const bool go = m_askSwitch ? m_askSwitch(active)
                                    : QMessageBox::question(this, tr("Runs are going"),
                                                            active == 1 ? tr("1 run is still going in %1. Opening another project pauses it; when this project "
                                                                             "is opened again, it is offered to resume from its last checkpoint. Open the other project?")
                                                                              .arg(previous)
                                                                        : tr("%1 runs are still going in %2. Opening another project pauses them; when this "
                                                                             "project is opened again, they are offered to resume from their last checkpoint. Open the other project?")
                                                                              .arg(QString::number(active), previous),
                                                            QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                                          == QMessageBox::Yes;
        if (!go)
            return false;
    }
    core::Status st = m_session.openProject(folder, create);
    if (!st && offerRecovery(folder, st.error().message()))
        st = m_session.openProject(folder, false);
    if (!st) {
        if (!m_session.project()) { // nothing open: say so where it stays, not in a passing message
            m_projectProblem->setText(tr("No project open — %1. Open or make one with File ▸ Open project… or New project….").arg(st.error().message()));
            m_projectProblem->setToolTip(st.error().message());
            m_projectProblem->show();
            updateTitle();
        }
        if (isVisible())
            showError(st.error().message());
        else // at start: once the window is shown
            QTimer::singleShot(0, this, [this, message = st.error().message()] { showError(message); });
        return false;
    }
    m_projectProblem->hide();
    core::WorkbenchSettings().addRecentProject(m_session.project()->folder());
    updateRecentMenu();
    if (active > 0)
        statusBar()->showMessage(active == 1 ? tr("1 run of %1 paused; opened again, it offers to resume it.").arg(previous)
                                             : tr("%1 runs of %2 paused; opened again, it offers to resume them.").arg(QString::number(active), previous),
                                 30000);
    return true;
}

bool MainWindow::offerRecovery(const QString& folder, const QString& failure)
{
    // What would be done, said before it is (a dry run reads the runs' records and asks SQLite).
    auto plan = core::recoverProjectRuns(folder, true);
    if (!plan || plan->database == core::ProjectRecovery::Database::Sound || plan->runs.isEmpty())
        return false;
    const QString question =
        tr("%1\n\nThe project's run list can be rebuilt from the records of its %n run(s) in runs/ (each run's provenance.json): the damaged "
           "database is kept aside, never deleted; runs that were under way are listed as interrupted, to resume from their checkpoints. "
           "Chat conversations of the llm plugin lived only in the database.\n\nRebuild the run list now?",
           nullptr, int(plan->runs.size()))
            .arg(failure);
    const bool go = m_askRecover ? m_askRecover(question)
                                 : QMessageBox::question(this, tr("Project database damaged"), question, QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
                                       == QMessageBox::Yes;
    if (!go)
        return false;
    auto done = core::recoverProjectRuns(folder, false);
    if (!done) {
        showError(done.error().message());
        return false;
    }
    statusBar()->showMessage(tr("The run list of %1 was rebuilt from %n run record(s)%2.", nullptr, int(done->runs.size()))
                                 .arg(folder, done->setAside.isEmpty() ? QString() : tr("; the old database is kept as %1").arg(done->setAside)),
                             30000);
    return true;
}

void MainWindow::offerResume()
{
    core::RunService* runs = m_session.runs();
    if (!runs)
        return;
    if (auto recovered = runs->recoverInterrupted(); !recovered) {
        showError(recovered.error().message());
        return;
    }
    auto resumable = runs->resumableRuns();
    if (!resumable || resumable->isEmpty())
        return;
    QList<core::RunRecord> unfinished;
    for (const core::RunRecord& r : *resumable)
        if (r.state != core::RunState::Failed)
            unfinished << r;
    if (unfinished.isEmpty())
        return;
    ResumeDialog dialog(unfinished, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    for (const QString& id : dialog.selectedRunIds())
        if (auto resumed = resumeLocatingInputs(*runs, id, this); !resumed)
            showError(resumed.error().message());
}

QStringList MainWindow::startDemo()
{
    QStringList ids;
    if (!m_session.runs())
        return ids;
    for (const core::PluginEntry& e : m_session.plugins().entries()) {
        if (e.state != core::PluginEntry::State::Loaded)
            continue;
        for (const core::DemoRun& demo : e.plugin->demoRuns()) {
            if (!demo.unavailable.isEmpty()) {
                showError(tr("The demo of %1 cannot run: %2").arg(e.metadata.name, demo.unavailable));
                continue;
            }
            auto id = m_session.runs()->start(e.metadata.id, demo.verb, demo.parameters, demo.title);
            if (id)
                ids << *id;
            else
                showError(id.error().message());
        }
    }
    m_session.notifyModelsChanged(); // the demos registered their test models
    if (!ids.isEmpty())
        statusBar()->showMessage((ids.size() == 1 ? tr("Demo: 1 run started.") : tr("Demo: %1 runs started.").arg(ids.size()))
                                     + tr(" The long self-test can be paused and resumed in the Jobs dock; double-click a finished run for its "
                                          "provenance and report."),
                                 60000);
    return ids;
}

void MainWindow::updateTitle()
{
    core::Project* project = m_session.project();
    for (QAction* a : std::as_const(m_projectActions))
        a->setEnabled(project != nullptr);
    setWindowTitle(project ? tr("%1 — BioForge Workbench").arg(project->name()) : tr("No project — BioForge Workbench"));
    const core::DeviceReport& devices = core::DeviceDiscovery::report();
    const QString device = devices.gpus().isEmpty() ? tr("CPU only (%1)").arg(devices.devices.first().name)
                                                    : tr("%n GPU(s)", nullptr, int(devices.gpus().size()));
    m_projectStatus->setText(project ? tr("Project %1 — %2").arg(project->folder(), device) : device);
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (const QString& folder : core::WorkbenchSettings().recentProjects())
        m_recentMenu->addAction(folder, this, [this, folder] {
            if (openProject(folder, false))
                offerResume();
        });
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

void MainWindow::sayProjectNotInPlace(const QString& message)
{
    if (message.isEmpty()) { // back where it was opened (review 66 R66-8)
        m_projectProblem->hide();
        return;
    }
    m_projectProblem->setText(tr("Project moved — %1").arg(message));
    m_projectProblem->setToolTip(message);
    m_projectProblem->show();
    showError(message);
}

void MainWindow::showError(const QString& message)
{
    statusBar()->showMessage(message, 15000);
    if (isVisible() && QApplication::platformName() != QLatin1String("offscreen"))
        QMessageBox::warning(this, tr("BioForge"), message);
}

void MainWindow::newProject()
{
    // A folder named there, made if it is not there (the folder chooser said "Directory not found" to
    // a new name: trial 19), as `--project DIR` does.
    const QString folder = chooseNewFolder(this, QStringLiteral("project"), tr("New project: a new folder's name (an empty folder: Open project)"));
    if (!folder.isEmpty())
        openProject(folder, true);
}

void MainWindow::chooseProject()
{
    const QString folder = chooseFolder(this, QStringLiteral("project"), tr("Open a project folder (an empty folder becomes a new project)"), true);
    // An empty folder is made a project (New project's save dialog opens a folder that is there
    // instead of returning it).
    if (!folder.isEmpty() && openProject(folder, QDir(folder).isEmpty()))
        offerResume(); // its paused runs (those a switch paused among them), as at start
}

} // namespace bioforge::ui
