#pragma once

// The workbench window: a navigation rail with the Runs page and one page per
// loaded plugin (or the empty-state page), docks for Jobs, Log, Provenance and
// Checkpoints, menus, recent projects, settings and about. It only wires and
// shows; the work lives in core/ and the plugins.

#include <QMainWindow>

#include <functional>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace bioforge::core {
class JobHandle;
class Session;
}

namespace bioforge::ui {

class CheckpointInspectorDock;
class JobsDock;
class LogDock;
class ProvenanceDock;
class RunsPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(core::Session& session, QWidget* parent = nullptr);

    JobsDock* jobsDock() const { return m_jobs; }
    LogDock* logDock() const { return m_log; }
    ProvenanceDock* provenanceDock() const { return m_provenance; }
    CheckpointInspectorDock* checkpointDock() const { return m_checkpoints; }
    QListWidget* navigation() const { return m_nav; }
    QStackedWidget* pages() const { return m_pages; }

    // Opens (or, with `create`, makes) the project in `folder`. On failure the reason is shown (a
    // message box once the window is up) and, when no project is open, the status bar keeps a line
    // "No project open — …" (projectProblem()) and the actions that need one are disabled.
    bool openProject(const QString& folder, bool create);
    QLabel* projectProblem() const { return m_projectProblem; }
    // The status bar's lasting text: the open project's folder and the devices (a message shown
    // for a while hides it, and it comes back after).
    QLabel* projectStatus() const { return m_projectStatus; }

    // Closing the window with runs going asks what to do with them. LeaveClusterJobsAndQuit (offered
    // when cluster runs are among them): those runs pause here with their Slurm jobs left going (a
    // resume follows them again), the others pause.
    enum class QuitChoice { PauseAndQuit, LeaveClusterJobsAndQuit, CancelAndQuit, Stay };
    // Replaces the question (tests answer it; the default asks in a message box). `clusterRuns`:
    // how many of the `activeRuns` run on a cluster.
    void setQuitQuestion(std::function<QuitChoice(int activeRuns, int clusterRuns)> ask) { m_askQuit = std::move(ask); }
    // Opening another project pauses the runs going (they resume when it is opened again): asked
    // first (true opens it). Replaces the question (tests answer it; the default asks in a message box).
    void setSwitchQuestion(std::function<bool(int activeRuns)> ask) { m_askSwitch = std::move(ask); }
    // A project whose database is damaged, empty or lost while runs/ holds run records: asked whether
    // to rebuild its run list from them (`bioforge recover`; true rebuilds and opens it). Replaces the
    // question (tests answer it; the default asks in a message box). `question`: the text asked.
    void setRecoverQuestion(std::function<bool(const QString& question)> ask) { m_askRecover = std::move(ask); }
    RunsPage* runsPage() const { return m_runsPage; }
    // After a project opens: offers to resume runs a crash interrupted.
    void offerResume();
    // Starts every plugin's demo runs in the open project.
    QStringList startDemo();
    // Moves `window` into the available area of the screen it is on (one larger than the screen to
    // its top left): the place restored from the last session is kept on screen.
    static void keepOnScreen(QWidget& window);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    // Size, place and docks, for the next start.
    void rememberLayout() const;

private:
    void buildMenus();
    void buildShortcuts();
    void openUserGuide();
    void buildPages();
    void addPage(const QString& title, const QIcon& icon, QWidget* page);
    void updateTitle();
    void updateRecentMenu();
    void showError(const QString& message);
    // The open project's folder was moved away (RunService::projectNotInPlace): the status bar's
    // red line says so until a project is opened.
    void sayProjectNotInPlace(const QString& message);
    // The Run menu's Pause, Resume and Cancel act on one list's selection: the Runs page's where
    // its table had the focus last (and still shows), else the Jobs dock's (main_window_runs.cpp).
    void followRunListFocus();
    void pauseChosenRun();
    void resumeChosenRun();
    void cancelChosenRun();
    // The Run menu acts on the Runs page: its table had the focus last, and it is shown.
    bool runsPageChosen() const;
    // The Runs page's selected run where the Run menu acts on the Runs page; empty otherwise.
    QString runsPageChoice() const;
    // The Run menu acts on the Runs page and nothing is selected there: said, true.
    bool runsPageChoiceMissing();
    // Selects `runId` in the Jobs dock for its buttons' action; false (said) where it is not listed.
    bool chooseInJobsDock(const QString& runId, const QString& action);
    // The Run menu's run selected in the Jobs dock for `action` (pause, cancel); false, said, where
    // there is none.
    bool chosenInJobsDock(const QString& action);
    void newProject();
    void chooseProject();

    core::Session& m_session;
    QListWidget* m_nav;
    QStackedWidget* m_pages;
    RunsPage* m_runsPage = nullptr;
    JobsDock* m_jobs;
    LogDock* m_log;
    ProvenanceDock* m_provenance;
    CheckpointInspectorDock* m_checkpoints;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_projectProblem = nullptr;
    QLabel* m_projectStatus = nullptr;
    QList<QAction*> m_projectActions; // need an open project: disabled without one
    bool m_runsPageFocusedLast = false; // of the two run lists, the Runs page's table had the focus last
    std::function<QuitChoice(int, int)> m_askQuit;
    std::function<bool(int)> m_askSwitch;
    std::function<bool(const QString&)> m_askRecover;
    // openProject's failure: where the folder's database is damaged or lost and its runs' records
    // are there, asks to rebuild it (project_recovery.h); true when it was rebuilt.
    bool offerRecovery(const QString& folder, const QString& failure);
    int activeRuns(bool onClusterOnly = false) const; // running or queued
    static bool runsOnCluster(const core::JobHandle& h);
};

} // namespace bioforge::ui
