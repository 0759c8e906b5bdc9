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
    // Adds a rotating log file in `folder` (bioforge.log, 5 MiB x 3), replacing
    // a previous project's file.
    static bool attachFile(const QString& folder);
    static void detachFile();
    static LogRing& ring();
    static void flush();
};

} // namespace bioforge::core
