#include "checkpoints/checkpoint_inspector_dock.h"

#include "io/safetensors_reader.h"
#include "plot/plot_factory.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <qcustomplot.h>

namespace bioforge::ui {

CheckpointInspectorDock::CheckpointInspectorDock(core::Session& session, QWidget* parent)
    : QDockWidget(tr("Checkpoints"), parent), m_session(session)
{
    setObjectName(QStringLiteral("CheckpointDock"));
    auto* body = new QWidget(this);
    m_runs = new QComboBox(body);
    m_runs->setObjectName(QStringLiteral("checkpointRunChooser"));
    // Neither the longest run title nor the folder's path sets the dock's width: the user narrows
    // the dock to give the page its room (the whole text is in the tooltips).
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runs->setMinimumContentsLength(16);
    m_status = new QLabel(body);
    m_status->setObjectName(QStringLiteral("checkpointStatus"));
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_entries = new QTreeWidget(body);
    m_entries->setHeaderLabels({tr("Entry"), tr("Checksums"), tr("Created")});
    m_entries->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tensors = new QTableWidget(0, 10, body);
    m_tensors->setHorizontalHeaderLabels({tr("Tensor"), tr("dtype"), tr("shape"), tr("bytes"), tr("min"), tr("max"), tr("mean"),
                                          tr("std"), tr("NaN"), tr("Inf")});
    m_tensors->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tensors->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tensors->verticalHeader()->hide();
    m_plot = new QCustomPlot(body);
    m_plot->setMinimumHeight(160);
    auto* split = new QSplitter(Qt::Vertical, body);
    split->addWidget(m_entries);
    split->addWidget(m_tensors);
    split->addWidget(m_plot);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_runs);
    layout->addWidget(m_status);
    layout->addWidget(split);
    setWidget(body);

    connect(m_runs, &QComboBox::activated, this, [this](int index) { inspectRun(m_runs->itemData(index).toString()); });
    connect(m_entries, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            showEntry(item->data(0, Qt::UserRole).toInt());
    });
    connect(m_tensors, &QTableWidget::currentCellChanged, this, [this](int row) { showTensor(row); });
    connect(&session, &core::Session::projectChanged, this, [this] {
        ++m_generation; // a verification of the last project's folder going: its result is dropped
        m_followed.clear();
        m_shownFolder.clear();
        m_reports.clear();
        m_entries->clear();
        m_tensors->setRowCount(0);
        m_plot->clearPlottables();
        m_plot->replot();
        m_status->clear();
        m_status->setToolTip(QString());
        connectRunService();
        reloadRuns();
    });
    connectRunService();
    // It opened on the newest run's name with empty tables until that was chosen again (trial 18).
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        m_inView = visible;
        if (visible)
            showPending();
    });
    reloadRuns();
}

void CheckpointInspectorDock::connectRunService()
{
    if (core::RunService* runs = m_session.runs()) {
        connect(runs, &core::RunService::runQueued, this, &CheckpointInspectorDock::onRunChanged, Qt::UniqueConnection);
        connect(runs, &core::RunService::runEnded, this, &CheckpointInspectorDock::onRunChanged, Qt::UniqueConnection);
        connect(runs, &core::RunService::runChangedElsewhere, this, &CheckpointInspectorDock::onRunChanged, Qt::UniqueConnection);
    }
}

void CheckpointInspectorDock::onRunChanged(const QString& runId)
{
    reloadRuns();
    core::Project* project = m_session.project();
    if (!project)
        return;
    auto run = project->store().run(runId);
    if (!run || project->checkpointDir(run->checkpointId) != m_shownFolder)
        return;
    m_shownStale = true;
    if (m_inView)
        showPending();
}

void CheckpointInspectorDock::followRun(const QString& runId)
{
    m_followed = runId;
    if (m_inView)
        showPending();
}

void CheckpointInspectorDock::showPending()
{
    core::Project* project = m_session.project();
    const QString runId = m_followed.isEmpty() ? m_runs->currentData().toString() : m_followed;
    if (!project || runId.isEmpty())
        return;
    auto run = project->store().run(runId);
    if (run && project->checkpointDir(run->checkpointId) == m_shownFolder && !m_shownStale)
        return; // shown: a selection within its chain, or the dock shown again
    inspectRun(runId);
}

void CheckpointInspectorDock::reloadRuns()
{
    const QString shown = m_runs->currentData().toString();
    const QSignalBlocker block(m_runs);
    m_runs->clear();
    core::Project* project = m_session.project();
    if (!project)
        return;
    auto runs = project->store().runs();
    if (!runs)
        return;
    QStringList seen;
    for (auto it = runs->crbegin(); it != runs->crend(); ++it) {
        if (seen.contains(it->checkpointId))
            continue; // resumed runs share their parent's checkpoints
        seen << it->checkpointId;
        // The chain's newest run names the state (a paused run that was resumed and finished reads finished).
        m_runs->addItem(QStringLiteral("%1 — %2 (%3)").arg(it->runId, it->title, core::runStateName(it->state)), it->runId);
        m_runs->setItemData(m_runs->count() - 1, m_runs->itemText(m_runs->count() - 1), Qt::ToolTipRole);
        m_runs->setItemData(m_runs->count() - 1, it->checkpointId, Qt::UserRole + 1);
    }
    if (const int i = m_runs->findData(shown); i >= 0)
        m_runs->setCurrentIndex(i);
}

