#pragma once

// The Checkpoints dock: choose a run, see its checkpoint entries as a tree
// (verified or not, with the reason), the selected entry's tensors with
// dtype, shape, size and statistics, and a histogram of the selected tensor.
// Verification and tensor reading run on worker threads.

#include "checkpoint/checkpoint_inspector.h"

#include <QDockWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;
class QTreeWidget;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class CheckpointInspectorDock : public QDockWidget {
    Q_OBJECT
public:
    explicit CheckpointInspectorDock(core::Session& session, QWidget* parent = nullptr);

    void reloadRuns();
    void inspectRun(const QString& runId);
    void inspectFolder(const QString& folder);

    QTreeWidget* entryTree() const { return m_entries; }
    QTableWidget* tensorTable() const { return m_tensors; }
    QCustomPlot* histogram() const { return m_plot; }
    const QList<core::CheckpointEntryReport>& reports() const { return m_reports; }

signals:
    void inspected();         // entries are shown
    void histogramShown();    // the selected tensor's histogram is drawn

private:
    void showEntry(int index);
    void showTensor(int row);

    core::Session& m_session;
    QComboBox* m_runs;
    QLabel* m_status;
    QTreeWidget* m_entries;
    QTableWidget* m_tensors;
    QCustomPlot* m_plot;
    QList<core::CheckpointEntryReport> m_reports;
    int m_currentEntry = -1;
    int m_generation = 0; // drops results of an inspection that was superseded
};

} // namespace bioforge::ui
