#include "model/int8_gemm.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace bioforge::viral {

#if defined(__x86_64__)
// int8_gemm_avx512.cpp (compiled with AVX-512 VNNI).
void int8PanelProductAvx512Vnni(const uint8_t* q, int64_t ldQ, int64_t rows, const int8_t* panels, int64_t out, int64_t in,
                                const Int8Scaling* scaling, void* out4, int64_t ld);
#endif

namespace {
constexpr int64_t kPanel = 32; // output columns per panel (two 16-lane vectors)

int8_t* allocatePanels(size_t bytes)
{
    const size_t rounded = (bytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded);
    if (!p)
        throw std::bad_alloc();
    return static_cast<int8_t*>(p);
}
} // namespace

bool VnniWeights::runs()
{
#if defined(__x86_64__)
    static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512vnni");
    return has;
#else
    return false;
#endif
}

bool VnniWeights::takes(int64_t out, int64_t in) { return out >= 1 && in >= 4 && in % 4 == 0 && in <= 65536; }

VnniWeights::VnniWeights(const int8_t* w8, int64_t out, int64_t in) : m_out(out), m_in(in), m_panels(nullptr, std::free)
{
    if (!takes(out, in))
        throw std::invalid_argument("int8 VNNI weights: a shape of " + std::to_string(out) + " × " + std::to_string(in) +
                                    " (in must be a positive multiple of 4 up to 65536)");
    const int64_t panels = (out + kPanel - 1) / kPanel, panelBytes = in * kPanel;
    m_panels.reset(allocatePanels(size_t(panels * panelBytes)));
    int8_t* p = m_panels.get();
    std::memset(p, 0, size_t(panels * panelBytes));
    for (int64_t n = 0; n < out; ++n) { // column n's four k at a time: [k / 4][n % 32][k % 4]
        int8_t* column = p + (n / kPanel) * panelBytes + (n % kPanel) * 4;
        const int8_t* row = w8 + n * in;
        for (int64_t k = 0; k < in; k += 4)
            std::memcpy(column + k * kPanel, row + k, 4);
    }
}

VnniWeights::~VnniWeights() = default;

void VnniWeights::product(const uint8_t* q, int64_t ldQ, int64_t rows, int32_t* sums, int64_t ldSums) const
{
#if defined(__x86_64__)
    if (rows > 0)
        int8PanelProductAvx512Vnni(q, ldQ, rows, m_panels.get(), m_out, m_in, nullptr, sums, ldSums);
#else
    (void)q, (void)ldQ, (void)rows, (void)sums, (void)ldSums;
#endif
}

void VnniWeights::productScaled(const uint8_t* q, int64_t ldQ, int64_t rows, const Int8Scaling& scaling, float* y, int64_t ldY) const
{
#if defined(__x86_64__)
    if (rows > 0)
        int8PanelProductAvx512Vnni(q, ldQ, rows, m_panels.get(), m_out, m_in, &scaling, y, ldY);
#else
    (void)q, (void)ldQ, (void)rows, (void)scaling, (void)y, (void)ldY;
#endif
}

void int8ProductReference(const uint8_t* q, int64_t ldQ, int64_t rows, const int8_t* w8, int64_t out, int64_t in, int32_t* sums,
                          int64_t ldSums)
{
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t n = 0; n < out; ++n) {
            int64_t s = 0;
            for (int64_t k = 0; k < in; ++k)
                s += int64_t(q[r * ldQ + k]) * int64_t(w8[n * in + k]);
            sums[r * ldSums + n] = int32_t(s);
        }
}

} // namespace bioforge::viral
