#include "jobs/jobs_dock.h"

#include "cluster/cluster_state.h"
#include "jobs/job_list_model.h"
#include "jobs/job_scheduler.h"
#include "jobs/resume_locating.h"
#include "jobs/progress_delegate.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

namespace bioforge::ui {

JobsDock::JobsDock(core::Session& session, QWidget* parent)
    : QDockWidget(tr("Jobs"), parent), m_session(session), m_model(new JobListModel(session.scheduler(), this))
{
    setObjectName(QStringLiteral("JobsDock"));
    auto* body = new QWidget(this);
    m_table = new QTableView(body);
    m_table->setObjectName(QStringLiteral("jobsTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(JobListModel::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(JobListModel::Name, QHeaderView::Stretch);
    m_table->horizontalHeader()->resizeSection(JobListModel::Progress, 140);
    // One line a row: a stage ("Summarise (2/2)") is as wide as it needs; text that cannot fit is
    // cut with "…", never wrapped onto a second line the row has no room for (trial 13).
    m_table->setWordWrap(false);
    for (const int column : {JobListModel::Stage, JobListModel::Rate, JobListModel::Eta, JobListModel::Elapsed, JobListModel::Warnings})
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    // State: as wide as its longest word ("interrupted, resumed"); a Slurm notice said there is cut,
    // whole in its tooltip (to its contents, a notice pushed every other column out).
    m_table->horizontalHeader()->resizeSection(JobListModel::State, m_table->fontMetrics().horizontalAdvance(tr("interrupted, resumed")) + 16);
    // A title gives way in its middle: its end tells runs apart ("— contigs.fa", "(continues …)";
    // both were cut off at 1280 px: trial 18).
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->hide();

    m_selfTest = new QPushButton(tr("Run self-test"), body);
    m_selfTest->setObjectName(QStringLiteral("selfTestButton"));
    m_pause = new QPushButton(tr("Pause"), body);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_resume = new QPushButton(tr("Resume"), body);
    m_resume->setObjectName(QStringLiteral("resumeButton"));
    m_cancel = new QPushButton(tr("Cancel"), body);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_selfTest);
    buttons->addStretch();
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    setWidget(body);

    connect(m_selfTest, &QPushButton::clicked, this, [this] { runSelfTest(); });
    connect(m_pause, &QPushButton::clicked, this, &JobsDock::pauseSelected);
    connect(m_resume, &QPushButton::clicked, this, &JobsDock::resumeSelected);
    connect(m_cancel, &QPushButton::clicked, this, &JobsDock::cancelSelected);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) { // double click, or Return
        emit runActivated(m_model->runIdAt(index.row()));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsDock::updateButtons);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (!current.isValid())
            return;
        // A job that is no run of the project (the Chat page's model load) has no checkpoints to show.
        const QString id = m_model->runIdAt(current.row());
        if (const auto h = m_session.scheduler().handle(id); h && h->record().checkpointId.isEmpty())
            return;
        emit runSelected(id);
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &JobsDock::updateButtons);
    connect(&m_session, &core::Session::projectChanged, this, [this] {
        followRuns();
        reloadDormant();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first) {
        m_table->selectRow(first);
        updateButtons();
    });
    m_table->setTabKeyNavigation(false); // Tab leaves the table instead of walking its cells
    m_orphanCheck.setInterval(5000);
    connect(&m_orphanCheck, &QTimer::timeout, this, [this] {
        core::RunService* runs = m_session.runs();
        if (!runs || !m_model->showsRunsElsewhere())
            return;
        if (const auto recovered = runs->recoverInterrupted(); recovered && !recovered->isEmpty())
            reloadDormant();
    });
    followRuns();
    reloadDormant();
    updateButtons();
}

void JobsDock::followRuns()
{
    core::RunService* runs = m_session.runs();
    if (!runs)
        return;
    // A terminal's run recorded, paused, resumed or ended (the dock kept a row it had resumed, and
    // offered Resume: trial 21), and this window's runs ending.
    connect(runs, &core::RunService::runChangedElsewhere, this, &JobsDock::reloadDormant, Qt::UniqueConnection);
    connect(runs, &core::RunService::runEnded, this, &JobsDock::reloadDormant, Qt::UniqueConnection);
    connect(runs, &core::RunService::othersCommitted, this, &JobsDock::readProgressElsewhere, Qt::UniqueConnection);
}

void JobsDock::readProgressElsewhere()
{
    core::RunService* runs = m_session.runs();
    if (!runs || !m_model->showsRunsElsewhere())
        return;
    if (const auto progress = runs->project().store().runProgress())
        m_model->setStoredProgress(*progress);
}

void JobsDock::reloadDormant()
{
    core::RunService* runs = m_session.runs();
    auto all = runs ? runs->project().store().runs() : core::Expected<QList<core::RunRecord>>(QList<core::RunRecord>{});
    auto progress = runs ? runs->project().store().runProgress() : core::Expected<QHash<QString, double>>(QHash<QString, double>{});
    const QString chosen = selectedRunId();
    m_askedToStop.clear(); // a state changed: asked again if still running
    m_model->setDormantRuns(all ? *all : QList<core::RunRecord>{}, progress ? *progress : QHash<QString, double>{});
    // A run going on in another program whose process died (kill -9, a closed terminal) commits
    // nothing more: looked for while such a row is shown, and then interrupted, to be resumed here
    // (it stayed "running elsewhere" with no way on: review 66 R66-4).
    if (m_model->showsRunsElsewhere())
        m_orphanCheck.start();
    else
        m_orphanCheck.stop();
    // The row chosen stays chosen (the Checkpoints dock is not told again of the run it shows).
    if (const int row = m_model->rowOf(chosen); row >= 0) {
        const QSignalBlocker quiet(m_table->selectionModel());
        m_table->selectRow(row);
        m_table->viewport()->update();
    }
    updateButtons();
}

