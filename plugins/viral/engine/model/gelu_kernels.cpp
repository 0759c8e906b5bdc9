#include "model/gelu_kernels.h"

#include <cmath>
#include <cstring>
#include <numbers>

namespace bioforge::viral {

namespace {
constexpr float kSqrtHalf = std::numbers::sqrt2_v<float> / 2; // 1/√2
}

#if defined(__x86_64__)
// gelu_kernels_avx512.cpp (compiled with AVX-512 enabled).
void geluFloatAvx512(const float* a, const float* b, float* y, size_t n);
void geluBFloat16Avx512(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n);
#endif

bool geluVectorKernels()
{
#if defined(__x86_64__)
    static const bool has = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    }();
    return has;
#else
    return false;
#endif
}

uint16_t roundToBFloat16(float x)
{
    if (std::isnan(x))
        return std::signbit(x) ? 0xFFC0 : 0x7FC0;
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

float fromBFloat16(uint16_t x)
{
    const uint32_t u = uint32_t(x) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

namespace {
float geluScalar(float x) { return 0.5f * x * (1.0f + std::erf(x * kSqrtHalf)); }
} // namespace

void geluFloatReference(const float* a, const float* b, float* y, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        y[i] = b ? geluScalar(a[i]) * b[i] : geluScalar(a[i]);
}

void geluBFloat16Reference(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        const float g = geluScalar(fromBFloat16(a[i]));
        y[i] = roundToBFloat16(b ? g * fromBFloat16(b[i]) : g);
    }
}

void geluFloat(const float* a, const float* b, float* y, size_t n)
{
#if defined(__x86_64__)
    if (geluVectorKernels())
        return geluFloatAvx512(a, b, y, n);
#endif
    geluFloatReference(a, b, y, n);
}

void geluBFloat16(const uint16_t* a, const uint16_t* b, uint16_t* y, size_t n)
{
#if defined(__x86_64__)
    if (geluVectorKernels())
        return geluBFloat16Avx512(a, b, y, n);
#endif
    geluBFloat16Reference(a, b, y, n);
}

} // namespace bioforge::viral
