#include "compute/host_memory.h"

#include <QFile>
#include <QLocale>
#include <QString>

#include <unistd.h>

namespace bioforge::core {

std::optional<qint64> availableMemoryBytes()
{
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    if (meminfo.open(QIODevice::ReadOnly)) {
        // "MemAvailable:   12345678 kB"
        for (QByteArray line = meminfo.readLine(); !line.isEmpty(); line = meminfo.readLine()) {
            if (!line.startsWith("MemAvailable:"))
                continue;
            const QList<QByteArray> fields = line.simplified().split(' ');
            bool ok = false;
            const qint64 kib = fields.size() >= 2 ? fields[1].toLongLong(&ok) : 0;
            if (ok && kib >= 0 && kib < (qint64(1) << 52))
                return kib * 1024;
            break;
        }
    }
    const long pages = sysconf(_SC_AVPHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0 && qint64(pages) < (qint64(1) << 62) / pageSize)
        return qint64(pages) * pageSize;
    return std::nullopt;
}

QString memorySizeText(qint64 bytes) { return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat); }

} // namespace bioforge::core
