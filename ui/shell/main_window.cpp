#include "shell/main_window.h"

#include "layout/open_location.h"
#include "about/about_dialog.h"
#include "checkpoints/checkpoint_inspector_dock.h"
#include "compute/device_discovery.h"
#include "jobs/job_scheduler.h"
#include "jobs/jobs_dock.h"
#include "layout/wheel_guard.h"
#include "log/log_dock.h"
#include "plugin/iplugin_ui.h"
#include "plugin/plugin_manager.h"
#include "provenance/provenance_dock.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/page_memory.h"
#include "settings/settings_dialog.h"
#include "settings/workbench_settings.h"
#include "shell/empty_state_page.h"
#include "shell/resume_dialog.h"
#include "shell/runs_page.h"
#include "store/project.h"

#include <QApplication>
#include <QScreen>
#include <QCloseEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QTableView>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QTimer>
#include <QUrl>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>

namespace bioforge::ui {

MainWindow::MainWindow(core::Session& session, QWidget* parent) : QMainWindow(parent), m_session(session)
{
    setObjectName(QStringLiteral("MainWindow"));
    qApp->installEventFilter(new WheelGuard(this)); // the wheel scrolls a form, not the settings under the pointer
    auto* central = new QWidget(this);
    m_nav = new QListWidget(central);
    m_nav->setObjectName(QStringLiteral("navigationRail"));
    m_nav->setFixedWidth(170);
    m_nav->setIconSize(QSize(24, 24));
    m_pages = new QStackedWidget(central);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_nav);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);

    m_jobs = new JobsDock(session, this);
    m_log = new LogDock(this);
    m_provenance = new ProvenanceDock(session, this);
    m_checkpoints = new CheckpointInspectorDock(session, this);
    addDockWidget(Qt::BottomDockWidgetArea, m_jobs);
    addDockWidget(Qt::BottomDockWidgetArea, m_log);
    tabifyDockWidget(m_jobs, m_log);
    m_jobs->raise();
    addDockWidget(Qt::RightDockWidgetArea, m_provenance);
    addDockWidget(Qt::RightDockWidgetArea, m_checkpoints);
    tabifyDockWidget(m_provenance, m_checkpoints);
    m_provenance->raise();

    connect(m_jobs, &JobsDock::runActivated, m_provenance, &ProvenanceDock::showRun);
    connect(m_jobs, &JobsDock::runSelected, m_checkpoints, &CheckpointInspectorDock::followRun);
    connect(m_jobs, &JobsDock::errorOccurred, this, &MainWindow::showError);
    connect(m_jobs, &JobsDock::runDiscarded, this, [this](const QString& message) { statusBar()->showMessage(message, 30000); });
    connect(m_provenance, &ProvenanceDock::errorOccurred, this, &MainWindow::showError);
    connect(m_provenance, &ProvenanceDock::reportExported, this, [this](const QStringList& paths) {
        statusBar()->showMessage(tr("Report written: %1").arg(paths.join(QStringLiteral(", "))), 10000);
    });
    connect(&session, &core::Session::projectChanged, this, &MainWindow::updateTitle);
    // After the run service has stored the run's end (its state is then the one to show).
    auto followRuns = [this] {
        if (core::RunService* runs = m_session.runs()) {
            connect(runs, &core::RunService::runEnded, m_checkpoints, &CheckpointInspectorDock::reloadRuns, Qt::UniqueConnection);
            connect(runs, &core::RunService::runStarted, m_checkpoints, &CheckpointInspectorDock::reloadRuns, Qt::UniqueConnection);
            connect(runs, &core::RunService::runChangedElsewhere, m_checkpoints, &CheckpointInspectorDock::reloadRuns, Qt::UniqueConnection);
            // The folder moved while open (a file manager): said where the user looks, and runs are
            // refused until it is opened where it is now (the next run split the project: trial 21).
            connect(runs, &core::RunService::projectNotInPlace, this, &MainWindow::sayProjectNotInPlace, Qt::UniqueConnection);
            // A `bioforge run` in a terminal on this project shows here as it is recorded and ends.
            runs->followOtherProcesses();
        }
    };

    m_projectProblem = new QLabel(this);
    m_projectProblem->setObjectName(QStringLiteral("projectProblem"));
    m_projectProblem->setWordWrap(true);
    m_projectProblem->setStyleSheet(QStringLiteral("QLabel { color: palette(highlighted-text); background: #b3261e; padding: 2px 6px; }"));
    m_projectProblem->hide();
    statusBar()->addPermanentWidget(m_projectProblem, 1);
    // A widget, not a message: a later message (an error, "Report written") left the bar empty for
    // good when it timed out, or stayed when it had no time-out (trial 21).
    m_projectStatus = new QLabel(this);
    m_projectStatus->setObjectName(QStringLiteral("projectStatus"));
    statusBar()->addWidget(m_projectStatus, 1);
    // After the status bar's labels: a project already moved is said at once (review 66 R66-9).
    connect(&session, &core::Session::projectChanged, this, followRuns);
    followRuns();
    buildMenus();
    buildPages();
    followRunListFocus();
    buildShortcuts();
    updateTitle();
    // The size, place and dock layout of the last session (else a size that fits a 1280x800 laptop).
    const PageMemory memory(QStringLiteral("window"));
    if (!restoreGeometry(memory.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 760);
    else
        keepOnScreen(*this);
    // First start: the right-hand docks wide enough for a run id, an ISO time and a version beside
    // their field names (~255 px elided them all); the user's own layout is kept after that.
    // The Jobs dock tall enough for several runs (it showed one and a half).
    if (!restoreState(memory.value(QStringLiteral("state")).toByteArray())) {
        resizeDocks({m_provenance}, {360}, Qt::Horizontal);
        resizeDocks({m_jobs}, {8 * m_jobs->table()->verticalHeader()->defaultSectionSize()}, Qt::Vertical); // with its title, header and buttons
    }
}

