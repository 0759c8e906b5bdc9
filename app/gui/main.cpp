// bioforge-workbench: the desktop application.

#include "common/home_folder.h"
#include "common/interrupt_bridge.h"
#include "compute/blas_core.h"
#include "compute/thread_waits.h"
#include "log/log.h"
#include "log/logging.h"
#include "provenance/environment_info.h"
#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "shell/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

using namespace bioforge;

namespace {

const QCommandLineOption kProjectOption(QStringLiteral("project"), QStringLiteral("Open this project folder (created if missing)."), QStringLiteral("folder"));
const QCommandLineOption kDemoOption(QStringLiteral("demo"), QStringLiteral("Open the demo project and start every plugin's demo."));

void describe(QCommandLineParser& parser)
{
    QCoreApplication::setOrganizationName(QStringLiteral("BioForge"));
    QCoreApplication::setApplicationName(QStringLiteral("Workbench"));
    QCoreApplication::setApplicationVersion(core::EnvironmentInfo::applicationVersion());
    parser.setApplicationDescription(QStringLiteral("BioForge Workbench: the desktop application (the same runs headless: bioforge --help)"));
    parser.addHelpOption();
    parser.addVersionOption();
    // For the start-up benchmark: print when the window is on screen, then quit.
    QCommandLineOption shown(QStringLiteral("quit-when-shown"), QStringLiteral("Print 'shown' once the window is exposed and quit."));
    shown.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(kProjectOption);
    parser.addOption(kDemoOption);
    parser.addOption(shown);
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("The project folder to open (the same as --project folder)."), QStringLiteral("[folder]"));
}

// --help and --version answer without a display: QApplication aborts where there is none.
void answerHelpOrVersionWithoutADisplay(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--version" || a == "-v") { // the product's name, as `bioforge --version` says it (Qt would print "Workbench")
            std::printf("BioForge Workbench %s\n", qPrintable(core::EnvironmentInfo::applicationVersion()));
            std::exit(0);
        }
        if (a == "--help" || a == "-h") {
            QCoreApplication app(argc, argv);
            QCommandLineParser parser;
            describe(parser);
            parser.process(app); // prints and exits for these options
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    answerHelpOrVersionWithoutADisplay(argc, argv);
    core::Logging::quietenQtBeforeInitialize(); // Qt's notes before the log is set up (no XDG_RUNTIME_DIR) go to the log, not the terminal
    // Before any plugin (and the OpenBLAS LibTorch links) is loaded: see compute/blas_core.h.
    const core::BlasCoreChoice blas = core::chooseOpenBlasCore();
    const core::BlasCoreChoice aten = core::chooseAtenCpuCapability();
    const core::ThreadWaitChoice waits = core::chooseThreadWaits();
    if (const QString noHome = app::ensureHomeFolder("bioforge-workbench"); !noHome.isEmpty()) {
        std::fprintf(stderr, "%s\n", noHome.toLocal8Bit().constData());
        return 5;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("BioForge Workbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/bioforge/icons/bioforge.svg")));

    QCommandLineParser parser;
    describe(parser);
    // A usage error exits 2, as the command line's do (Qt's process() exits 1).
    if (!parser.parse(QCoreApplication::arguments()) || parser.positionalArguments().size() > 1
        || (parser.positionalArguments().size() == 1 && parser.isSet(kProjectOption))) {
        const QString why = !parser.errorText().isEmpty()                    ? parser.errorText()
                            : parser.positionalArguments().size() > 1 ? QStringLiteral("one project folder at a time (given: %1)").arg(parser.positionalArguments().join(QStringLiteral(", ")))
                                                                          : QStringLiteral("a folder and --project both name the project: give one");
        std::fprintf(stderr, "bioforge-workbench: %s\n\n%s", qPrintable(why), qPrintable(parser.helpText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);

    core::Logging::initialize(core::Logging::Console::Warnings);
    core::logBlasCoreChoice(blas);
    core::logAtenCapabilityChoice(aten);
    core::logThreadWaitChoice(waits);
    core::WorkbenchSettings settings;
    core::Session::Options options;
    options.maxConcurrentJobs = settings.maxConcurrentJobs();
    options.watchModelRegistry = true; // a terminal's `models import` shows in the open window
    core::Session session(options);
    ui::MainWindow window(session);

    QString folder = parser.positionalArguments().isEmpty() ? parser.value(kProjectOption) : parser.positionalArguments().first();
    if ((parser.isSet(kProjectOption) || !parser.positionalArguments().isEmpty()) && folder.trimmed().isEmpty()) { // as `bioforge --project ""`: an unset variable, not the default project
        std::fprintf(stderr, "bioforge-workbench: --project: an empty path (was the variable that should hold the folder unset?)\n");
        return 2;
    }
    if (folder.isEmpty() && parser.isSet(kDemoOption))
        folder = core::WorkbenchSettings::demoProjectFolder();
    if (folder.isEmpty() && !settings.recentProjects().isEmpty())
        folder = settings.recentProjects().first();
    if (folder.isEmpty())
        folder = settings.defaultProjectFolder();
    window.openProject(folder, true);
    window.show();
    if (parser.isSet(QStringLiteral("quit-when-shown"))) {
        QTimer::singleShot(0, &window, [&] {
            std::printf("shown\n");
            std::fflush(stdout);
            QApplication::quit();
        });
        return app.exec();
    }
    // SIGINT/SIGTERM/SIGHUP (Ctrl-C in the terminal that started it, `kill`, a session's end): the runs
    // pause as "Pause and quit" would, and the window closes; a second signal quits at once.
    app::InterruptBridge interrupts;
    bool interrupted = false;
    QObject::connect(&interrupts, &app::InterruptBridge::interrupted, &window, [&](int count) {
        interrupted = true;
        if (count > 1) {
            std::fprintf(stderr, "bioforge-workbench: quitting at once; the runs resume from their last checkpoint\n");
            std::_Exit(130);
        }
        core::log::warn(QStringLiteral("interrupted (SIGINT/SIGTERM/SIGHUP): pausing the runs (checkpoint and stop) and quitting; a second signal quits at once"));
        // The runs pause while the event loop still runs (a second signal is heard meanwhile); the
        // application quits once none is running or queued.
        QApplication::setQuitOnLastWindowClosed(false);
        window.setQuitQuestion([](int, int) { return ui::MainWindow::QuitChoice::PauseAndQuit; });
        window.close();
        auto quitWhenIdle = [&session] {
            for (const auto& h : session.scheduler().handles())
                if (h->state() == core::RunState::Running || h->state() == core::RunState::Queued)
                    return;
            QApplication::quit();
        };
        QObject::connect(&session.scheduler(), &core::JobScheduler::jobEnded, &window, quitWhenIdle);
        quitWhenIdle();
    });
    // After the window is up: offer to resume what a crash interrupted, then the demo.
    QTimer::singleShot(0, &window, [&] {
        window.offerResume();
        if (parser.isSet(kDemoOption) && !interrupted) // a signal during the resume dialog: no new runs
            window.startDemo();
    });
    return app.exec();
}
