#include "store/project_store.h"

#include <QCoreApplication>
#include <QFile>
#include <QSysInfo>

namespace bioforge::core {
namespace {

// Boot id plus the process's start time in clock ticks (field 22 of
// /proc/<pid>/stat): together they tell a live process from a reused pid.
QString processStartOf(qint64 pid)
{
    QFile boot(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    QString bootId;
    if (boot.open(QIODevice::ReadOnly))
        bootId = QString::fromLatin1(boot.readAll()).trimmed();
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = stat.readAll();
    // The command name (field 2) may hold spaces; fields after it follow the last ')'.
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0)
        return {};
    const QList<QByteArray> fields = text.mid(close + 2).split(' ');
    constexpr int kStartTimeAfterName = 22 - 3; // field 22, counting from field 3
    if (fields.size() <= kStartTimeAfterName)
        return {};
    // Field 3, the state: a zombie (Z) or dead (X) process has ended — killed, its parent not yet
    // told — and will never close its runs.
    if (fields[0] == "Z" || fields[0] == "X")
        return {};
    return bootId + QLatin1Char(':') + QString::fromLatin1(fields[kStartTimeAfterName]);
}

} // namespace

RunOwner RunOwner::current() { return of(QCoreApplication::applicationPid()); }

RunOwner RunOwner::of(qint64 pid)
{
    RunOwner owner;
    owner.pid = pid;
    owner.host = QSysInfo::machineHostName();
    owner.processStart = processStartOf(owner.pid);
    return owner;
}

bool RunOwner::isAlive() const
{
    if (pid <= 0)
        return false;
    if (host != QSysInfo::machineHostName())
        return true; // cannot tell for another machine; never steal its runs
    const QString now = processStartOf(pid);
    return !now.isEmpty() && now == processStart;
}

} // namespace bioforge::core
