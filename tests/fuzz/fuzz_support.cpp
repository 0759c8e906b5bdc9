#include "fuzz_support.h"

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
