#include "shell/runs_page.h"

#include "layout/open_location.h"
#include "jobs/resume_locating.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "shell/run_comparison_dialog.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace bioforge::ui {

namespace {
constexpr int kNewRunNeededRole = Qt::UserRole + 1; // on the State item: RunRecord::failedOnInput()

// The Resume button's tooltip where nothing keeps the selected run from a resume.
QString resumeToolTip()
{
    return RunsPage::tr("Continue a paused, interrupted or failed run from its last checkpoint (Ctrl+Shift+R)");
}
}

RunsPage::RunsPage(core::Session& session, QWidget* parent)
    : QWidget(parent), m_session(session), m_model(new QStandardItemModel(this))
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection); // two (Ctrl+click) to compare
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->setTextElideMode(Qt::ElideMiddle); // a title's end names its inputs
    m_table->setWordWrap(false);                 // one line a run: a wrapped title was cut on its second line
    auto* openFolder = new QPushButton(tr("Open results folder"), this);
    auto* provenance = new QPushButton(tr("Provenance"), this);
    auto* checkpoints = new QPushButton(tr("Checkpoints"), this);
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setObjectName(QStringLiteral("compareRunsButton"));
    m_compare->setToolTip(tr("Select two runs (Ctrl+click the second) to see what differs: parameters, inputs, models, outputs, versions"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("resumeRunButton"));
    m_resume->setToolTip(resumeToolTip());
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_resume);
    buttons->addStretch();
    buttons->addWidget(openFolder);
    buttons->addWidget(provenance);
    buttons->addWidget(checkpoints);
    buttons->addWidget(m_compare);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Runs</h2>Every run of the open project, newest first."), this));
    layout->addWidget(m_table);
    layout->addLayout(buttons);

    connect(openFolder, &QPushButton::clicked, this, [this] {
        if (m_session.project() && !selectedRunId().isEmpty())
            openLocation(m_session.project()->runDir(selectedRunId()), this);
    });
    connect(provenance, &QPushButton::clicked, this, [this] { emit provenanceRequested(selectedRunId()); });
    connect(checkpoints, &QPushButton::clicked, this, [this] { emit checkpointsRequested(selectedRunId()); });
    connect(m_table, &QTableView::activated, this, [this] { emit provenanceRequested(selectedRunId()); }); // double click, or Return
    connect(m_resume, &QPushButton::clicked, this, [this] { resumeSelected(); });
    connect(m_compare, &QPushButton::clicked, this, [this] { compareSelected(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::updateButtons);
    m_table->setTabKeyNavigation(false); // Tab leaves the table instead of walking its cells
    connect(&session, &core::Session::projectChanged, this, [this] {
        connectRunService();
        reload();
    });
    connectRunService();
    reload();
}

void RunsPage::connectRunService()
{
    if (core::RunService* runs = m_session.runs()) {
        connect(runs, &core::RunService::runQueued, this, &RunsPage::reload, Qt::UniqueConnection);
        connect(runs, &core::RunService::runStarted, this, &RunsPage::reload, Qt::UniqueConnection);
        connect(runs, &core::RunService::runEnded, this, &RunsPage::reload, Qt::UniqueConnection);
        connect(runs, &core::RunService::runChangedElsewhere, this, &RunsPage::reload, Qt::UniqueConnection); // a terminal's run
    }
}

QString RunsPage::selectedRunId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_model->item(rows.first().row(), 0)->text();
}

void RunsPage::updateButtons()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    bool resumable = false, newRunNeeded = false;
    if (!rows.isEmpty()) {
        const QString id = m_model->item(rows.first().row(), 0)->text();
        resumable = m_model->item(rows.first().row(), 3)->data(Qt::UserRole).toBool() && !m_resumed.contains(id);
        newRunNeeded = m_model->item(rows.first().row(), 3)->data(kNewRunNeededRole).toBool();
    }
    m_resume->setEnabled(resumable && m_session.runs() && rows.size() == 1);
    m_compare->setEnabled(rows.size() == 2);
    // Why a failed run cannot be resumed, where its own failure says so (a disabled button's tooltip shows).
    m_resume->setToolTip(newRunNeeded ? tr("This run failed on what it was given (an input or a setting): a resume would read the same and fail "
                                           "the same way. Start a new run with the corrected input.")
                                      : resumeToolTip());
}

