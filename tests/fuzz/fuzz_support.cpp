#include "fuzz_support.h"

#include "log/log.h"
#include "log/log_ring.h"
#include "log/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>

namespace bioforge::fuzz {

QString writeInput(const uint8_t* data, size_t size, const char* suffix)
{
    static const QString dir = [] {
        const QString d = QDir::temp().filePath(QStringLiteral("bioforge-fuzz-%1").arg(QCoreApplication::applicationPid()));
        QDir().mkpath(d);
        return d;
    }();
    const QString path = QDir(dir).filePath(QStringLiteral("input") + QLatin1String(suffix));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", qPrintable(path));
        std::abort();
    }
    f.write(reinterpret_cast<const char*>(data), qint64(size));
    f.close();
    return path;
}

void require(bool condition, const char* what, const QString& detail)
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz invariant broken: %s%s%s\n", what, detail.isEmpty() ? "" : ": ", qPrintable(detail));
    std::abort();
}

void requireNamesFile(const QString& message, const QString& path)
{
    require(!message.trimmed().isEmpty(), "an error without a message");
    require(message.contains(path) || message.contains(QFileInfo(path).fileName()), "an error that does not name the file", message);
}

} // namespace bioforge::fuzz

// libFuzzer calls this once, before the first input (the replay runner does
// not need it). The log ring (core/log/log_ring.h) keeps the last lines:
// until it is full, every line a parser logs is memory kept from one input to
// the next, which libFuzzer takes for a possible leak and answers with a
// LeakSanitizer scan of the whole heap after that input — the checkpoint
// target ran at ~40 exec/s instead of ~800. Filled first, each input's lines
// replace older ones and leak detection stays on for real leaks.
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const int capacity = bioforge::core::Logging::ring().capacity();
    for (int i = 0; i < capacity; ++i)
        bioforge::core::log::debug(QStringLiteral("fuzz: log ring filled before the first input"));
    return 0;
}
