#include "shell/main_window.h"

#include "about/about_dialog.h"
#include "checkpoints/checkpoint_inspector_dock.h"
#include "compute/device_discovery.h"
#include "jobs/job_scheduler.h"
#include "jobs/jobs_dock.h"
#include "log/log_dock.h"
#include "plugin/iplugin_ui.h"
#include "plugin/plugin_manager.h"
#include "provenance/provenance_dock.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "settings/settings_dialog.h"
#include "settings/workbench_settings.h"
#include "shell/empty_state_page.h"
#include "shell/resume_dialog.h"
#include "shell/runs_page.h"
#include "store/project.h"

#include <QApplication>
#include <QFileDialog>
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
    connect(m_jobs, &JobsDock::errorOccurred, this, &MainWindow::showError);
    connect(m_provenance, &ProvenanceDock::errorOccurred, this, &MainWindow::showError);
    connect(m_provenance, &ProvenanceDock::reportExported, this, [this](const QStringList& paths) {
        statusBar()->showMessage(tr("Report written: %1").arg(paths.join(QStringLiteral(", "))), 10000);
    });
    connect(&session, &core::Session::projectChanged, this, &MainWindow::updateTitle);
    connect(&session.scheduler(), &core::JobScheduler::jobEnded, m_checkpoints, &CheckpointInspectorDock::reloadRuns);

    buildMenus();
    buildPages();
    updateTitle();
    resize(1280, 800);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New project…"), QKeySequence::New, this, &MainWindow::newProject);
    file->addAction(tr("&Open project…"), QKeySequence::Open, this, &MainWindow::chooseProject);
    m_recentMenu = file->addMenu(tr("Recent projects"));
    file->addSeparator();
    file->addAction(tr("&Settings…"), this, [this] { SettingsDialog(this).exec(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Run the &self-test"), this, [this] { m_jobs->runSelfTest(); });
    run->addAction(tr("Run the &demo"), this, [this] { startDemo(); });
    run->addAction(tr("&Pause all"), this, [this] {
        for (const auto& h : m_session.scheduler().handles())
            m_session.scheduler().pause(h->runId());
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : std::initializer_list<QDockWidget*>{m_jobs, m_log, m_provenance, m_checkpoints})
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About BioForge"), this, [this] { AboutDialog(this).exec(); });
    updateRecentMenu();
}

void MainWindow::addPage(const QString& title, const QIcon& icon, QWidget* page)
{
    m_pages->addWidget(page);
    new QListWidgetItem(icon, title, m_nav);
}

void MainWindow::buildPages()
{
    m_runsPage = new RunsPage(m_session, m_pages);
    connect(m_runsPage, &RunsPage::provenanceRequested, m_provenance, &ProvenanceDock::showRun);
    connect(m_runsPage, &RunsPage::checkpointsRequested, this, [this](const QString& runId) {
        m_checkpoints->show();
        m_checkpoints->raise();
        m_checkpoints->inspectRun(runId);
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
}

bool MainWindow::openProject(const QString& folder, bool create)
{
    if (core::Status st = m_session.openProject(folder, create); !st) {
        showError(st.error().message());
        return false;
    }
    core::WorkbenchSettings().addRecentProject(m_session.project()->folder());
    updateRecentMenu();
    return true;
}

void MainWindow::offerResume()
{
    core::RunService* runs = m_session.runs();
    if (!runs)
        return;
    if (auto recovered = runs->recoverInterrupted(); !recovered) {
        showError(recovered.error().message());
        return;
    }
    auto resumable = runs->resumableRuns();
    if (!resumable || resumable->isEmpty())
        return;
    QList<core::RunRecord> unfinished;
    for (const core::RunRecord& r : *resumable)
        if (r.state != core::RunState::Failed)
            unfinished << r;
    if (unfinished.isEmpty())
        return;
    ResumeDialog dialog(unfinished, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    for (const QString& id : dialog.selectedRunIds())
        if (auto resumed = runs->resume(id); !resumed)
            showError(resumed.error().message());
}

QStringList MainWindow::startDemo()
{
    QStringList ids;
    if (!m_session.runs())
        return ids;
    for (const core::PluginEntry& e : m_session.plugins().entries()) {
        if (e.state != core::PluginEntry::State::Loaded)
            continue;
        for (const core::DemoRun& demo : e.plugin->demoRuns()) {
            if (!demo.unavailable.isEmpty()) {
                showError(tr("The demo of %1 cannot run: %2").arg(e.metadata.name, demo.unavailable));
                continue;
            }
            auto id = m_session.runs()->start(e.metadata.id, demo.verb, demo.parameters, demo.title);
            if (id)
                ids << *id;
            else
                showError(id.error().message());
        }
    }
    return ids;
}

void MainWindow::updateTitle()
{
    core::Project* project = m_session.project();
    setWindowTitle(project ? tr("%1 — BioForge Workbench").arg(project->name()) : tr("BioForge Workbench"));
    const core::DeviceReport& devices = core::DeviceDiscovery::report();
    const QString device = devices.gpus().isEmpty() ? tr("CPU only (%1)").arg(devices.devices.first().name)
                                                    : tr("%n GPU(s)", nullptr, int(devices.gpus().size()));
    statusBar()->showMessage(project ? tr("Project %1 — %2").arg(project->folder(), device) : device);
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (const QString& folder : core::WorkbenchSettings().recentProjects())
        m_recentMenu->addAction(folder, this, [this, folder] { openProject(folder, false); });
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

void MainWindow::showError(const QString& message)
{
    statusBar()->showMessage(message, 15000);
    if (isVisible() && QApplication::platformName() != QLatin1String("offscreen"))
        QMessageBox::warning(this, tr("BioForge"), message);
}

void MainWindow::newProject()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the new project (an empty one)"));
    if (!folder.isEmpty())
        openProject(folder, true);
}

void MainWindow::chooseProject()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a project folder"));
    if (!folder.isEmpty())
        openProject(folder, false);
}

} // namespace bioforge::ui
