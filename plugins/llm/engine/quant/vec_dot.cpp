#include "quant/vec_dot.h"

#include "quant/block_layouts.h"
#include "quant/packed_q8_pairs.h"
#include "quant/quantize.h"

#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace bioforge::llm {

const char* kernelPathName(KernelPath path)
{
    switch (path) {
    case KernelPath::Reference: return "reference";
    case KernelPath::Avx2: return "avx2";
    case KernelPath::Avx512: return "avx512";
    case KernelPath::Amx: return "amx";
    }
    return "?";
}

#if defined(__x86_64__)
namespace {
// F16C from CPUID leaf 1 (ECX bit 29): clang before 15 has no "f16c" in __builtin_cpu_supports.
bool hasF16c()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C);
}

// Read once: CPUID traps to the hypervisor in a virtual machine (about 2.7 µs
// each on this project's VMs, measured with perf: 11 % of generation time
// when matmul asked for every call).
// AMX-TILE and AMX-INT8 (CPUID leaf 7 EDX bits 24, 25), the tile state enabled
// by the OS (XCR0 bits 17 and 18), and Linux's permission for this process to
// use it (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, kernel 5.16+:
// without it the first tile instruction is a SIGILL). The permission holds for
// every thread of the process.
bool amxUsable()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 24)) || !(edx & (1u << 25)))
        return false;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
        return false;
    unsigned xcr0Low = 0, xcr0High = 0;
    __asm__ volatile("xgetbv" : "=a"(xcr0Low), "=d"(xcr0High) : "c"(0));
    if ((xcr0Low & (3u << 17)) != (3u << 17))
        return false;
#if defined(__linux__)
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
}

struct CpuPaths {
    bool avx2 = false;
    bool avx512 = false;
    bool amx = false;
    CpuPaths()
    {
        avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && hasF16c();
        avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                 && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
        amx = avx512 && amxUsable();
    }
};

const CpuPaths& cpuPaths()
{
    static const CpuPaths paths;
    return paths;
}
} // namespace
#endif

bool kernelPathAvailable(KernelPath path)
{
#if defined(__x86_64__)
    switch (path) {
    case KernelPath::Reference: return true;
    case KernelPath::Avx2: return cpuPaths().avx2;
    case KernelPath::Avx512: return cpuPaths().avx512;
    case KernelPath::Amx: return cpuPaths().amx;
    }
    return false;
#else
    return path == KernelPath::Reference;
#endif
}

bool parseKernelPath(const char* text, KernelPath* path)
{
    for (KernelPath p : {KernelPath::Reference, KernelPath::Avx2, KernelPath::Avx512, KernelPath::Amx})
        if (std::strcmp(text, kernelPathName(p)) == 0) {
            *path = p;
            return true;
        }
    return false;
}

KernelPath bestKernelPath()
{
    static const KernelPath best = kernelPathAvailable(KernelPath::Amx)      ? KernelPath::Amx
                                   : kernelPathAvailable(KernelPath::Avx512) ? KernelPath::Avx512
                                   : kernelPathAvailable(KernelPath::Avx2) ? KernelPath::Avx2
                                                                          : KernelPath::Reference;
    return best;
}