QString RunsPage::resumeSelected()
{
    const QString id = selectedRunId();
    if (!m_session.runs() || id.isEmpty())
        return {};
    auto resumed = resumeLocatingInputs(*m_session.runs(), id, this);
    if (!resumed) {
        emit errorOccurred(resumed.error().message());
        return {};
    }
    return *resumed;
}

RunComparisonDialog* RunsPage::compareSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    core::Project* project = m_session.project();
    if (rows.size() != 2 || !project)
        return nullptr;
    core::RunRecord runs[2];
    for (int i = 0; i < 2; ++i) { // A the older: the table lists the newest first
        auto run = project->store().run(m_model->item(rows[i].row(), 0)->text());
        if (!run) {
            emit errorOccurred(run.error().message());
            return nullptr;
        }
        runs[i] = std::move(*run);
    }
    if (runs[1].createdAt < runs[0].createdAt)
        std::swap(runs[0], runs[1]);
    auto* dialog = new RunComparisonDialog(runs[0], runs[1], this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void RunsPage::reload()
{
    // Every selected run stays selected (a run ending elsewhere dropped the second of two chosen
    // to compare: review 68 R68-11).
    QStringList selected;
    for (const QModelIndex& row : m_table->selectionModel()->selectedRows())
        selected << m_model->item(row.row(), 0)->text();
    m_model->clear();
    m_resumed.clear();
    m_model->setHorizontalHeaderLabels({tr("Run"), tr("Title"), tr("Plugin"), tr("State"), tr("Created"), tr("Resumes")});
    core::Project* project = m_session.project();
    if (!project)
        return;
    auto runs = project->store().runs();
    if (!runs)
        return;
    for (const core::RunRecord& r : *runs)
        if (!r.parentRunId.isEmpty())
            m_resumed.insert(r.parentRunId);
    for (auto it = runs->crbegin(); it != runs->crend(); ++it) {
        auto* state = new QStandardItem(m_resumed.contains(it->runId) ? tr("%1, resumed").arg(core::runStateName(it->state)) : core::runStateName(it->state));
        state->setData(it->resumable(), Qt::UserRole);
        state->setData(it->failedOnInput(), kNewRunNeededRole);
        QList<QStandardItem*> row{new QStandardItem(it->runId), new QStandardItem(it->title),
                                  new QStandardItem(it->pluginId + QLatin1Char(' ') + it->verb),
                                  state,
                                  new QStandardItem(it->createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))),
                                  new QStandardItem(it->parentRunId)};
        row[1]->setToolTip(it->title);
        if (!it->error.isEmpty())
            for (QStandardItem* item : row)
                item->setToolTip(it->error);
        m_model->appendRow(row);
        if (selected.contains(it->runId))
            m_table->selectionModel()->select(m_model->index(m_model->rowCount() - 1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    fitColumns();
    updateButtons();
}

void RunsPage::fitColumns()
{
    m_table->resizeColumnsToContents();
    // The title gives way so that state and date stay in view (whole title in its tooltip); the
    // last column (the run a continuation resumes, also said by its parent's state) may scroll.
    const int kResumes = 5;
    const int others = m_table->horizontalHeader()->length() - m_table->columnWidth(1) - m_table->columnWidth(kResumes);
    m_table->setColumnWidth(1, std::max(120, std::min(m_table->viewport()->width() - others, m_table->columnWidth(1))));
}

void RunsPage::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

} // namespace bioforge::ui
