#include "compute/device_choice.h"

#include "compute/device_discovery.h"
#include "compute/gpu_check.h"
#include "compute/gpu_backend.h"
#include "gguf/gguf_file.h"
#include "gpu/llm_gpu_module.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <QRegularExpression>

namespace bioforge::llm {

QString DeviceChoice::label() const
{
    switch (kind) {
    case Kind::Cpu: return QStringLiteral("cpu");
    case Kind::Cuda: return QStringLiteral("cuda:%1").arg(index);
    case Kind::Hip: return QStringLiteral("hip:%1").arg(index);
    }
    return {};
}

core::Expected<DeviceChoice> parseDevice(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("^(cpu|cuda|hip)(?::([0-9]{1,4}))?$"));
    const auto match = pattern.match(text.trimmed().toLower());
    if (!match.hasMatch() || (match.captured(1) == QLatin1String("cpu") && match.hasCaptured(2)))
        return core::Error(QStringLiteral("device '%1': expected cpu, cuda, cuda:N, hip or hip:N").arg(text));
    DeviceChoice choice;
    const QString kind = match.captured(1);
    choice.kind = kind == QLatin1String("cpu") ? DeviceChoice::Kind::Cpu : kind == QLatin1String("cuda") ? DeviceChoice::Kind::Cuda : DeviceChoice::Kind::Hip;
    choice.index = match.hasCaptured(2) ? match.captured(2).toInt() : 0;
    return choice;
}

core::Expected<LlamaModel::Options> backendOptions(const DeviceChoice& device, int threads, size_t weightBytes, KernelPath kernels)
{
    if (device.kind == DeviceChoice::Kind::Cpu)
        return LlamaModel::Options::cpu(threads, kernels);
    const GpuVendor vendor = device.kind == DeviceChoice::Kind::Cuda ? GpuVendor::Cuda : GpuVendor::Hip;
    const QString path = QDir(core::GpuCheck::moduleFolder()).filePath(QString::fromStdString(GpuModule::fileName(vendor)));
    if (!QFileInfo::exists(path))
        return core::Error(QStringLiteral("device %1: this build has no %2 module (%3 is missing; build with %4)")
                               .arg(device.label(), vendor == GpuVendor::Cuda ? QStringLiteral("CUDA") : QStringLiteral("HIP"), path,
                                    vendor == GpuVendor::Cuda ? QStringLiteral("-DBIOFORGE_CUDA=ON") : QStringLiteral("-DBIOFORGE_HIP=ON")));
    std::string error;
    auto module = GpuModule::load(QFile::encodeName(path).toStdString(), vendor, &error);
    if (!module)
        return core::Error(QStringLiteral("device %1: %2").arg(device.label(), QString::fromStdString(error)));
    return gpuBackendOptions(module, device.index, threads, weightBytes, kernels);
}

core::Expected<LlamaModel::Options> backendOptions(const DeviceChoice& device, int threads, const GgufFile& file, KernelPath kernels)
{
    size_t weightBytes = 0;
    for (const GgufTensorInfo& t : file.tensors())
        weightBytes += t.bytes;
    return backendOptions(device, threads, weightBytes, kernels);
}

core::Expected<LlamaModel::Options> gpuBackendOptions(std::shared_ptr<const GpuModule> module, int index, int threads, size_t weightBytes,
                                                      KernelPath kernels)
{
    const QString label = QStringLiteral("%1:%2").arg(QString::fromStdString(module->prefix()), QString::number(index));
    std::string error;
    std::shared_ptr<GpuDevice> opened = GpuDevice::open(module, index, &error);
    if (!opened) {
        // Without a driver the runtime blames its version ("CUDA driver version is insufficient"):
        // the discovery's reason (`bioforge devices`), when it has one, is the one a user can act on.
        const QString vendor = module->prefix() == "hip" ? QStringLiteral("HIP: ") : QStringLiteral("CUDA: ");
        QStringList why;
        for (const QString& note : core::DeviceDiscovery::report().notes)
            if (note.startsWith(vendor))
                why << note.mid(vendor.size());
        if (why.isEmpty())
            return core::Error(QStringLiteral("device %1: %2").arg(label, QString::fromStdString(error)));
        return core::Error(QStringLiteral("device %1: %2 (the runtime says: %3)").arg(label, why.join(QStringLiteral("; ")), QString::fromStdString(error)));
    }
    std::string name;
    uint64_t freeBytes = 0, totalBytes = 0;
    if (!opened->describe(&name, &freeBytes, &totalBytes, &error))
        return core::Error(QStringLiteral("device %1: %2").arg(label, QString::fromStdString(error)));
    // Room for the activation buffers besides the weights.
    const uint64_t needed = uint64_t(weightBytes) + (uint64_t(256) << 20);
    if (needed > freeBytes)
        return core::Error(QStringLiteral("device %1 (%2): the model's weights need %3 GiB (with 0.25 GiB of buffers), the device has %4 GiB free of %5 GiB; "
                                          "this build does not split a model between GPU and CPU: use --device cpu or a larger device")
                               .arg(label, QString::fromStdString(name), QString::number(double(needed) / double(1ull << 30), 'f', 2),
                                    QString::number(double(freeBytes) / double(1ull << 30), 'f', 2),
                                    QString::number(double(totalBytes) / double(1ull << 30), 'f', 2)));
    LlamaModel::Options options = LlamaModel::Options::cpu(threads, kernels);
    options.makeBackend = [opened, name, threads, kernels]() -> std::unique_ptr<Backend> {
        return std::make_unique<GpuBackend>(opened, name, threads, kernels);
    };
    return options;
}

} // namespace bioforge::llm
