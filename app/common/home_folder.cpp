#include "home_folder.h"

#include <QByteArray>
#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace bioforge::app {

QString ensureHomeFolder(const char* program)
{
    if (!qEnvironmentVariableIsEmpty("HOME"))
        return {};
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_dir && found->pw_dir[0] == '/'
        && QByteArray(found->pw_dir) != "/") {
        qputenv("HOME", QByteArray(found->pw_dir));
        return {};
    }
    return QStringLiteral("%1: HOME is not set and user %2 has no home folder in the password database: set HOME (settings, the model "
                          "registry and the default project are kept under it)")
        .arg(QString::fromLatin1(program))
        .arg(::getuid());
}

} // namespace bioforge::app
