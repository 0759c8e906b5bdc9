#pragma once

// The Runs page: the open project's run history (all plugins), with buttons
// to open a run's results folder, show its provenance and inspect its
// checkpoints. Refreshed when runs start or end.

#include <QWidget>

class QStandardItemModel;
class QTableView;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(core::Session& session, QWidget* parent = nullptr);
    void reload();
    QTableView* table() const { return m_table; }

signals:
    void provenanceRequested(const QString& runId);
    void checkpointsRequested(const QString& runId);

private:
    QString selectedRunId() const;
    void connectRunService();

    core::Session& m_session;
    QStandardItemModel* m_model;
    QTableView* m_table;
};

} // namespace bioforge::ui
