// AMX tile products at the encoders' linear shapes, as a ceiling: how fast a
// dense product of our own could go on this CPU (docs/performance.md, "What
// AMX tiles give"). C[M × N] = A[M × K] · B[K × N] with A row-major and B
// packed once in the tiles' VNNI layout (per 16 columns: K/4 rows of 16 × 4
// int8, or K/2 rows of 16 × 2 bf16), blocks of 32 × 32 (the 2 × 2 tile block:
// four accumulators, two A and two B tiles, the most reuse eight tiles
// allow), 256-column panels of B kept in L2, M split across threads.
// int8 (TDPBSSD, int32 sums over the whole K: per-channel weight and
// per-token activation scales would apply after) and bf16 (TDPBF16PS, fp32
// sums). Intel SDM vol. 1 ch. 3 (AMX) and the intrinsics guide. Compiled with
// -mamx-tile -mamx-int8 -mamx-bf16 (tests/bench/CMakeLists.txt); run only where
// amxTilesUnavailable() is empty.

#include "quant/amx_tile_ops.h"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

void configureTiles()
{
    bioforge::llm::amx::TileConfig c; // LDTILECFG's operand, as the llm engine's tile products use it
    for (int t = 0; t < 8; ++t) {
        c.rows[t] = 16;
        c.colsb[t] = 64;
    }
    _tile_loadconfig(&c);
}

// Rows [m0, m1) of C; `elementBytes` 1 (int8) or 2 (bf16).
template <bool kBf16>
void productRows(const uint8_t* a, const uint8_t* bPacked, int32_t* c, int m0, int m1, int n, int k)
{
    configureTiles();
    const long rowBytes = long(k) * (kBf16 ? 2 : 1);
    const int steps = int(rowBytes / 64);
    for (int panel = 0; panel < n; panel += 256)
        for (int m = m0; m < m1; m += 32)
            for (int j = panel; j < panel + 256 && j < n; j += 32) {
                _tile_zero(0);
                _tile_zero(1);
                _tile_zero(2);
                _tile_zero(3);
                const uint8_t* a0 = a + size_t(m) * size_t(rowBytes);
                const uint8_t* a1 = a0 + 16 * rowBytes;
                const uint8_t* b0 = bPacked + size_t(j) * size_t(rowBytes);
                const uint8_t* b1 = b0 + 16 * rowBytes;
                for (int s = 0; s < steps; ++s) {
                    _tile_loadd(4, a0 + s * 64, rowBytes);
                    _tile_loadd(5, a1 + s * 64, rowBytes);
                    _tile_loadd(6, b0 + s * 1024, 64);
                    _tile_loadd(7, b1 + s * 1024, 64);
                    if constexpr (kBf16) {
                        _tile_dpbf16ps(0, 4, 6);
                        _tile_dpbf16ps(1, 4, 7);
                        _tile_dpbf16ps(2, 5, 6);
                        _tile_dpbf16ps(3, 5, 7);
                    } else {
                        _tile_dpbssd(0, 4, 6);
                        _tile_dpbssd(1, 4, 7);
                        _tile_dpbssd(2, 5, 6);
                        _tile_dpbssd(3, 5, 7);
                    }
                }
                int32_t* out = c + size_t(m) * size_t(n) + j;
                _tile_stored(0, out, long(n) * 4);
                _tile_stored(1, out + 16, long(n) * 4);
                _tile_stored(2, out + 16 * n, long(n) * 4);
                _tile_stored(3, out + 16 * n + 16, long(n) * 4);
            }
    _tile_release();
}

// B given as k × n values (row-major, `elementBytes` each) into the packed layout above.
std::vector<uint8_t> packB(const std::vector<uint8_t>& b, int k, int n, int elementBytes)
{
    const int pair = 4 / elementBytes; // k values per 4-byte column entry
    std::vector<uint8_t> out(b.size());
    for (int j = 0; j < n; ++j)
        for (int kk = 0; kk < k; ++kk) {
            const size_t block = size_t(j / 16) * 16 * size_t(k) * size_t(elementBytes);
            const size_t row = size_t(kk / pair) * 64, col = size_t(j % 16) * 4 + size_t(kk % pair) * size_t(elementBytes);
            std::memcpy(&out[block + row + col], &b[(size_t(kk) * size_t(n) + size_t(j)) * size_t(elementBytes)], size_t(elementBytes));
        }
    return out;
}

