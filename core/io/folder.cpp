#include "io/folder.h"

#include <QFile>

#include <filesystem>
#include <system_error>

namespace bioforge::core {

Status makeFolder(const QString& folder)
{
    std::error_code ec;
    const std::filesystem::path path(QFile::encodeName(folder).toStdString());
    std::filesystem::create_directories(path, ec);
    if (!ec && std::filesystem::is_directory(path, ec))
        return okStatus();
    const QString reason = ec ? QString::fromLocal8Bit(ec.message().c_str()) : QStringLiteral("a file of that name is in the way");
    return Error(QStringLiteral("cannot create the folder %1: %2").arg(folder, reason), Error::Kind::Io);
}

} // namespace bioforge::core
