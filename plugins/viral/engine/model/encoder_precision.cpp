#include "model/encoder_precision.h"

namespace bioforge::viral {

QString precisionName(EncoderPrecision precision)
{
    return precision == EncoderPrecision::BFloat16 ? QStringLiteral("bf16") : QStringLiteral("fp32");
}

core::Expected<EncoderPrecision> parsePrecision(const QString& text)
{
    if (text == QLatin1String("fp32"))
        return EncoderPrecision::Float32;
    if (text == QLatin1String("bf16"))
        return EncoderPrecision::BFloat16;
    return core::Error(QStringLiteral("precision '%1': expected fp32 or bf16").arg(text));
}

bool cpuHasBFloat16()
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    return __builtin_cpu_supports("avx512bf16");
#else
    return false;
#endif
}

} // namespace bioforge::viral
