// bioforge-workbench: the desktop application.

#include "compute/blas_core.h"
#include "compute/thread_waits.h"
#include "log/logging.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "shell/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QTimer>

#include <cstdio>

using namespace bioforge;

int main(int argc, char** argv)
{
    // Before any plugin (and the OpenBLAS LibTorch links) is loaded: see compute/blas_core.h.
    const core::BlasCoreChoice blas = core::chooseOpenBlasCore();
    const core::BlasCoreChoice aten = core::chooseAtenCpuCapability();
    const core::ThreadWaitChoice waits = core::chooseThreadWaits();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BioForge"));
    QApplication::setApplicationName(QStringLiteral("Workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("BioForge Workbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/bioforge/icons/bioforge.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("BioForge Workbench"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption projectOption(QStringLiteral("project"), QStringLiteral("Open this project folder (created if missing)."),
                                           QStringLiteral("folder"));
    const QCommandLineOption demoOption(QStringLiteral("demo"), QStringLiteral("Open the demo project and start every plugin's demo."));
    // For the start-up benchmark: print when the window is on screen, then quit.
    QCommandLineOption shownOption(QStringLiteral("quit-when-shown"), QStringLiteral("Print 'shown' once the window is exposed and quit."));
    shownOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(projectOption);
    parser.addOption(demoOption);
    parser.addOption(shownOption);
    parser.process(app);

    core::Logging::initialize(core::Logging::Console::Warnings);
    core::logBlasCoreChoice(blas);
    core::logAtenCapabilityChoice(aten);
    core::logThreadWaitChoice(waits);
    core::WorkbenchSettings settings;
    core::Session::Options options;
    options.maxConcurrentJobs = settings.maxConcurrentJobs();
    core::Session session(options);
    ui::MainWindow window(session);

    QString folder = parser.value(projectOption);
    if (folder.isEmpty() && parser.isSet(demoOption))
        folder = QDir(QDir::homePath()).filePath(QStringLiteral("BioForge/demo-project"));
    if (folder.isEmpty() && !settings.recentProjects().isEmpty())
        folder = settings.recentProjects().first();
    if (folder.isEmpty())
        folder = settings.defaultProjectFolder();
    window.openProject(folder, true);
    window.show();
    if (parser.isSet(shownOption)) {
        QTimer::singleShot(0, &window, [&] {
            std::printf("shown\n");
            std::fflush(stdout);
            QApplication::quit();
        });
        return app.exec();
    }
    // After the window is up: offer to resume what a crash interrupted, then the demo.
    QTimer::singleShot(0, &window, [&] {
        window.offerResume();
        if (parser.isSet(demoOption))
            window.startDemo();
    });
    return app.exec();
}
