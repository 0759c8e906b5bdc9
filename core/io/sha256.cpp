#include "io/sha256.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>

namespace bioforge::core {

QString Sha256::ofData(const QByteArray& data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

Expected<QString> Sha256::ofFile(const QString& path, const std::function<bool(qint64 bytesRead)>& progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open for hashing: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray block(std::clamp(file.size(), qint64(64) << 10, kBlockBytes), Qt::Uninitialized); // small files, small buffers
    qint64 read = 0;
    for (;;) {
        const qint64 n = file.read(block.data(), block.size());
        if (n < 0)
            return Error(QStringLiteral("%1: read error while hashing: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(block.constData(), n));
        read += n;
        if (progress && !progress(read))
            return Error(QStringLiteral("%1: hashing stopped after %2 of %3 bytes").arg(path, QString::number(read), QString::number(file.size())));
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace bioforge::core