namespace {
// The AVX2 Q8_0-activation kernels take their tokens as BlockQ8_0Tile tiles.
WeightKernel tiled(WeightKernel k)
{
    k.tileConvert = avx2::quantizeActivationsQ8_0Tile;
    k.tileBytes = q8_0TileBytes;
    return k;
}

// Generation on a block of rows a call (the AVX2 K-quants).
WeightKernel withRows(WeightKernel k, DotRowsFn rows)
{
    k.dotRows = rows;
    return k;
}

WeightKernel kernelChoice(GgmlType weightType, KernelPath path)
{
    const bool avx512 = (path == KernelPath::Avx512 || path == KernelPath::Amx) && kernelPathAvailable(KernelPath::Avx512);
    const bool fast = path != KernelPath::Reference && kernelPathAvailable(KernelPath::Avx2);
    switch (weightType) {
    case GgmlType::F32: return {GgmlType::F32, nullptr, fast ? avx2::dotF32 : ref::dotF32};
    case GgmlType::F16: return {GgmlType::F16, fast ? avx2::convertF16 : convertActivationsF16, fast ? avx2::dotF16 : ref::dotF16};
    case GgmlType::BF16: return {GgmlType::BF16, convertActivationsBF16, ref::dotBF16};
    case GgmlType::Q4_0:
        if (avx512)
            return {GgmlType::Q8_0, avx2::quantizeActivationsQ8_0, avx2::dotQ4_0, avx512::dotManyQ4_0, 8, avx512::quantizePackedQ8Pairs, packedQ8PairRowBytes, true};
        return fast ? withRows(tiled({GgmlType::Q8_0, avx2::quantizeActivationsQ8_0, avx2::dotQ4_0, avx2::dotManyQ4_0, kQ8TileTokens}), avx2::dotRowsQ4_0)
                    : WeightKernel{GgmlType::Q8_0, quantizeActivationsQ8_0, ref::dotQ4_0};
    case GgmlType::Q8_0:
        if (avx512)
            return {GgmlType::Q8_0, avx2::quantizeActivationsQ8_0, avx2::dotQ8_0, avx512::dotManyQ8_0, 8, avx512::quantizePackedQ8Pairs, packedQ8PairRowBytes, true};
        return fast ? withRows(tiled({GgmlType::Q8_0, avx2::quantizeActivationsQ8_0, avx2::dotQ8_0, avx2::dotManyQ8_0, kQ8TileTokens}), avx2::dotRowsQ8_0)
                    : WeightKernel{GgmlType::Q8_0, quantizeActivationsQ8_0, ref::dotQ8_0};
    case GgmlType::Q4_K:
        if (avx512)
            return withRows({GgmlType::Q8_K, avx512::quantizeActivationsQ8_K, avx2::dotQ4_K, avx512::dotManyQ4_K, 8, nullptr, nullptr, true}, avx512::dotRowsQ4_K);
        return withRows({GgmlType::Q8_K, fast ? avx2::quantizeActivationsQ8_K : quantizeActivationsQ8_K, fast ? avx2::dotQ4_K : ref::dotQ4_K, fast ? avx2::dotManyQ4_K : nullptr, 4, nullptr, nullptr, fast},
                        fast ? avx2::dotRowsQ4_K : nullptr);
    case GgmlType::Q5_K:
        if (avx512)
            return withRows({GgmlType::Q8_K, avx512::quantizeActivationsQ8_K, avx2::dotQ5_K, avx512::dotManyQ5_K, 8, nullptr, nullptr, true}, avx512::dotRowsQ5_K);
        return withRows({GgmlType::Q8_K, fast ? avx2::quantizeActivationsQ8_K : quantizeActivationsQ8_K, fast ? avx2::dotQ5_K : ref::dotQ5_K, fast ? avx2::dotManyQ5_K : nullptr, 4, nullptr, nullptr, fast},
                        fast ? avx2::dotRowsQ5_K : nullptr);
    case GgmlType::Q6_K:
        if (avx512)
            return withRows({GgmlType::Q8_K, avx512::quantizeActivationsQ8_K, avx2::dotQ6_K, avx512::dotManyQ6_K, 8, nullptr, nullptr, true}, avx512::dotRowsQ6_K);
        return withRows({GgmlType::Q8_K, fast ? avx2::quantizeActivationsQ8_K : quantizeActivationsQ8_K, fast ? avx2::dotQ6_K : ref::dotQ6_K, fast ? avx2::dotManyQ6_K : nullptr, 4, nullptr, nullptr, fast},
                        fast ? avx2::dotRowsQ6_K : nullptr);
    default: return {GgmlType::F32, nullptr, nullptr};
    }
}


WeightKernel named(WeightKernel k, const char* name)
{
    k.name = name;
    return k;
}
} // namespace

WeightKernel kernelFor(GgmlType weightType, KernelPath path)
{
    WeightKernel k = kernelChoice(weightType, path);
    if (!k.dot)
        return k;
    const bool vector = k.dot != ref::dotF32 && k.dot != ref::dotF16 && k.dot != ref::dotBF16 && k.dot != ref::dotQ4_0
                        && k.dot != ref::dotQ8_0 && k.dot != ref::dotQ4_K && k.dot != ref::dotQ5_K && k.dot != ref::dotQ6_K;
    if (!vector)
        return named(k, "reference (scalar)");
    if (path == KernelPath::Amx && kernelPathAvailable(KernelPath::Amx)) {
        k.amxTiles = weightType == GgmlType::Q8_0 || weightType == GgmlType::Q4_K || weightType == GgmlType::Q6_K;
        if (weightType == GgmlType::Q8_0)
            return named(k, "amx int8 tiles 16 rows x 16 tokens from 16 tokens; below that avx512 q8-pairs vpdpbusd-512");
        if (weightType == GgmlType::Q4_K || weightType == GgmlType::Q6_K)
            return named(k, "amx int8 tiles 16 rows x 16 tokens from 16 tokens; below that avx512 vpdpwssd-256");
    }
    const bool avx512 = (path == KernelPath::Avx512 || path == KernelPath::Amx) && kernelPathAvailable(KernelPath::Avx512);
    if (avx512 && k.batchConvert)
        return named(k, "avx512 q8-pairs vpdpbusd-512, 1-8 tokens a call");
    if (avx512 && k.manyForOneToken)
        return named(k, "avx512 vpdpwssd-256, 1-8 tokens a call; one token on blocks of rows");
    if (k.tileConvert)
        return named(k, "avx2 maddubs-256 on Q8_0 tiles of 8 tokens, 2-8 tokens a call; one token on blocks of rows");
    if (k.dotRows)
        return named(k, "avx2 maddubs-256, 1-4 tokens a call; one token on blocks of rows");
    if (k.manyForOneToken)
        return named(k, "avx2 maddubs-256, 1-4 tokens a call");
    return named(k, "avx2 fma-256");
}

} // namespace bioforge::llm
