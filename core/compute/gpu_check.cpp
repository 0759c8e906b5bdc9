#include "compute/gpu_check.h"

#include <QDir>
#include <QFileInfo>

#include <dlfcn.h>

namespace bioforge::core {

QString GpuCheck::moduleFolder()
{
    // The modules are installed beside libbioforge_core.
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&GpuCheck::moduleFolder), &info) && info.dli_fname)
        return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absolutePath();
    return {};
}

GpuCheck::Result GpuCheck::run(DeviceKind kind, int device)
{
    Result result;
    if (kind == DeviceKind::Cpu) {
        result.message = QStringLiteral("the CPU needs no kernel check");
        return result;
    }
    const QString name = kind == DeviceKind::Cuda ? QStringLiteral("libbioforge_gpu_cuda.so") : QStringLiteral("libbioforge_gpu_hip.so");
    const QString path = QDir(moduleFolder()).filePath(name);
    if (!QFileInfo::exists(path)) {
        result.message = QStringLiteral("%1 is not part of this build (built without %2)")
                             .arg(name, kind == DeviceKind::Cuda ? QStringLiteral("CUDA") : QStringLiteral("HIP"));
        return result;
    }
    void* handle = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        result.message = QStringLiteral("%1 cannot be loaded (is the GPU runtime installed?): %2").arg(name, QString::fromLocal8Bit(dlerror()));
        return result;
    }
    using CheckFn = int (*)(int, int*, char*, int);
    auto check = reinterpret_cast<CheckFn>(dlsym(handle, "bioforge_gpu_check"));
    if (!check) {
        result.message = QStringLiteral("%1 lacks bioforge_gpu_check").arg(name);
        dlclose(handle);
        return result;
    }
    result.moduleLoaded = true;
    char message[512] = {};
    result.code = check(device, &result.deviceCount, message, int(sizeof message));
    result.message = QString::fromLocal8Bit(message);
    // Not unloaded: GPU runtimes do not support being unloaded and reloaded.
    return result;
}

} // namespace bioforge::core
