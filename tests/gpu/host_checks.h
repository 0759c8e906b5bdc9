#pragma once

// The check macro of the Qt-free GPU math tests (tst_gpu_math,
// tst_gpu_layer_math): CHECK(cond, printf-format, …) counts every check and
// every failure and prints the first 20 failures with their file and line;
// finishChecks() prints the totals and gives the test's exit code (0 when
// every check held). bits() is a float's IEEE-754 bit pattern, for
// bit-for-bit comparisons.

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace gputest {

inline int g_failures = 0;
inline int g_checks = 0;

inline uint32_t bits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

inline int finishChecks(const char* test)
{
    std::printf("%s: %d checks, %d failed\n", test, g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

} // namespace gputest

#define CHECK(cond, ...)                                                                                                          \
    do {                                                                                                                          \
        ++gputest::g_checks;                                                                                                      \
        if (!(cond)) {                                                                                                            \
            if (++gputest::g_failures <= 20) {                                                                                    \
                std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                                       \
                std::printf(__VA_ARGS__);                                                                                         \
                std::printf("\n");                                                                                                \
            }                                                                                                                     \
        }                                                                                                                         \
    } while (0)
