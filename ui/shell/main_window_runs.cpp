// MainWindow: the Run menu's Pause, Resume and Cancel (Ctrl+Shift+P, R, X) on the run the user
// chose — in the list whose table had the focus last. Resume took the Runs page's selection while
// Pause and Cancel took the Jobs dock's, so a keyboard user pausing and resuming one job reached two
// different runs (trial 19).

#include "shell/main_window.h"

#include "jobs/job_list_model.h"
#include "jobs/job_scheduler.h"
#include "jobs/jobs_dock.h"
#include "provenance/run_record.h"
#include "runs/session.h"
#include "shell/runs_page.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QApplication>
#include <QTableView>

namespace bioforge::ui {

void MainWindow::followRunListFocus()
{
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (!now)
            return;
        if (now == m_runsPage->table() || m_runsPage->table()->isAncestorOf(now))
            m_runsPageFocusedLast = true;
        else if (m_jobs->isAncestorOf(now))
            m_runsPageFocusedLast = false;
    });
}

QString MainWindow::runsPageChoice() const
{
    return runsPageChosen() ? m_runsPage->selectedRunId() : QString();
}

bool MainWindow::runsPageChosen() const { return m_runsPageFocusedLast && m_runsPage->isVisible(); }

bool MainWindow::runsPageChoiceMissing()
{
    if (!runsPageChosen() || !m_runsPage->selectedRunId().isEmpty())
        return false;
    showError(tr("Select a run on the Runs page first (the Run menu acts on the run selected in the list you used last)."));
    return true;
}

bool MainWindow::chooseInJobsDock(const QString& runId, const QString& action)
{
    const int row = m_jobs->model()->rowOf(runId);
    // A row of a run going on in another program is shown, not steered from here (said below).
    const core::RunState shown = m_jobs->model()->stateAt(row);
    const bool elsewhere = !m_session.scheduler().handle(runId) && (shown == core::RunState::Running || shown == core::RunState::Queued);
    if (row >= 0 && !elsewhere) {
        m_jobs->table()->selectRow(row);
        return true;
    }
    core::Project* project = m_session.project();
    if (!project)
        return false;
    const auto record = project->store().run(runId);
    if (!record)
        showError(tr("Run %1 is not in this project any more.").arg(runId));
    else if (record->state == core::RunState::Running || record->state == core::RunState::Queued)
        showError(tr("Run %1 is %2 in another program (a terminal): %3 it there (Ctrl-C pauses it).").arg(runId, core::runStateName(record->state), action));
    else
        showError(tr("Run %1 is %2: there is nothing to %3.").arg(runId, core::runStateName(record->state), action));
    return false;
}

bool MainWindow::chosenInJobsDock(const QString& action)
{
    if (runsPageChoiceMissing())
        return false;
    const QString id = runsPageChoice();
    return id.isEmpty() || chooseInJobsDock(id, action);
}

void MainWindow::pauseChosenRun()
{
    if (chosenInJobsDock(tr("pause")))
        m_jobs->pauseSelected();
}

void MainWindow::resumeChosenRun()
{
    if (runsPageChoiceMissing())
        return;
    if (!runsPageChoice().isEmpty())
        m_runsPage->resumeSelected();
    else
        m_jobs->resumeSelected();
}

void MainWindow::cancelChosenRun()
{
    if (chosenInJobsDock(tr("cancel")))
        m_jobs->cancelSelected();
}

} // namespace bioforge::ui
