#include "compute/host_memory.h"

#include <QFile>
#include <QLocale>
#include <QString>

#include <algorithm>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace bioforge::core {
namespace {

std::optional<qint64> numberIn(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const qint64 n = file.readAll().trimmed().toLongLong(&ok); // "max" (no limit) is no number
    return ok && n >= 0 && n < (qint64(1) << 62) ? std::optional<qint64>(n) : std::nullopt;
}

} // namespace

std::optional<qint64> cgroupMemoryHeadroom(const QString& cgroupFile, const QString& root)
{
    QFile self(cgroupFile);
    if (!self.open(QIODevice::ReadOnly))
        return std::nullopt;
    std::optional<qint64> headroom;
    for (const QByteArray& line : self.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(':'); // hierarchy-id:controllers:path
        if (fields.size() < 3)
            continue;
        QString base, limitFile, usageFile;
        if (fields[0] == "0" && fields[1].isEmpty()) {
            base = root;
            limitFile = QStringLiteral("memory.max");
            usageFile = QStringLiteral("memory.current");
        } else if (fields[1].split(',').contains("memory")) {
            base = root + QStringLiteral("/memory");
            limitFile = QStringLiteral("memory.limit_in_bytes");
            usageFile = QStringLiteral("memory.usage_in_bytes");
        } else {
            continue;
        }
        QString dir = base + QString::fromUtf8(fields.mid(2).join(':'));
        for (;;) {
            const auto limit = numberIn(dir + QLatin1Char('/') + limitFile), usage = numberIn(dir + QLatin1Char('/') + usageFile);
            if (limit && usage)
                headroom = std::min(headroom.value_or(*limit), std::max<qint64>(*limit - *usage, 0));
            if (dir.size() <= base.size())
                break;
            dir.truncate(std::max<qsizetype>(dir.lastIndexOf(QLatin1Char('/')), base.size()));
        }
    }
    return headroom;
}

std::optional<qint64> hostAvailableBytes()
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

std::optional<qint64> availableMemoryBytes()
{
    const auto host = hostAvailableBytes(), cgroup = cgroupMemoryHeadroom();
    if (host && cgroup)
        return std::min(*host, *cgroup);
    return host ? host : cgroup;
}

std::optional<qint64> residentBytes(const void* address, qint64 length)
{
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pageSize <= 0 || length < 0)
        return std::nullopt;
    const uintptr_t start = reinterpret_cast<uintptr_t>(address) & ~uintptr_t(pageSize - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(address) + uintptr_t(length);
    std::vector<unsigned char> pages((end - start + uintptr_t(pageSize) - 1) / uintptr_t(pageSize));
    if (pages.empty())
        return 0;
    if (mincore(reinterpret_cast<void*>(start), end - start, pages.data()) != 0)
        return std::nullopt;
    qint64 resident = 0;
    for (unsigned char page : pages)
        resident += page & 1;
    return std::min<qint64>(resident * pageSize, length);
}

std::optional<qint64> availableBesideMapping(std::optional<qint64> host, std::optional<qint64> headroom, qint64 length, qint64 resident)
{
    const qint64 missing = std::max<qint64>(length - resident, 0);
    if (host)
        host = std::max<qint64>(*host - length, 0);
    if (headroom)
        headroom = std::max<qint64>(*headroom - missing, 0);
    if (host && headroom)
        return std::min(*host, *headroom);
    return host ? host : headroom;
}

std::optional<qint64> availableBesideMapping(const void* address, qint64 length)
{
    // Unknown residency counts as none resident: the cgroup's figure then loses the whole length too.
    return availableBesideMapping(hostAvailableBytes(), cgroupMemoryHeadroom(), length, residentBytes(address, length).value_or(0));
}

QString memorySizeText(qint64 bytes) { return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat); }

} // namespace bioforge::core
