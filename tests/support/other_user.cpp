#include "support/other_user.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <unistd.h>

namespace bioforge::test {

QStringList otherUserPrefix(QString* skip)
{
    if (::geteuid() != 0)
        return {};
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty()) {
        *skip = QStringLiteral("running as root without setpriv: no user to whom a place is read-only");
        return {};
    }
    return {setpriv, QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups")};
}

bool openToOtherUsers(const QString& folder)
{
    return QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                             | QFileDevice::ExeOther | QFileDevice::ReadGroup | QFileDevice::ExeGroup);
}

QString prepareOtherUser(const QString& dir, const QString& home, QStringList* prefix, bool* ok)
{
    QString skip;
    *prefix = otherUserPrefix(&skip);
    *ok = skip.isEmpty() && openToOtherUsers(dir) && QDir().mkpath(home) && QFile::setPermissions(home, QFileDevice::Permissions(0x7777));
    return skip;
}

void setTreeWritable(const QString& root, bool writable)
{
    const auto mode = [writable](bool dir) {
        QFileDevice::Permissions p = QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
        if (dir)
            p |= QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
        if (writable)
            p |= QFileDevice::WriteOwner;
        return p;
    };
    for (QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
        const QFileInfo f(it.next());
        QFile::setPermissions(f.filePath(), mode(f.isDir()));
    }
    QFile::setPermissions(root, mode(true));
}

ProgramRun runProgram(const QStringList& prefix, const QString& program, const QStringList& args, const QProcessEnvironment& env, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    const QStringList command = prefix + QStringList{program} + args;
    p.start(command.first(), command.mid(1));
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QStringList treeListing(const QString& root)
{
    QStringList out;
    for (QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
        const QFileInfo f(it.next());
        out << f.filePath() + QLatin1Char(' ') + QString::number(f.size()) + QLatin1Char(' ') + f.lastModified().toString(Qt::ISODateWithMs);
    }
    out.sort();
    return out;
}

} // namespace bioforge::test