void CheckpointInspectorDock::inspectRun(const QString& runId)
{
    core::Project* project = m_session.project();
    if (!project)
        return;
    m_followed = runId; // chosen here or on the Runs page: kept when the dock is shown again
    auto run = project->store().run(runId);
    if (!run) {
        m_status->setText(run.error().message());
        return;
    }
    // The chooser names the run whose checkpoints are shown (its chain shares one folder); a run
    // recorded since it was filled is added first (it kept naming another run: trial 24 T24-17).
    if (m_runs->findData(run->checkpointId, Qt::UserRole + 1) < 0)
        reloadRuns();
    if (const int i = m_runs->findData(run->checkpointId, Qt::UserRole + 1); i >= 0) {
        const QSignalBlocker block(m_runs);
        m_runs->setCurrentIndex(i);
    }
    inspectFolder(project->checkpointDir(run->checkpointId));
}

void CheckpointInspectorDock::inspectFolder(const QString& folder)
{
    const int generation = ++m_generation;
    m_shownFolder = folder;
    m_shownStale = false;
    m_entries->clear();
    m_tensors->setRowCount(0);
    m_reports.clear();
    m_plot->clearPlottables();
    m_plot->replot();
    if (!QFileInfo(folder).isDir()) { // said "0 entries, 0 failing verification, in <a folder that is not there>"
        m_status->setText(tr("No checkpoint folder: %1 does not exist (the run wrote no checkpoint, or the folder was deleted or moved)").arg(folder));
        m_status->setToolTip(folder);
        m_shownStale = true; // looked for again when the run is chosen, or when it ends
        emit inspected();
        return;
    }
    m_status->setText(tr("Verifying %1 …").arg(folder));
    auto* watcher = new QFutureWatcher<QList<core::CheckpointEntryReport>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, folder] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_reports = watcher->result();
        int bad = 0;
        for (int i = 0; i < m_reports.size(); ++i) {
            const core::CheckpointEntryReport& r = m_reports[i];
            auto* item = new QTreeWidgetItem(m_entries, {r.key, r.verified ? tr("verified") : tr("FAILED: %1").arg(r.error), r.created});
            item->setData(0, Qt::UserRole, i);
            if (!r.verified) {
                ++bad;
                item->setForeground(1, Qt::red);
            }
            const QJsonArray files = r.manifest.value(QLatin1String("files")).toArray();
            for (const QJsonValue& f : files)
                new QTreeWidgetItem(item, {f.toObject().value(QLatin1String("name")).toString(),
                                           f.toObject().value(QLatin1String("sha256")).toString().left(16) + QStringLiteral("…"),
                                           QStringLiteral("%1 bytes").arg(f.toObject().value(QLatin1String("size")).toDouble())});
        }
        // The counts first: what is cut off at a narrow width is the end of the path (whole in the tooltip).
        m_status->setText(tr("%1, %2 failing verification, in %3")
                              .arg(m_reports.size() == 1 ? tr("1 entry") : tr("%1 entries").arg(m_reports.size()), QString::number(bad), folder));
        m_status->setToolTip(folder);
        if (!m_reports.isEmpty())
            m_entries->setCurrentItem(m_entries->topLevelItem(0));
        emit inspected();
    });
    watcher->setFuture(QtConcurrent::run([folder] { return core::CheckpointInspector::inspect(folder); }));
}

void CheckpointInspectorDock::showEntry(int index)
{
    if (index < 0 || index >= m_reports.size())
        return;
    m_currentEntry = index;
    const core::CheckpointEntryReport& r = m_reports[index];
    m_tensors->setRowCount(int(r.tensors.size()));
    for (int row = 0; row < r.tensors.size(); ++row) {
        const core::TensorStats& t = r.tensors[row];
        const QStringList cells{t.name, t.dtype, t.shapeText(), QString::number(t.bytes),
                                t.numeric ? QString::number(t.min, 'g', 5) : QString(), t.numeric ? QString::number(t.max, 'g', 5) : QString(),
                                t.numeric ? QString::number(t.mean, 'g', 5) : QString(), t.numeric ? QString::number(t.std, 'g', 5) : QString(),
                                QString::number(t.nanCount), QString::number(t.infCount)};
        for (int c = 0; c < cells.size(); ++c)
            m_tensors->setItem(row, c, new QTableWidgetItem(cells[c]));
    }
    m_tensors->resizeColumnsToContents();
    if (r.tensors.isEmpty()) {
        m_plot->clearPlottables(); // no tensor: no histogram left from the previous entry
        m_plot->replot();
        return;
    }
    const QSignalBlocker block(m_tensors);
    m_tensors->setCurrentCell(0, 0);
    showTensor(0); // explicitly: the current cell may not change when the previous entry's was (0, 0) too
}

void CheckpointInspectorDock::showTensor(int row)
{
    if (m_currentEntry < 0 || row < 0 || row >= m_reports[m_currentEntry].tensors.size())
        return;
    const QString file = m_reports[m_currentEntry].tensorFile;
    const QString name = m_reports[m_currentEntry].tensors[row].name;
    const int generation = m_generation;
    auto* watcher = new QFutureWatcher<std::vector<double>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, name] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_plot->clearPlottables();
        PlotFactory::histogram(m_plot, watcher->result(), 50, name);
        m_plot->replot();
        emit histogramShown();
    });
    watcher->setFuture(QtConcurrent::run([file, name] {
        std::vector<double> values;
        auto reader = core::SafetensorsReader::open(file);
        if (!reader)
            return values;
        auto floats = (*reader)->toFloat(name);
        if (floats)
            values.assign(floats->begin(), floats->end());
        return values;
    }));
}

} // namespace bioforge::ui
