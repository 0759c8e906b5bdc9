#pragma once

// The Runs page: the open project's run history (all plugins), with buttons
// to resume a paused, interrupted or failed run, open a run's results
// folder, show its provenance (also Return or a double click) and inspect
// its checkpoints. A run another run continues reads "…, resumed".
// Refreshed when runs start or end.

#include <QSet>
#include <QWidget>

class QStandardItemModel;
class QPushButton;
class QTableView;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class RunComparisonDialog;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(core::Session& session, QWidget* parent = nullptr);
    void reload();
    QTableView* table() const { return m_table; }
    QString selectedRunId() const;
    // Resumes the selected run (paused, interrupted or failed, not resumed yet); the new run's id or empty.
    QString resumeSelected();
    // Opens (non-modal) what differs between the two selected runs, the older as A; null unless two
    // are selected.
    RunComparisonDialog* compareSelected();

signals:
    void provenanceRequested(const QString& runId);
    void checkpointsRequested(const QString& runId);
    void errorOccurred(const QString& message);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitColumns();
    void connectRunService();
    void updateButtons();

    core::Session& m_session;
    QStandardItemModel* m_model;
    QTableView* m_table;
    QPushButton* m_resume;
    QPushButton* m_compare;
    QSet<QString> m_resumed; // runs that another run continues
};

} // namespace bioforge::ui
