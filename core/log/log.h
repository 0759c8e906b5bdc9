#pragma once

// Logging front: spdlog stays out of headers. Messages go to the rotating
// file of the open project, to the ring buffer the UI log panel reads and,
// for command-line runs, to stderr.

#include <QString>

namespace bioforge::core::log {

void debug(const QString& message);
void info(const QString& message);
void warn(const QString& message);
void error(const QString& message);

} // namespace bioforge::core::log
