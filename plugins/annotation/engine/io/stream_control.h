#pragma once

// What a long read reports to its caller and asks of it: progress in bytes
// of the file, and whether to stop (pause or cancel) between rows.

#include <QtGlobal>

#include <functional>

namespace bioforge::annotation {

struct StreamControl {
    std::function<void(qint64 bytesRead, qint64 fileSize)> progress; // may be empty
    std::function<bool()> stopRequested;                             // may be empty
    bool stopped() const { return stopRequested && stopRequested(); }
};

} // namespace bioforge::annotation
