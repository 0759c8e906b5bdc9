#pragma once

// A compute device found at run time: the CPU, or a CUDA or HIP GPU.

#include <QList>
#include <QString>

namespace bioforge::core {

enum class DeviceKind { Cpu, Cuda, Hip };

// "cpu", "cuda", "hip": the prefix of a device id and the `kind` of `devices --json`.
inline QString deviceKindName(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Cuda: return QStringLiteral("cuda");
    case DeviceKind::Hip: return QStringLiteral("hip");
    case DeviceKind::Cpu: break;
    }
    return QStringLiteral("cpu");
}

struct DeviceInfo {
    QString id;   // "cpu", "cuda:0", "hip:1"
    DeviceKind kind = DeviceKind::Cpu;
    int index = 0;
    QString name; // e.g. "NVIDIA H100 80GB HBM3" or the CPU model
    qint64 memoryBytes = 0;
    QString driverVersion;
    int cpuThreads = 0; // for the CPU

    bool isGpu() const { return kind != DeviceKind::Cpu; }
};

struct DeviceReport {
    QList<DeviceInfo> devices; // the CPU first, then GPUs
    QStringList notes;         // why CUDA or HIP has no device here, in words

    QList<DeviceInfo> gpus() const;
    const DeviceInfo* find(const QString& id) const;
};

} // namespace bioforge::core
