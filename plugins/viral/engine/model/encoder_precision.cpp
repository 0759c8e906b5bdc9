#include "model/encoder_precision.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace bioforge::viral {

QString precisionName(EncoderPrecision precision)
{
    switch (precision) {
    case EncoderPrecision::BFloat16: return QStringLiteral("bf16");
    case EncoderPrecision::Int8: return QStringLiteral("int8");
    case EncoderPrecision::Float32: break;
    }
    return QStringLiteral("fp32");
}

core::Expected<EncoderPrecision> parsePrecision(const QString& text)
{
    if (text == QLatin1String("fp32"))
        return EncoderPrecision::Float32;
    if (text == QLatin1String("bf16"))
        return EncoderPrecision::BFloat16;
    if (text == QLatin1String("int8"))
        return EncoderPrecision::Int8;
    return core::Error(QStringLiteral("precision '%1': expected fp32, bf16 or int8").arg(text));
}

bool cpuHasBFloat16Tiles()
{
#if defined(__x86_64__)
    // Read once: CPUID traps to the hypervisor in a virtual machine.
    static const bool tiles = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        // AVX-512 BF16 (leaf 7 subleaf 1 EAX bit 5), AMX-BF16 and AMX-TILE (leaf 7 EDX bits 22, 24).
        if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) || !(eax & (1u << 5)))
            return false;
        if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 22)) || !(edx & (1u << 24)))
            return false;
        if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
            return false;
        unsigned xcr0Low = 0, xcr0High = 0;
        __asm__ volatile("xgetbv" : "=a"(xcr0Low), "=d"(xcr0High) : "c"(0));
        if ((xcr0Low & (3u << 17)) != (3u << 17)) // the OS saves the tile state
            return false;
#if defined(__linux__)
        // Linux's permission for this process to use the tiles (kernel 5.16+), which oneDNN asks
        // for too; without it oneDNN falls back to its slow AVX-512 BF16 path.
        constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
        return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
        return false;
#endif
    }();
    return tiles;
#else
    return false;
#endif
}

} // namespace bioforge::viral