QString JobsDock::selectedRunId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_model->runIdAt(rows.first().row());
}

QString JobsDock::runSelfTest()
{
    if (!m_session.runs()) {
        emit errorOccurred(tr("Open a project first."));
        return {};
    }
    auto id = m_session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {});
    if (!id) {
        emit errorOccurred(id.error().message());
        return {};
    }
    return *id;
}

void JobsDock::updateButtons()
{
    auto h = m_session.scheduler().handle(selectedRunId());
    const core::RunState state = h ? h->state() : core::RunState::Finished;
    const bool active = h && (state == core::RunState::Running || state == core::RunState::Queued);
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    // Running in another program (a terminal's bioforge, another window): that program is asked to
    // pause or cancel it (RunService::requestStop; the buttons were off: trial 24 T24-12).
    const core::RunState shown = rows.isEmpty() ? core::RunState::Finished : m_model->stateAt(rows.first().row());
    const bool elsewhere = !h && m_session.runs() && (shown == core::RunState::Running || shown == core::RunState::Queued)
                           && !m_askedToStop.contains(selectedRunId());
    m_pause->setEnabled((active && h->pendingStop() == core::StopRequest::None) || elsewhere);
    const bool resumable = m_session.runs() && !rows.isEmpty() && m_model->canResume(rows.first().row());
    // A paused or interrupted run can be ended for good (a failed one has ended already).
    const core::RunState rowState = rows.isEmpty() ? core::RunState::Finished : m_model->stateAt(rows.first().row());
    const bool dormant = resumable && (rowState == core::RunState::Paused || rowState == core::RunState::Interrupted);
    m_cancel->setEnabled(active || dormant || elsewhere);
    m_cancel->setToolTip(dormant ? tr("End this paused run for good: it is no longer offered to resume; its checkpoints and outputs stay in the project")
                                 : tr("Stop the selected run; what it finished is kept"));
    m_resume->setEnabled(resumable);
    m_selfTest->setEnabled(m_session.runs() != nullptr);
}

void JobsDock::pauseSelected()
{
    if (m_session.runs())
        askToStop(selectedRunId(), false);
    updateButtons();
}

void JobsDock::askToStop(const QString& runId, bool cancel)
{
    if (runId.isEmpty())
        return;
    if (const auto h = m_session.scheduler().handle(runId); h) {
        cancel ? m_session.runs()->cancel(runId) : m_session.runs()->pause(runId);
        return;
    }
    if (core::Status asked = m_session.runs()->requestStop(runId, cancel); !asked) {
        emit errorOccurred(asked.error().message());
        return;
    }
    m_askedToStop.insert(runId); // until its state changes (reloadDormant)
    emit runDiscarded(tr("Run %1: the program running it was asked to %2 it (within a few seconds)").arg(runId, cancel ? tr("cancel") : tr("pause")));
}

void JobsDock::cancelSelected()
{
    const QString id = selectedRunId();
    if (!m_session.runs() || id.isEmpty())
        return;
    const auto h = m_session.scheduler().handle(id);
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const core::RunState shown = rows.isEmpty() ? core::RunState::Finished : m_model->stateAt(rows.first().row());
    if ((h && (h->state() == core::RunState::Running || h->state() == core::RunState::Queued))
        || (!h && (shown == core::RunState::Running || shown == core::RunState::Queued))) {
        askToStop(id, true);
        updateButtons();
        return;
    }
    // Paused or interrupted: asked first, as it cannot be resumed afterwards.
    QString text = tr("Cancel run %1 for good? It will no longer be offered to resume; its checkpoints and outputs stay in the project folder.").arg(id);
    if (auto record = m_session.runs()->project().store().run(id); record && record->parameters.contains(QLatin1String("cluster")))
        text += tr("\n\nIt ran on the Slurm cluster: jobs it left queued or running there (`%1` lists them) are cancelled too, and the status "
                   "bar says which; if Slurm does not answer, the run is not cancelled.")
                    .arg(core::clusterRunQueueCommand(m_session.runs()->project().checkpointDir(record->checkpointId)));
    auto* question = new QMessageBox(QMessageBox::Question, tr("Cancel run"), text, QMessageBox::Yes | QMessageBox::No, this);
    question->setObjectName(QStringLiteral("cancelPausedRunQuestion"));
    question->setDefaultButton(QMessageBox::No);
    question->setAttribute(Qt::WA_DeleteOnClose);
    connect(question, &QMessageBox::finished, this, [this, id](int answer) {
        if (answer != QMessageBox::Yes || !m_session.runs())
            return;
        if (auto ended = m_session.runs()->discard(id); !ended)
            emit errorOccurred(ended.error().message());
        else
            emit runDiscarded(tr("Run %1: %2").arg(id, ended->error)); // which Slurm jobs it cancelled, if any
        reloadDormant();
        updateButtons();
    });
    question->open();
}

void JobsDock::resumeSelected()
{
    if (!m_session.runs() || selectedRunId().isEmpty())
        return;
    auto id = resumeLocatingInputs(*m_session.runs(), selectedRunId(), this);
    if (!id)
        emit errorOccurred(id.error().message());
    else
        m_table->selectRow(m_model->rowOf(*id)); // the continuation, which runs now
    updateButtons();
}

} // namespace bioforge::ui
