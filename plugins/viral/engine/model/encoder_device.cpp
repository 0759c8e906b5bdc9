#include "model/encoder_device.h"

namespace bioforge::viral {

QString EncoderDevice::label() const
{
    switch (kind) {
    case Kind::Auto: return QStringLiteral("auto");
    case Kind::Cpu: return QStringLiteral("cpu");
    case Kind::Cuda: return index < 0 ? QStringLiteral("cuda") : QStringLiteral("cuda:%1").arg(index);
    }
    return {};
}

core::Expected<EncoderDevice> parseEncoderDevice(const QString& text)
{
    const QString t = text.trimmed().toLower();
    EncoderDevice d;
    if (t == QLatin1String("auto") || t.isEmpty()) {
        d.kind = EncoderDevice::Kind::Auto;
        return d;
    }
    if (t == QLatin1String("cpu"))
        return d;
    if (t == QLatin1String("cuda") || t.startsWith(QLatin1String("cuda:"))) {
        d.kind = EncoderDevice::Kind::Cuda;
        if (t.size() > 4) {
            bool ok = false;
            const QString number = t.mid(5);
            const int index = number.toInt(&ok);
            if (!ok || index < 0 || number.startsWith(QLatin1Char('+')) || number != QString::number(index))
                return core::Error(QStringLiteral("device '%1': expected cuda:N with N a device number (0, 1, …)").arg(text));
            d.index = index;
        }
        return d;
    }
    return core::Error(QStringLiteral("device '%1': expected auto, cpu, cuda or cuda:N").arg(text));
}

} // namespace bioforge::viral
