#include "compute/torch_device.h"

namespace bioforge::core {

QString TorchDevice::label() const
{
    switch (kind) {
    case Kind::Auto: return QStringLiteral("auto");
    case Kind::Cpu: return QStringLiteral("cpu");
    case Kind::Cuda: return index < 0 ? QStringLiteral("cuda") : QStringLiteral("cuda:%1").arg(index);
    }
    return {};
}

Expected<TorchDevice> parseTorchDevice(const QString& text)
{
    const QString t = text.trimmed().toLower();
    TorchDevice d;
    if (t == QLatin1String("auto") || t.isEmpty()) {
        d.kind = TorchDevice::Kind::Auto;
        return d;
    }
    if (t == QLatin1String("cpu"))
        return d;
    if (t == QLatin1String("cuda") || t.startsWith(QLatin1String("cuda:"))) {
        d.kind = TorchDevice::Kind::Cuda;
        if (t.size() > 4) {
            bool ok = false;
            const QString number = t.mid(5);
            const int index = number.toInt(&ok);
            if (!ok || index < 0 || number != QString::number(index))
                return Error(QStringLiteral("device '%1': expected cuda:N with N a device number (0, 1, …)").arg(text));
            d.index = index;
        }
        return d;
    }
    return Error(QStringLiteral("device '%1': expected auto, cpu, cuda or cuda:N").arg(text));
}

Expected<TorchDevice> resolveTorchDevice(const TorchDevice& requested, const TorchCudaSupport& cuda, int leasedCudaIndex)
{
    TorchDevice d = requested;
    if (d.kind == TorchDevice::Kind::Cpu)
        return d;
    if (d.kind == TorchDevice::Kind::Auto) {
        d.kind = cuda.devices > 0 ? TorchDevice::Kind::Cuda : TorchDevice::Kind::Cpu;
        if (!d.isCuda())
            return d;
    }
    if (!cuda.built)
        return Error(QStringLiteral("device %1: this build's LibTorch %2 has no CUDA (Debian's LibTorch is CPU-only); build against a CUDA "
                                    "LibTorch (cmake -DTorch_DIR=<libtorch>/share/cmake/Torch) or choose device cpu")
                         .arg(requested.label(), cuda.version));
    if (cuda.devices <= 0)
        return Error(QStringLiteral("device %1: LibTorch %2 has CUDA but sees no CUDA device (driver, CUDA_VISIBLE_DEVICES?)").arg(requested.label(), cuda.version));
    if (d.index < 0)
        d.index = leasedCudaIndex >= 0 && leasedCudaIndex < cuda.devices ? leasedCudaIndex : 0;
    if (d.index >= cuda.devices)
        return Error(QStringLiteral("device %1: LibTorch sees %2 CUDA device(s), cuda:0 … cuda:%3").arg(requested.label(),
                                                                                                        QString::number(cuda.devices),
                                                                                                        QString::number(cuda.devices - 1)));
    return d;
}

Status checkTorchDeviceBuilt(const TorchDevice& requested, const TorchCudaSupport& cuda)
{
    if (!requested.isCuda() || cuda.built)
        return okStatus();
    auto resolved = resolveTorchDevice(requested, cuda);
    return resolved ? okStatus() : Status(Error(resolved.error().message(), Error::Kind::NotFound));
}

} // namespace bioforge::core
