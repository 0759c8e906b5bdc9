#include "provenance/environment_info.h"

#include "compute/device_discovery.h"

#include <QJsonArray>
#include <QSysInfo>
#include <QtGlobal>

#include <spdlog/version.h>
#include <sqlite3.h>
#include <zlib.h>

#ifndef BIOFORGE_VERSION
#define BIOFORGE_VERSION "0.0.0"
#endif

namespace bioforge::core {

QString EnvironmentInfo::applicationVersion() { return QStringLiteral(BIOFORGE_VERSION); }

#ifndef BIOFORGE_BUILD_COMMIT
#define BIOFORGE_BUILD_COMMIT ""
#endif
QString EnvironmentInfo::buildCommit() { return QStringLiteral(BIOFORGE_BUILD_COMMIT); }

QString EnvironmentInfo::versionText()
{
    return buildCommit().isEmpty() ? applicationVersion() : QStringLiteral("%1 (commit %2)").arg(applicationVersion(), buildCommit());
}

QList<QPair<QString, QString>> EnvironmentInfo::libraryVersions()
{
    QList<QPair<QString, QString>> out;
    out.append({QStringLiteral("Qt (run time)"), QString::fromLatin1(qVersion())});
    out.append({QStringLiteral("Qt (build)"), QStringLiteral(QT_VERSION_STR)});
    out.append({QStringLiteral("spdlog"), QStringLiteral("%1.%2.%3").arg(QString::number(SPDLOG_VER_MAJOR), QString::number(SPDLOG_VER_MINOR),
                                                                         QString::number(SPDLOG_VER_PATCH))});
    out.append({QStringLiteral("SQLite"), QString::fromLatin1(sqlite3_libversion())});
    out.append({QStringLiteral("zlib"), QString::fromLatin1(zlibVersion())});
#ifdef BIOFORGE_LIBTORCH_VERSION
    out.append({QStringLiteral("LibTorch (build)"), QStringLiteral(BIOFORGE_LIBTORCH_VERSION)});
#else
    out.append({QStringLiteral("LibTorch"), QStringLiteral("not built")});
#endif
#ifdef BIOFORGE_CUDA_TOOLKIT_VERSION
    out.append({QStringLiteral("CUDA toolkit (build)"), QStringLiteral(BIOFORGE_CUDA_TOOLKIT_VERSION)});
#else
    out.append({QStringLiteral("CUDA toolkit"), QStringLiteral("not built")});
#endif
#ifdef BIOFORGE_HIP_VERSION
    out.append({QStringLiteral("HIP (build)"), QStringLiteral(BIOFORGE_HIP_VERSION)});
#else
    out.append({QStringLiteral("HIP"), QStringLiteral("not built")});
#endif
    for (const DeviceInfo& d : DeviceDiscovery::report().gpus())
        out.append({QStringLiteral("%1 driver").arg(d.kind == DeviceKind::Cuda ? QStringLiteral("CUDA") : QStringLiteral("HIP")),
                    d.driverVersion});
    return out;
}

QJsonObject EnvironmentInfo::deviceJson(const DeviceInfo& device)
{
    QJsonObject o{{QStringLiteral("id"), device.id}, {QStringLiteral("name"), device.name}};
    if (device.memoryBytes > 0)
        o.insert(QStringLiteral("memoryBytes"), double(device.memoryBytes));
    if (!device.driverVersion.isEmpty())
        o.insert(QStringLiteral("driverVersion"), device.driverVersion);
    return o;
}

QJsonObject EnvironmentInfo::collect()
{
    QJsonObject libs;
    for (const auto& [name, version] : libraryVersions())
        libs.insert(name, version);
    QJsonArray devices;
    const DeviceReport& report = DeviceDiscovery::report();
    for (const DeviceInfo& d : report.devices)
        devices.append(deviceJson(d));
    return {
        {QStringLiteral("application"), QStringLiteral("BioForge Workbench")},
        {QStringLiteral("version"), applicationVersion()},
        {QStringLiteral("commit"), buildCommit()},
        {QStringLiteral("libraries"), libs},
        {QStringLiteral("os"), QSysInfo::prettyProductName()},
        {QStringLiteral("kernel"), QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion()},
        {QStringLiteral("cpuArchitecture"), QSysInfo::currentCpuArchitecture()},
        {QStringLiteral("host"), QSysInfo::machineHostName()},
        {QStringLiteral("devices"), devices},
        {QStringLiteral("deviceNotes"), QJsonArray::fromStringList(report.notes)},
    };
}

} // namespace bioforge::core
