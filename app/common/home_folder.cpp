#include "home_folder.h"

#include <QByteArray>
#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace bioforge::app {

QString ensureHomeFolder(const char* program)
{
    // "/" (what a container sets for a user it does not know) and a relative path are no home
    // either: settings and projects would land at the root or move with the working folder.
    const QByteArray home = qgetenv("HOME");
    if (home.startsWith('/') && home != "/")
        return {};
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_dir && found->pw_dir[0] == '/'
        && QByteArray(found->pw_dir) != "/") {
        qputenv("HOME", QByteArray(found->pw_dir));
        return {};
    }
    return QStringLiteral("%1: HOME is %2 and user %3 has no home folder in the password database: set HOME to a folder (settings, the "
                          "model registry and the default project are kept under it)")
        .arg(QString::fromLatin1(program), home.isEmpty() ? QStringLiteral("not set") : QStringLiteral("'%1'").arg(QString::fromLocal8Bit(home)))
        .arg(::getuid());
}

} // namespace bioforge::app
