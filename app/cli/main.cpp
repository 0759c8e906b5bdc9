// bioforge: the headless command line for the workbench's jobs.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "common/home_folder.h"
#include "compute/blas_core.h"
#include "compute/thread_waits.h"
#include "io/text_decoding.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"
#include "runs/session.h"

#include <QApplication>
#include <QCoreApplication>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>
#include <memory>
#include <utility>

using namespace bioforge;

namespace {

void printUsage(QTextStream& out)
{
    out << "usage: bioforge [--project DIR] [--quiet] [--verbose] <command> [arguments]\n"
           "       bioforge [--project DIR] <plugin> <command> [arguments]   (a plugin's own commands)\n\ncommands:\n";
    for (const cli::CommandInfo& c : cli::commandTable())
        out << "  " << QString::fromUtf8(c.usage) << "\n      " << QString::fromUtf8(c.summary) << '\n';
    out << "\nexit codes: 0 ok, 1 run failed, 2 usage, 3 paused, 4 cancelled, 5 project/file error, 6 not found\n";
    out.flush();
}

bool hasDisplay()
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    return env.contains(QStringLiteral("DISPLAY")) || env.contains(QStringLiteral("WAYLAND_DISPLAY"));
}

// A command's options are those its usage names: `resume --quiet` was read as the run id
// "--quiet" (6, "no run"), `devices --chek` ran the listing without the check. An unknown option
// is a usage error (2), and a global one written after the command is told where it goes. A
// command whose usage takes only flags ("devices [--check]", "runs") refuses anything else.
// On success `args` holds `--html=F` as `--html F`, as the commands read their options.
bool checkCommandOptions(const cli::CommandInfo& command, QStringList& args, QTextStream& err)
{
    QStringList tokens;
    for (QString token : QString::fromUtf8(command.usage).split(QLatin1Char(' '), Qt::SkipEmptyParts).mid(1))
        if (token.remove(QLatin1Char('[')).remove(QLatin1Char(']')).remove(QChar(0x2026)); !token.isEmpty() && token != QLatin1String("|"))
            tokens << token;
    QStringList flags, valued; // valued: an option the usage writes with a value ("--html FILE")
    bool takesMore = false;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        if (!tokens[i].startsWith(QLatin1String("--"))) {
            takesMore = true;
            continue;
        }
        flags << tokens[i];
        if (const QString next = tokens.value(i + 1); !next.isEmpty() && next == next.toUpper() && next.front().isLetter()) {
            valued << tokens[i];
            ++i; // its value: no argument of the command's own ("runs [--plugin ID]" takes none)
        }
    }
    const QString usage = QStringLiteral(" (usage: bioforge ") + QString::fromUtf8(command.usage) + QLatin1Char(')');
    QStringList given; // `--html=F` as `--html F`, as the commands read their options
    bool valueNext = false; // after a valued option written without '=': its value
    for (const QString& a : std::as_const(args)) {
        const bool option = a.startsWith(QLatin1Char('-')) && a.size() > 1;
        if (std::exchange(valueNext, false) && !option) {
            given << a;
            continue;
        }
        const QString name = option ? a.section(QLatin1Char('='), 0, 0) : QString();
        if (option && !flags.contains(name)) {
            const bool global = name == QLatin1String("--project") || name == QLatin1String("--quiet") || name == QLatin1String("--verbose");
            err << "bioforge " << command.name << ": unknown option '" << a << "'"
                << (global ? QStringLiteral("; %1 is a global option, written before the command: bioforge %1%2 %3 …")
                                 .arg(name, name == QLatin1String("--project") ? QStringLiteral(" FOLDER") : QString(), QLatin1String(command.name))
                           : usage)
                << Qt::endl;
            return false;
        }
        if (option && a.contains(QLatin1Char('=')) && !valued.contains(name)) { // `devices --check=yes` ran without the check
            err << "bioforge " << command.name << ": " << name << " takes no value ('" << a << "')" << usage << Qt::endl;
            return false;
        }
        if (!option && !takesMore) {
            err << "bioforge " << command.name << ": unexpected argument '" << a << "'" << usage << Qt::endl;
            return false;
        }
        valueNext = option && !a.contains(QLatin1Char('=')) && valued.contains(name);
        given << (option && a.contains(QLatin1Char('=')) ? QStringList{name, a.section(QLatin1Char('='), 1)} : QStringList{a});
    }
    args = given;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    // Before any plugin (and the OpenBLAS LibTorch links) is loaded: see compute/blas_core.h.
    const core::BlasCoreChoice blas = core::chooseOpenBlasCore();
    const core::BlasCoreChoice aten = core::chooseAtenCpuCapability();
    const core::ThreadWaitChoice waits = core::chooseThreadWaits();
    // Global options come before the command.
    cli::CliOptions options;
    bool emptyProject = false; // `--project "$P"` with P unset: refused, not the default project
    int first = 1;
    for (; first < argc; ++first) {
        const QString arg = core::decodeArgument(QByteArray(argv[first]));
        if (arg == QLatin1String("--project") && first + 1 < argc) {
            options.project = core::decodeArgument(QByteArray(argv[++first]));
            emptyProject = options.project.isEmpty();
        } else if (arg.startsWith(QLatin1String("--project="))) { // as every other option may be written
            options.project = arg.mid(10);
            emptyProject = options.project.isEmpty();
        } else if (arg == QLatin1String("--quiet"))
            options.quiet = true;
        else if (arg == QLatin1String("--verbose"))
            options.verbose = true;
        else
            break;
    }
    const QString commandName = first < argc ? core::decodeArgument(QByteArray(argv[first])) : QString();
    const cli::CommandInfo* command = cli::findCommand(commandName == QLatin1String("--version") ? QStringLiteral("version") : commandName);

    // A terminal output that goes away (`| head`, a pager quit, an ssh connection dropped) stops the
    // output (writes fail), not the runs (trial 24 T24-16).
    std::signal(SIGPIPE, SIG_IGN);
    if (const QString noHome = app::ensureHomeFolder("bioforge"); !noHome.isEmpty() && command && QLatin1String(command->name) != QLatin1String("version")) {
        std::fprintf(stderr, "%s\n", noHome.toLocal8Bit().constData());
        return cli::kProjectError;
    }
    // Plots and PDFs need a QApplication; without a display it renders offscreen.
    core::Logging::quietenQtBeforeInitialize(); // the application's construction may already speak
    std::unique_ptr<QCoreApplication> app;
    if (command && command->needsGui) {
        if (!hasDisplay() && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setOrganizationName(QStringLiteral("BioForge"));
    QCoreApplication::setApplicationName(QStringLiteral("Workbench"));
    core::Logging::initialize(options.verbose ? core::Logging::Console::All : core::Logging::Console::Warnings);
    core::logBlasCoreChoice(blas);
    core::logAtenCapabilityChoice(aten);
    core::logThreadWaitChoice(waits);

    QTextStream out(stdout), err(stderr);
    if (commandName.isEmpty() || commandName == QLatin1String("--help") || commandName == QLatin1String("help")) {
        printUsage(out);
        return commandName.isEmpty() ? cli::kUsage : cli::kOk;
    }
    QStringList args;
    for (int i = first + 1; i < argc; ++i)
        args << core::decodeArgument(QByteArray(argv[i]));
    if (emptyProject) {
        err << "bioforge: --project: an empty path (was the variable that should hold the folder unset?)" << Qt::endl;
        return cli::kUsage;
    }
    // The same mistake spelt through the environment: set but empty is not "not set" (a run would go to the default project).
    // (Commands that open no project — version, plugins, devices, settings, a plugin's own — do not care.)
    const bool opensProject = command && !QStringList{QStringLiteral("version"), QStringLiteral("plugins"), QStringLiteral("devices"), QStringLiteral("settings")}
                                               .contains(QLatin1String(command->name));
    if (const QProcessEnvironment env = QProcessEnvironment::systemEnvironment(); opensProject && options.project.isEmpty()
                                                                                  && env.contains(QStringLiteral("BIOFORGE_PROJECT"))
                                                                                  && env.value(QStringLiteral("BIOFORGE_PROJECT")).isEmpty()) {
        err << "bioforge: BIOFORGE_PROJECT is set but empty (was the variable that should hold the folder unset?); unset it for the default project, or "
               "give --project DIR"
            << Qt::endl;
        return cli::kUsage;
    }
    // `bioforge <command> … --help`: the command's usage, for every command (`run` answers per verb).
    if (command && qstrcmp(command->name, "run") != 0 && qstrcmp(command->name, "models") != 0
        && (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h")))) {
        out << "usage: bioforge " << QString::fromUtf8(command->usage) << "\n  " << QString::fromUtf8(command->summary) << Qt::endl;
        return cli::kOk;
    }

    // (`run` checks its verb's parameters; `settings` and `models` take values that may start with '-'.)
    if (command && qstrcmp(command->name, "run") != 0 && qstrcmp(command->name, "settings") != 0 && qstrcmp(command->name, "models") != 0
        && !checkCommandOptions(*command, args, err))
        return cli::kUsage;

    cli::CliContext ctx(options, out, err);
    int code = cli::kUsage;
    if (command) {
        code = command->run(ctx, args);
    } else if (core::IPlugin* plugin = ctx.session().plugins().plugin(commandName)) {
        // `bioforge <plugin> <command> …`: a plugin's own commands.
        const QString verb = args.isEmpty() ? QString() : args.takeFirst();
        QStringList runVerbs; // its recorded runs' verbs, `bioforge run PLUGIN VERB`
        for (const core::VerbSpec& v : plugin->verbs())
            runVerbs << v.name;
        if (verb.isEmpty() || verb == QLatin1String("--help") || verb == QLatin1String("help")) {
            QTextStream& stream = verb.isEmpty() ? err : out;
            if (plugin->commandVerbs().isEmpty())
                stream << "bioforge " << commandName << " has no commands of its own";
            else
                stream << "usage: bioforge " << commandName << " <command> [arguments]\n  commands: " << plugin->commandVerbs().join(QStringLiteral(", "))
                       << "\n  bioforge " << commandName << " <command> --help lists a command's parameters";
            if (!runVerbs.isEmpty())
                stream << "\n  its runs: bioforge run " << commandName << ' ' << runVerbs.join(QLatin1Char('|')) << " …  (bioforge run " << commandName
                       << " VERB --help lists a run's parameters)";
            stream << Qt::endl;
            code = verb.isEmpty() ? cli::kUsage : cli::kOk;
        } else if (const std::optional<int> handled = plugin->runCommand(verb, args, out, err); !handled) {
            err << "bioforge: plugin '" << commandName << "' has no command '" << verb << "'; "
                << (plugin->commandVerbs().isEmpty() ? QStringLiteral("it has no commands of its own")
                                                     : QStringLiteral("its commands: ") + plugin->commandVerbs().join(QStringLiteral(", ")))
                << (runVerbs.contains(verb) ? QStringLiteral(" — a run is started with: bioforge run %1 %2 …").arg(commandName, verb)
                                            : runVerbs.isEmpty() ? QString() : QStringLiteral("; its runs (bioforge run %1 …): %2").arg(commandName, runVerbs.join(QStringLiteral(", "))))
                << Qt::endl;
            code = cli::kUsage;
        } else {
            code = *handled;
        }
    } else if (ctx.session().plugins().entry(commandName)) {
        // A plugin that did not load: said so with its reason (6), as `bioforge run` does, not "unknown command".
        err << "bioforge: " << ctx.session().plugins().notLoadedReason(commandName) << Qt::endl;
        code = cli::kNotFound;
    } else {
        err << "bioforge: unknown command '" << commandName << "' (see bioforge --help)" << Qt::endl;
    }
    out.flush();
    err.flush();
    core::Logging::flush();
    return code;
}
