#include "io/sha256.h"

#include <QCryptographicHash>
#include <QFile>

namespace bioforge::core {

QString Sha256::ofData(const QByteArray& data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

Expected<QString> Sha256::ofFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open for hashing: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return Error(QStringLiteral("%1: read error while hashing: %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace bioforge::core