// A restored place moved into its screen's available area (a window larger than the screen at its
// top left; its size is the user's): a smaller screen than last time, or an X server without a
// window manager, which restored the window 20 px lower at each start with its status bar below the
// screen (trial 16). Qt's restoreGeometry does not. The frame is not counted: unknown before the
// window is shown, it is a window manager's.
void MainWindow::keepOnScreen(QWidget& window)
{
    const QScreen* screen = QGuiApplication::screenAt(window.geometry().center());
    if (!screen)
        screen = window.screen();
    if (!screen)
        return;
    // The desktop's whole available area: a window the user placed across two monitors stays there.
    const QRect available = screen->availableVirtualGeometry();
    QRect kept = window.geometry();
    kept.moveLeft(std::clamp(kept.left(), available.left(), std::max(available.left(), available.left() + available.width() - kept.width())));
    kept.moveTop(std::clamp(kept.top(), available.top(), std::max(available.top(), available.top() + available.height() - kept.height())));
    if (kept != window.geometry())
        window.setGeometry(kept);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New project…"), QKeySequence::New, this, &MainWindow::newProject)->setObjectName(QStringLiteral("newProjectAction"));
    file->addAction(tr("&Open project…"), QKeySequence::Open, this, &MainWindow::chooseProject)->setObjectName(QStringLiteral("openProjectAction"));
    m_recentMenu = file->addMenu(tr("Recent projects"));
    m_recentMenu->setObjectName(QStringLiteral("recentProjectsMenu"));
    file->addSeparator();
    file->addAction(tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma), this, [this] { SettingsDialog(this, &m_session.plugins()).exec(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    m_projectActions << run->addAction(tr("Run the &self-test"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), this, [this] { m_jobs->runSelfTest(); });
    m_projectActions << run->addAction(tr("Run the &demo"), this, [this] { startDemo(); });
    run->addSeparator();
    // The selected run of the Jobs dock, or of the Runs page where its table had the focus last.
    m_projectActions << run->addAction(tr("&Pause the selected run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), this, &MainWindow::pauseChosenRun);
    m_projectActions.last()->setObjectName(QStringLiteral("pauseAction"));
    m_projectActions << run->addAction(tr("&Resume the selected run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this, &MainWindow::resumeChosenRun);
    m_projectActions.last()->setObjectName(QStringLiteral("resumeAction"));
    m_projectActions << run->addAction(tr("&Cancel the selected run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X), this, &MainWindow::cancelChosenRun);
    m_projectActions.last()->setObjectName(QStringLiteral("cancelAction"));
    run->addAction(tr("Pause &all"), this, [this] {
        for (const auto& h : m_session.scheduler().handles())
            m_session.scheduler().pause(h->runId());
    });
    run->addSeparator();
    m_projectActions << run->addAction(tr("&Export the report of the shown run…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] { m_provenance->chooseReportFiles(); });
    m_projectActions.last()->setObjectName(QStringLiteral("exportReportAction"));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : std::initializer_list<QDockWidget*>{m_jobs, m_log, m_provenance, m_checkpoints})
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User guide"), QKeySequence::HelpContents, this, &MainWindow::openUserGuide)->setObjectName(QStringLiteral("userGuideAction"));
    help->addAction(tr("&About BioForge"), this, [this] { AboutDialog(&m_session.plugins(), this).exec(); });
    updateRecentMenu();
}

void MainWindow::addPage(const QString& title, const QIcon& icon, QWidget* page)
{
    // A page wider or taller than the window scrolls instead of widening the window (laptops: 1280x720, 1024x700).
    auto* scroll = new QScrollArea(m_pages);
    scroll->setObjectName(QStringLiteral("pageScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(page);
    m_pages->addWidget(scroll);
    new QListWidgetItem(icon, title, m_nav);
}

void MainWindow::buildPages()
{
    m_runsPage = new RunsPage(m_session, m_pages);
    connect(m_runsPage, &RunsPage::provenanceRequested, m_provenance, &ProvenanceDock::showRun);
    connect(m_runsPage, &RunsPage::errorOccurred, this, &MainWindow::showError);
    connect(m_runsPage, &RunsPage::checkpointsRequested, this, [this](const QString& runId) {
        m_checkpoints->followRun(runId); // shown now where the dock is in view, else as it comes into view (once)
        m_checkpoints->show();
        m_checkpoints->raise();
    });
    addPage(tr("Runs"), style()->standardIcon(QStyle::SP_FileDialogDetailedView), m_runsPage);
    int pluginPages = 0;
    for (const core::PluginEntry& e : m_session.plugins().entries()) {
        if (e.state != core::PluginEntry::State::Loaded)
            continue;
        auto* pluginUi = qobject_cast<IPluginUi*>(e.object);
        if (!pluginUi)
            continue;
        QWidget* page = pluginUi->createPage(PageContext{&m_session}, m_pages);
        if (!page)
            continue;
        addPage(pluginUi->pageTitle(), pluginUi->pageIcon(), page);
        ++pluginPages;
    }
    if (pluginPages == 0) {
        auto* empty = new EmptyStatePage(m_session.plugins(), m_pages);
        connect(empty, &EmptyStatePage::selfTestRequested, this, [this] { m_jobs->runSelfTest(); });
        addPage(tr("Get started"), style()->standardIcon(QStyle::SP_MessageBoxInformation), empty);
    }
    m_nav->setCurrentRow(pluginPages == 0 ? 1 : 0);
    // The page last chosen, by its title, at the next start (it opened on Runs every time: trial 21).
    const PageMemory memory(QStringLiteral("window"));
    const QString last = memory.value(QStringLiteral("page")).toString();
    for (int i = 0; i < m_nav->count() && !last.isEmpty(); ++i)
        if (m_nav->item(i)->text() == last)
            m_nav->setCurrentRow(i);
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0)
            PageMemory(QStringLiteral("window")).setValue(QStringLiteral("page"), m_nav->item(row)->text());
    });
}

namespace {

// The first control of `page` that Tab would reach.
QWidget* firstFocusable(QWidget* page)
{
    for (QWidget* w = page->nextInFocusChain(); w && w != page; w = w->nextInFocusChain())
        if (page->isAncestorOf(w) && w->isVisibleTo(page) && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus))
            return w;
    return nullptr;
}

} // namespace

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    // Tab from the rail goes into the page it shows (the pages were built after the docks, so the chain alone would skip them).
    if (watched == m_nav && event->type() == QEvent::KeyPress && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Tab
        && static_cast<QKeyEvent*>(event)->modifiers() == Qt::NoModifier) {
        if (QWidget* first = m_pages->currentWidget() ? firstFocusable(m_pages->currentWidget()) : nullptr) {
            first->setFocus(Qt::TabFocusReason);
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

// Ctrl+1 … Ctrl+9 open the pages in the rail's order; the page's first control takes the focus.
void MainWindow::buildShortcuts()
{
    for (int i = 0; i < std::min(9, m_nav->count()); ++i) {
        auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        shortcut->setObjectName(QStringLiteral("pageShortcut%1").arg(i + 1));
        connect(shortcut, &QShortcut::activated, this, [this, i] {
            m_nav->setCurrentRow(i);
            if (QWidget* first = m_pages->currentWidget() ? firstFocusable(m_pages->currentWidget()) : nullptr)
                first->setFocus(Qt::ShortcutFocusReason);
        });
        m_nav->item(i)->setToolTip(tr("%1 (Ctrl+%2)").arg(m_nav->item(i)->text(), QString::number(i + 1)));
    }
    // Tab from the rail goes into the page it shows, then on to the docks.
    m_nav->setTabKeyNavigation(false);
    m_nav->installEventFilter(this);
}

void MainWindow::openUserGuide()
{
    // Installed beside the program (share/doc/bioforge-workbench), or in the source tree it was built from.
    const QStringList candidates{QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/bioforge-workbench/user-guide.md")),
                                 QStringLiteral(BIOFORGE_SOURCE_DIR "/docs/user-guide.md")};
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) {
            openLocation(QFileInfo(c).absoluteFilePath(), this);
            statusBar()->showMessage(tr("User guide: %1").arg(QFileInfo(c).absoluteFilePath()), 10000);
            return;
        }
    showError(tr("The user guide was not found (looked for %1)").arg(candidates.join(QStringLiteral(", "))));
}

void MainWindow::rememberLayout() const
{
    const PageMemory memory(QStringLiteral("window"));
    memory.setValue(QStringLiteral("geometry"), saveGeometry());
    memory.setValue(QStringLiteral("state"), saveState());
}

int MainWindow::activeRuns(bool onClusterOnly) const
{
    int active = 0;
    for (const auto& h : m_session.scheduler().handles())
        active += (h->state() == core::RunState::Running || h->state() == core::RunState::Queued)
                          && (!onClusterOnly || runsOnCluster(*h))
                      ? 1
                      : 0;
    return active;
}

bool MainWindow::runsOnCluster(const core::JobHandle& h)
{
    return h.record().parameters.contains(QLatin1String("cluster"));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const int active = activeRuns();
    if (active == 0) {
        rememberLayout();
        event->accept();
        return;
    }
    const int onCluster = activeRuns(true);
    QuitChoice choice = QuitChoice::PauseAndQuit;
    if (m_askQuit) {
        choice = m_askQuit(active, onCluster);
    } else {
        QString text = active == 1 ? tr("1 run is still going. Pause it (it resumes from its last checkpoint at the next start) or cancel it?")
                                   : tr("%1 runs are still going. Pause them (they resume from their last checkpoint at the next start) or cancel them?")
                                         .arg(active);
        if (onCluster > 0)
            text += QLatin1String("\n\n")
                    + tr("On the Slurm cluster: %1 of them. A pause stops their jobs there (scancel); or quit and leave those jobs going: "
                         "such a run is paused here (the others pause as usual), and its Resume, at the next start or with "
                         "'bioforge resume', follows the jobs again and merges their results.")
                          .arg(onCluster);
        QMessageBox box(QMessageBox::Question, tr("Runs are going"), text, QMessageBox::NoButton, this);
        QPushButton* pause = box.addButton(tr("Pause and quit"), QMessageBox::AcceptRole);
        QPushButton* leave = onCluster > 0 ? box.addButton(tr("Quit, leave the cluster jobs going"), QMessageBox::AcceptRole) : nullptr;
        QPushButton* cancel = box.addButton(tr("Cancel the runs and quit"), QMessageBox::DestructiveRole);
        box.addButton(tr("Keep working"), QMessageBox::RejectRole);
        box.setDefaultButton(pause);
        box.exec();
        choice = box.clickedButton() == pause                    ? QuitChoice::PauseAndQuit
                 : leave && box.clickedButton() == leave          ? QuitChoice::LeaveClusterJobsAndQuit
                 : box.clickedButton() == cancel                  ? QuitChoice::CancelAndQuit
                                                                  : QuitChoice::Stay;
    }
    if (choice == QuitChoice::Stay) {
        event->ignore();
        return;
    }
    for (const auto& h : m_session.scheduler().handles()) {
        if (h->state() != core::RunState::Running && h->state() != core::RunState::Queued)
            continue;
        if (choice == QuitChoice::CancelAndQuit)
            m_session.scheduler().cancel(h->runId());
        else
            m_session.scheduler().pause(h->runId(), choice == QuitChoice::LeaveClusterJobsAndQuit ? core::PauseMode::LeaveClusterJobs
                                                                                                 : core::PauseMode::StopEverything);
    }
    rememberLayout();
    event->accept();
}

} // namespace bioforge::ui
