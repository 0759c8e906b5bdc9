// The GPU self-check kernels: built modules load without a GPU and report
// the missing device in words; on a machine with GPUs every device computes
// the kernel correctly. Tests that need a device skip with the reason.

#include "compute/device_discovery.h"
#include "compute/gpu_check.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using namespace bioforge::core;

class TstGpuCheck : public QObject {
    Q_OBJECT

    static bool built(const QString& module) { return QFileInfo::exists(QDir(GpuCheck::moduleFolder()).filePath(module)); }

    void checkBackend(DeviceKind kind, const QString& module)
    {
        if (!built(module))
            QSKIP(qPrintable(module + QStringLiteral(" is not part of this build")));
        const GpuCheck::Result r = GpuCheck::run(kind, 0);
        if (!r.moduleLoaded)
            QSKIP(qPrintable(QStringLiteral("the GPU runtime is not installed: ") + r.message));
        bool hasDevice = false;
        for (const DeviceInfo& d : DeviceDiscovery::report().gpus())
            hasDevice = hasDevice || d.kind == kind;
        if (!hasDevice) {
            // No device: a clean, worded refusal, never a crash.
            QCOMPARE(r.code, 2);
            QVERIFY2(r.message.contains(QStringLiteral("no device")), qPrintable(r.message));
            QSKIP(qPrintable(QStringLiteral("no device of this kind here: ") + r.message));
        }
        for (const DeviceInfo& d : DeviceDiscovery::report().gpus()) {
            if (d.kind != kind)
                continue;
            const GpuCheck::Result each = GpuCheck::run(kind, d.index);
            QVERIFY2(each.code == 0, qPrintable(d.id + QStringLiteral(": ") + each.message));
        }
    }

private slots:
    void cudaKernelRunsOrReportsNoDevice() { checkBackend(DeviceKind::Cuda, QStringLiteral("libbioforge_gpu_cuda.so")); }
    void hipKernelRunsOrReportsNoDevice() { checkBackend(DeviceKind::Hip, QStringLiteral("libbioforge_gpu_hip.so")); }

    void aMissingDeviceIndexIsAnError()
    {
        for (const auto& [kind, module] : {std::pair{DeviceKind::Cuda, QStringLiteral("libbioforge_gpu_cuda.so")},
                                          std::pair{DeviceKind::Hip, QStringLiteral("libbioforge_gpu_hip.so")}}) {
            if (!built(module))
                continue;
            const GpuCheck::Result r = GpuCheck::run(kind, 999);
            if (r.moduleLoaded)
                QVERIFY(r.code != 0);
        }
    }

    void theCpuNeedsNoKernel() { QVERIFY(!GpuCheck::run(DeviceKind::Cpu, 0).moduleLoaded); }
};

QTEST_GUILESS_MAIN(TstGpuCheck)
#include "tst_gpu_check.moc"
