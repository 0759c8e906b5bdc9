#pragma once

// Set-up of the logging back end: which sinks are attached, Qt's message
// handler routed into spdlog.

#include <QString>

namespace bioforge::core {

class LogRing;

class Logging {
public:
    enum class Console { Off, Warnings, All };

    // Idempotent; safe to call again to change the console level.
    static void initialize(Console console);
    // Once, at start, before initialize() and before any thread (and before the application
    // object, whose construction may already speak): Qt's messages print as Qt prints them,
    // except its note that a headless session has no runtime folder (XDG_RUNTIME_DIR), which is
    // kept off the terminal (in the in-memory log only: no file is attached yet). A no-op after
    // initialize().
    static void quietenQtBeforeInitialize();
    // Adds a rotating log file in `folder` (bioforge.log, 5 MiB x 3), replacing
    // a previous project's file. False, with the reason in `why`, when it cannot be written.
    static bool attachFile(const QString& folder, QString* why = nullptr);
    static void detachFile();
    static LogRing& ring();
    static void flush();
    // An error the user is shown another way (a failed run: its record, the window's run list, the
    // command line's summary line): written to the log file and the window's log, not to the
    // console, so that a terminal shows it once.
    static void errorNotOnConsole(const QString& message);
};

} // namespace bioforge::core
