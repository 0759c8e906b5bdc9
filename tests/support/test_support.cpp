#include "support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

namespace bioforge::test {

QString fixturePath(const QString& relative)
{
    return QDir(QStringLiteral(BIOFORGE_FIXTURES_DIR)).filePath(relative);
}

bool fixturesAvailable() { return QFileInfo(QStringLiteral(BIOFORGE_FIXTURES_DIR)).isDir(); }

QString casePath(const QString& relative)
{
    return QDir(QStringLiteral(BIOFORGE_FIXTURES_DIR)).filePath(QStringLiteral("../cases/") + relative);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

int checkpointManifestCount(const QString& folder)
{
    int n = 0;
    QDirIterator it(folder, {QStringLiteral("manifest.json")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

bool writeAll(const QString& path, const QByteArray& data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(data) == data.size();
}

QProcessEnvironment isolatedEnvironment(const QString& home)
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("HOME"), home);
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    e.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    e.remove(QStringLiteral("BIOFORGE_PROJECT"));
    e.remove(QStringLiteral("BIOFORGE_FIXTURES_DIR"));
    return e;
}

QString binPath(const QString& program) { return QDir(QStringLiteral(BIOFORGE_BIN_DIR)).filePath(program); }

} // namespace bioforge::test
