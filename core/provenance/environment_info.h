#pragma once

// The software and machine a run executed on: application, Qt and library
// versions, operating system, CPU, GPUs and drivers. Also what the About
// dialog lists.

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace bioforge::core {

struct DeviceInfo;

class EnvironmentInfo {
public:
    static QString applicationVersion();
    // The commit the program was built from ("0123456789ab", with "-dirty" for uncommitted changes
    // when it was configured), empty when built outside a git checkout.
    static QString buildCommit();
    // "0.1.0 (commit 0123456789ab)", or the version alone.
    static QString versionText();
    // (library, version) pairs: Qt, spdlog, fmt, SQLite, zlib, LibTorch, CUDA, HIP.
    static QList<QPair<QString, QString>> libraryVersions();
    static QJsonObject collect();
    // One device as provenance records it: {id, name, memoryBytes, driverVersion}, the last two only
    // where known (a CPU has neither: they were written 0 and "").
    static QJsonObject deviceJson(const DeviceInfo& device);
};

} // namespace bioforge::core
