#pragma once

// How many CPU threads a job may use: what was asked, at most this machine's
// hardware threads (QThread::idealThreadCount). More only wait for each
// other (measured: `viral predict --threads 1000` 43 s against 1.2 s on two
// cores), so a larger request is capped and `note` says so.

#include <QString>

namespace bioforge::core {

// `asked` capped at the hardware threads (at least 1); `note`, when given, is set to a sentence
// for the user when it was capped, and cleared otherwise.
int usableThreads(int asked, QString* note);

} // namespace bioforge::core
