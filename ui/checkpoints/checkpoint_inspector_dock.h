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
    // The run the user chose elsewhere (the Jobs dock's selection): shown now where the dock is in
    // view, else when it comes into view (verifying a folder is not done for a hidden dock).
    void followRun(const QString& runId);
    QString shownFolder() const { return m_shownFolder; }
    // Shown and its tab the current one (a tab behind another stays isVisible()).
    bool inView() const { return m_inView; }

    QTreeWidget* entryTree() const { return m_entries; }
    QTableWidget* tensorTable() const { return m_tensors; }
    QCustomPlot* histogram() const { return m_plot; }
    const QList<core::CheckpointEntryReport>& reports() const { return m_reports; }

signals:
    void inspected();         // entries are shown
    void histogramShown();    // the selected tensor's histogram is drawn

private:
    void showEntry(int index);
    // In view: the followed run, else the chooser's, unless its folder is shown already.
    void showPending();
    void connectRunService();
    // A run recorded, ended or changed by another process: the chooser lists it, and the folder
    // shown is read again when it is that run's (trial 24 T24-17: "no checkpoint folder" stayed).
    void onRunChanged(const QString& runId);
    void showTensor(int row);

    core::Session& m_session;
    QComboBox* m_runs;
    QLabel* m_status;
    QTreeWidget* m_entries;
    QTableWidget* m_tensors;
    QCustomPlot* m_plot;
    QList<core::CheckpointEntryReport> m_reports;
    int m_currentEntry = -1;
    QString m_followed;    // run id chosen elsewhere, shown when the dock is in view
    QString m_shownFolder; // the checkpoint folder inspected last
    bool m_shownStale = false; // it changed since (its run wrote, ended): read again when next shown
    bool m_inView = false; // as QDockWidget::visibilityChanged said last
    int m_generation = 0; // drops results of an inspection that was superseded
};

} // namespace bioforge::ui
