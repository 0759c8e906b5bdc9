#pragma once

// IEEE half (F16) and bfloat16 conversions, round-to-nearest-even as the
// hardware (F16C) and ggml do.

#include <cstdint>
#include <cstring>

namespace bioforge::llm {

inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400) == 0);
            bits = sign | uint32_t(127 - 15 - e) << 23 | (mantissa & 0x3FF) << 13;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000 | mantissa << 13;
    } else {
        bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline uint16_t floatToHalf(float f)
{
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t absx = x & 0x7FFFFFFF;
    if (absx >= 0x7F800000) // Inf or NaN
        return uint16_t(sign | 0x7C00 | (absx > 0x7F800000 ? 0x200 : 0));
    if (absx >= 0x477FF000) // rounds to >= 65520: overflow to infinity
        return uint16_t(sign | 0x7C00);
    if (absx < 0x38800000) { // below the smallest normal half: subnormal or zero
        if (absx < 0x33000000)
            return uint16_t(sign);
        const uint32_t shift = 113 - (absx >> 23);      // 1..24
        const uint32_t mant = (absx & 0x7FFFFF) | 0x800000;
        uint32_t result = mant >> (shift + 13);
        const uint32_t rest = mant & ((1u << (shift + 13)) - 1);
        const uint32_t half = 1u << (shift + 12);
        if (rest > half || (rest == half && (result & 1)))
            ++result;
        return uint16_t(sign | result);
    }
    uint32_t result = ((absx - 0x38000000) >> 13);
    const uint32_t rest = absx & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (result & 1)))
        ++result;
    return uint16_t(sign | result);
}

inline float bf16ToFloat(uint16_t h)
{
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline uint16_t floatToBf16(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7FFFFFFF) > 0x7F800000) // NaN: keep it quiet
        return uint16_t((u >> 16) | 64);
    return uint16_t((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
}

} // namespace bioforge::llm