uint16_t bf16Of(int v) // small whole numbers are exact in bfloat16
{
    const float f = float(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return uint16_t(bits >> 16);
}

struct Operands {
    std::vector<uint8_t> a, b, bPacked;
    std::vector<int> aValue, bValue; // the same values as whole numbers, for the check
};

Operands makeOperands(int m, int n, int k, bool bf16)
{
    Operands o;
    const int eb = bf16 ? 2 : 1;
    o.a.resize(size_t(m) * size_t(k) * size_t(eb));
    o.b.resize(size_t(k) * size_t(n) * size_t(eb));
    o.aValue.resize(size_t(m) * size_t(k));
    o.bValue.resize(size_t(k) * size_t(n));
    uint32_t state = 12345;
    auto next = [&] { return int((state = state * 1664525u + 1013904223u) >> 24) % 7 - 3; };
    auto fill = [&](std::vector<uint8_t>& bytes, std::vector<int>& values) {
        for (size_t i = 0; i < values.size(); ++i) {
            values[i] = next();
            if (bf16) {
                const uint16_t h = bf16Of(values[i]);
                std::memcpy(&bytes[i * 2], &h, 2);
            } else {
                bytes[i] = uint8_t(int8_t(values[i]));
            }
        }
    };
    fill(o.a, o.aValue);
    fill(o.b, o.bValue);
    o.bPacked = packB(o.b, k, n, eb);
    return o;
}

void runProduct(const Operands& o, std::vector<int32_t>& c, int m, int n, int k, bool bf16, int threads)
{
    std::vector<std::thread> pool;
    const int blocks = m / 32;
    for (int t = 0; t < threads; ++t) {
        const int m0 = blocks * t / threads * 32, m1 = blocks * (t + 1) / threads * 32;
        pool.emplace_back([&, m0, m1] {
            if (bf16)
                productRows<true>(o.a.data(), o.bPacked.data(), c.data(), m0, m1, n, k);
            else
                productRows<false>(o.a.data(), o.bPacked.data(), c.data(), m0, m1, n, k);
        });
    }
    for (auto& t : pool)
        t.join();
}

bool cpuHasAmx()
{
    unsigned eax, ebx, ecx, edx;
    __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
    const bool tile = edx & (1u << 24), bf16 = edx & (1u << 22), int8 = edx & (1u << 25);
    return tile && bf16 && int8;
}

std::string amxTilesUnavailable()
{
    if (!cpuHasAmx())
        return "this CPU has no AMX-TILE/AMX-INT8/AMX-BF16 (CPUID leaf 7)";
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0)
        return "Linux did not grant the tile state (arch_prctl ARCH_REQ_XCOMP_PERM; kernel 5.16 or later)";
    return {};
}

bool amxTileProductIsExact(bool bf16)
{
    const int m = 64, n = 64, k = 256;
    const Operands o = makeOperands(m, n, k, bf16);
    std::vector<int32_t> c(size_t(m) * size_t(n));
    runProduct(o, c, m, n, k, bf16, 1);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            int32_t want = 0;
            for (int kk = 0; kk < k; ++kk)
                want += o.aValue[size_t(i) * size_t(k) + size_t(kk)] * o.bValue[size_t(kk) * size_t(n) + size_t(j)];
            int32_t got = c[size_t(i) * size_t(n) + size_t(j)];
            if (bf16) {
                float f;
                std::memcpy(&f, &got, 4);
                got = int32_t(f);
            }
            if (got != want)
                return false;
        }
    return true;
}

std::vector<double> amxTileProductSeconds(int m, int n, int k, bool bf16, int threads, int reps)
{
    const Operands o = makeOperands(m, n, k, bf16);
    std::vector<int32_t> c(size_t(m) * size_t(n));
    std::vector<double> seconds;
    for (int r = 0; r <= reps; ++r) { // the first is a warm-up
        const auto t0 = std::chrono::steady_clock::now();
        runProduct(o, c, m, n, k, bf16, threads);
        if (r > 0)
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return seconds;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

} // namespace

// bench_amx_tiles [--threads 2] [--reps 5] [M N K ...]: int8 and bf16 tile products at each
// shape (default: DNABERT-S's and ESM-2 150M's linear layers over a batch of ~2,048 tokens),
// one line each: shape, kind, threads, median seconds, GOP/s (min-max over the rounds).
int main(int argc, char** argv)
{
    int threads = 2, reps = 5;
    std::vector<int> dims;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--threads" || a == "--reps") && i + 1 < argc)
            (a == "--threads" ? threads : reps) = std::atoi(argv[++i]);
        else
            dims.push_back(std::atoi(argv[i]));
    }
    if (dims.empty())
        dims = {2048, 2304, 768, 2048, 3072, 768, 2048, 768, 3072, 2048, 1920, 640, 2048, 2560, 640, 2048, 640, 2560};
    if (dims.size() % 3 != 0 || threads < 1 || reps < 1) {
        std::fprintf(stderr, "usage: bench_amx_tiles [--threads T] [--reps R] [M N K ...] (M, N multiples of 32, K of 64)\n");
        return 2;
    }
    if (const std::string why = amxTilesUnavailable(); !why.empty()) {
        std::printf("bench_amx_tiles: skipped: %s\n", why.c_str());
        return 0;
    }
    for (bool bf16 : {false, true})
        if (!amxTileProductIsExact(bf16)) {
            std::fprintf(stderr, "bench_amx_tiles: the %s tile product differs from the scalar one\n", bf16 ? "bf16" : "int8");
            return 1;
        }
    for (size_t i = 0; i < dims.size(); i += 3) {
        const int m = dims[i], n = dims[i + 1], k = dims[i + 2];
        if (m % 32 || n % 32 || k % 64 || m <= 0 || n <= 0 || k <= 0) {
            std::fprintf(stderr, "bench_amx_tiles: %d x %d x %d: M and N must be multiples of 32, K of 64\n", m, n, k);
            return 2;
        }
        for (bool bf16 : {false, true}) {
            const std::vector<double> s = amxTileProductSeconds(m, n, k, bf16, threads, reps);
            const double ops = 2.0 * m * n * k / 1e9;
            std::printf("[%d x %d] . [%d x %d]  %s tiles  %d threads  %.5f s  %.0f GOP/s (%.0f-%.0f)\n", m, k, k, n, bf16 ? "bf16" : "int8", threads,
                        median(s), ops / median(s), ops / *std::max_element(s.begin(), s.end()), ops / *std::min_element(s.begin(), s.end()));
        }
    }
    return 0;
}
