#include "compute/device_discovery.h"

#include <QFile>
#include <QSysInfo>
#include <QThread>

#include <dlfcn.h>
#include <unistd.h>

namespace bioforge::core {
namespace {

QString cpuModelName()
{
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (info.open(QIODevice::ReadOnly)) {
        // /proc files report size 0: read to the end rather than testing atEnd().
        const QList<QByteArray> lines = info.readAll().split('\n');
        for (const QByteArray& line : lines) {
            if (line.startsWith("model name")) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    return QString::fromUtf8(line.mid(colon + 1)).trimmed();
            }
        }
    }
    return QSysInfo::currentCpuArchitecture();
}

// Closes a dlopen handle when it goes out of scope.
struct Library {
    void* handle = nullptr;
    explicit Library(const char* name) : handle(dlopen(name, RTLD_NOW | RTLD_LOCAL)) {}
    ~Library() { if (handle) dlclose(handle); }
    template <typename Fn>
    Fn symbol(const char* name) const { return handle ? reinterpret_cast<Fn>(dlsym(handle, name)) : nullptr; }
};

QString versionText(int v) { return QStringLiteral("%1.%2").arg(v / 1000).arg((v % 1000) / 10); }

} // namespace

QList<DeviceInfo> DeviceReport::gpus() const
{
    QList<DeviceInfo> out;
    for (const DeviceInfo& d : devices)
        if (d.isGpu())
            out.append(d);
    return out;
}

const DeviceInfo* DeviceReport::find(const QString& id) const
{
    for (const DeviceInfo& d : devices)
        if (d.id == id)
            return &d;
    return nullptr;
}

const DeviceReport& DeviceDiscovery::report()
{
    static const DeviceReport cached = discover();
    return cached;
}

DeviceReport DeviceDiscovery::discover()
{
    DeviceReport report;
    report.devices.append(cpu());
    discoverCuda(report);
    discoverHip(report);
    return report;
}

DeviceInfo DeviceDiscovery::cpu()
{
    DeviceInfo d;
    d.id = QStringLiteral("cpu");
    d.kind = DeviceKind::Cpu;
    d.name = cpuModelName();
    d.cpuThreads = QThread::idealThreadCount();
    // The machine's physical memory (what a job may use is less: core/compute/host_memory.h).
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && pageSize > 0)
        d.memoryBytes = qint64(pages) * qint64(pageSize);
    return d;
}

void DeviceDiscovery::discoverCuda(DeviceReport& report)
{
    // Driver API: part of the NVIDIA driver, not of the toolkit.
    Library lib("libcuda.so.1");
    if (!lib.handle) {
        report.notes << QStringLiteral("CUDA: no NVIDIA driver (libcuda.so.1 not found)");
        return;
    }
    using InitFn = int (*)(unsigned);
    using CountFn = int (*)(int*);
    using GetFn = int (*)(int*, int);
    using NameFn = int (*)(char*, int, int);
    using MemFn = int (*)(size_t*, int);
    using DriverFn = int (*)(int*);
    auto init = lib.symbol<InitFn>("cuInit");
    auto count = lib.symbol<CountFn>("cuDeviceGetCount");
    auto get = lib.symbol<GetFn>("cuDeviceGet");
    auto name = lib.symbol<NameFn>("cuDeviceGetName");
    auto mem = lib.symbol<MemFn>("cuDeviceTotalMem_v2");
    auto driver = lib.symbol<DriverFn>("cuDriverGetVersion");
    if (!init || !count || !get || !name) {
        report.notes << QStringLiteral("CUDA: libcuda.so.1 lacks the expected entry points");
        return;
    }
    if (int rc = init(0); rc != 0) {
        report.notes << QStringLiteral("CUDA: driver initialisation failed (error %1): no usable NVIDIA GPU").arg(rc);
        return;
    }
    int n = 0;
    if (count(&n) != 0 || n == 0) {
        report.notes << QStringLiteral("CUDA: driver present but no device");
        return;
    }
    int driverVersion = 0;
    if (driver)
        driver(&driverVersion);
    for (int i = 0; i < n; ++i) {
        int dev = 0;
        if (get(&dev, i) != 0)
            continue;
        char buf[256] = {};
        name(buf, sizeof buf - 1, dev);
        size_t bytes = 0;
        if (mem)
            mem(&bytes, dev);
        DeviceInfo d;
        d.id = QStringLiteral("%1:%2").arg(deviceKindName(DeviceKind::Cuda)).arg(i);
        d.kind = DeviceKind::Cuda;
        d.index = i;
        d.name = QString::fromUtf8(buf);
        d.memoryBytes = qint64(bytes);
        d.driverVersion = versionText(driverVersion);
        report.devices.append(d);
    }
}

void DeviceDiscovery::discoverHip(DeviceReport& report)
{
    Library use("libamdhip64.so");
    if (!use.handle)
        use.handle = dlopen("libamdhip64.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!use.handle) {
        report.notes << QStringLiteral("HIP: no ROCm runtime (libamdhip64.so not found)");
        return;
    }
    using CountFn = int (*)(int*);
    using NameFn = int (*)(char*, int, int);
    using MemFn = int (*)(size_t*, int);
    using DriverFn = int (*)(int*);
    auto count = use.symbol<CountFn>("hipGetDeviceCount");
    auto name = use.symbol<NameFn>("hipDeviceGetName");
    auto mem = use.symbol<MemFn>("hipDeviceTotalMem");
    auto driver = use.symbol<DriverFn>("hipDriverGetVersion");
    int n = 0;
    if (!count) {
        report.notes << QStringLiteral("HIP: runtime lacks hipGetDeviceCount");
        return;
    }
    if (int rc = count(&n); rc != 0 || n == 0) {
        report.notes << QStringLiteral("HIP: runtime present but no AMD GPU (error %1)").arg(rc);
        return;
    }
    int driverVersion = 0;
    if (driver)
        driver(&driverVersion);
    for (int i = 0; i < n; ++i) {
        char buf[256] = {};
        if (name)
            name(buf, sizeof buf - 1, i);
        size_t bytes = 0;
        if (mem)
            mem(&bytes, i);
        DeviceInfo d;
        d.id = QStringLiteral("%1:%2").arg(deviceKindName(DeviceKind::Hip)).arg(i);
        d.kind = DeviceKind::Hip;
        d.index = i;
        d.name = QString::fromUtf8(buf);
        d.memoryBytes = qint64(bytes);
        d.driverVersion = QString::number(driverVersion);
        report.devices.append(d);
    }
}

} // namespace bioforge::core
