#pragma once

// The Jobs dock's table: one row per run this session has started, with name,
// stage, progress, rate, ETA, elapsed time and state. It polls the
// scheduler's snapshots on a timer (the UI thread only reads; workers never
// call into the UI).

#include <QAbstractTableModel>
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

private:
    void onSubmitted(const QString& runId);

    core::JobScheduler& m_scheduler;
    QList<std::shared_ptr<core::JobHandle>> m_rows;
    QTimer m_timer;
};

} // namespace bioforge::ui
