#pragma once

// The Jobs dock's table: first the project's runs this session did not
// start that are not over — paused or interrupted ones no process has resumed
// yet (so a run paused before a restart, or in a terminal, can be resumed
// here), and those running in another program (a terminal's `bioforge run`,
// with the progress it last saved) — then one row per run this session has
// started, with name,
// stage, progress, rate, ETA, elapsed time (the run's own working time) and
// state. A resumed run names the run it continues; that run reads "resumed
// as …". A running job's notice (ProgressSnapshot::notice: a scheduler that
// does not answer) follows its state, with a warning icon, while it holds.
// It polls the scheduler's snapshots on a timer (the UI thread only reads;
// workers never call into the UI).

#include "provenance/run_record.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>

#include <memory>

namespace bioforge::core {
class JobHandle;
class JobScheduler;
} // namespace bioforge::core

namespace bioforge::ui {

class JobListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Stage, Progress, Rate, Eta, Elapsed, Warnings, State, ColumnCount };
    static constexpr int kRunIdRole = Qt::UserRole + 1;
    static constexpr int kFractionRole = Qt::UserRole + 2;

    explicit JobListModel(core::JobScheduler& scheduler, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    QString runIdAt(int row) const;
    int rowOf(const QString& runId) const;
    void refresh();
    // The project's runs as stored (`all`: every process's), with the progress each was saved at
    // (ProjectStore::runProgress; a run it lacks shows 0 %): those this session has not started that
    // are paused or interrupted and not resumed, or queued or running in another program, are the
    // first rows. A run any process resumed reads "resumed" (its Resume is off). Failed runs are left
    // to the Runs page.
    void setDormantRuns(const QList<core::RunRecord>& all, const QHash<QString, double>& progress = {});
    // The progress another program saved for its runs (ProjectStore::runProgress), read again as it
    // saves more; the rows of runs that run elsewhere show it.
    void setStoredProgress(const QHash<QString, double>& progress);
    // Whether a row is a run running or queued in another program (whose progress is worth reading again).
    bool showsRunsElsewhere() const;
    // May the run on `row` be resumed now (paused/interrupted/failed and not resumed yet)?
    bool canResume(int row) const;
    // The state of the run on `row` (Finished for a row that does not exist).
    core::RunState stateAt(int row) const;
    // The run that continues `runId`, if one was started (here, or by another program as stored).
    QString resumedAs(const QString& runId) const;

private:
    void onSubmitted(const QString& runId);
    QVariant dormantData(const core::RunRecord& r, int column, int role) const;

    core::JobScheduler& m_scheduler;
    QList<core::RunRecord> m_dormant; // rows [0, m_dormant.size())
    QHash<QString, double> m_dormantProgress;
    QHash<QString, QString> m_storedContinuations; // run id -> the run continuing it, as stored (any process's)
    QList<std::shared_ptr<core::JobHandle>> m_rows;
    QTimer m_timer;
};

} // namespace bioforge::ui
