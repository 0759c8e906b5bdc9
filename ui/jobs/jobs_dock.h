#pragma once

// The Jobs dock: every run of this session with stage, progress bar, rate,
// ETA, elapsed time and state; pause, resume and cancel; a self-test button.
// Double-clicking a run opens its provenance.

#include <QDockWidget>
#include <QSet>
#include <QTimer>

class QPushButton;
class QTableView;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class JobListModel;

class JobsDock : public QDockWidget {
    Q_OBJECT
public:
    explicit JobsDock(core::Session& session, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    JobListModel* model() const { return m_model; }
    QString selectedRunId() const;
    // Starts the workbench self-test in the open project; returns the run id or an empty string.
    QString runSelfTest();
    // What the buttons do, for the Run menu's shortcuts too.
    void pauseSelected();
    // Pauses (cancels) a run of this window; one another program runs is asked of it.
    void askToStop(const QString& runId, bool cancel);
    void resumeSelected();
    void cancelSelected();
    // The project's runs not started in this session and not over (paused, interrupted, or going on
    // in another program), read again from the project; the chosen row stays chosen.
    void reloadDormant();

signals:
    void runActivated(const QString& runId);
    void runSelected(const QString& runId); // the current row's run (the Checkpoints dock follows it)
    void errorOccurred(const QString& message);
    void runDiscarded(const QString& message); // a paused or interrupted run cancelled, or a run of another program asked to stop: what became of it, for the status bar

private:
    void updateButtons();
    // Reloads as runs of the open project change: here, or in another program (a terminal).
    void followRuns();
    // The progress a run going on in another program last saved.
    void readProgressElsewhere();

    core::Session& m_session;
    JobListModel* m_model;
    QTableView* m_table;
    QPushButton* m_selfTest;
    QPushButton* m_pause;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QTimer m_orphanCheck; // while a run of another program is shown: whether its process is gone
    QSet<QString> m_askedToStop; // runs of another program asked to stop, until a state changes
};

} // namespace bioforge::ui
