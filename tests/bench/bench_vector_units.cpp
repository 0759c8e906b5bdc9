// The ceilings of this CPU's vector units for the products the encoders' linear layers could run
// on (docs/performance.md, "What an integer product can give on AVX2"): multiply-accumulates per
// second per thread, and with every thread, of
//   fma        float32 FMA, 8 lanes (what OpenBLAS's sgemm runs on),
//   madd16     int16 pairs (vpmaddwd + vpaddd, 16 products an instruction),
//   maddubs    u8 × s8 (vpmaddubsw + vpmaddwd + vpaddd, 32 products; one side must be unsigned),
//   sign8      s8 × s8 as llama.cpp's Q8_0 kernels (vpsignb + vpmaddubsw + vpmaddwd + vpaddd),
//   q8_0       a whole Q8_0 × Q8_0 block pair as the AVX2 kernels run it: sign8's first three, then
//              vcvtdq2ps and an FMA by the pair's scale product (the ceiling of Q8_0 prompts on AVX2;
//              tests/bench/llm_vs_llamacpp.py reports prompt processing against it),
//   q8_0-512   the same pair as the AVX-512 path runs it (avx512::dotManyQ8_0, two blocks in one
//              register, activations offset to unsigned): vpdpbusd-512 (64 products), vcvtdq2ps,
//              the scale product and an FMA, per token; only where the CPU has AVX-512 VNNI,
// each over 8 independent accumulators (no dependency chain limits it). A product can reach at most
// its row's figure; usage: bench_vector_units [--threads N] (default: every CPU).

#include <immintrin.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

namespace {

constexpr long kSteps = 50'000'000; // 8 instructions of each kind a step

enum class Unit { Fma, Madd16, Maddubs, Sign8, Q8_0 };

// 8 floats or 32-byte integers (a member typedef: a vector type as a template argument would
// lose its alignment attribute).
template <bool Float>
struct Vector {
    using type = __m256i;
};
template <>
struct Vector<true> {
    using type = __m256;
};

// kSteps × 8 independent instructions of `unit` (one multiply-accumulate chain per accumulator);
// returns the multiply-accumulates done.
template <Unit unit>
__attribute__((target("avx2,fma"))) double unitLoop()
{
    constexpr bool kFloatSums = unit == Unit::Fma || unit == Unit::Q8_0;
    using Sum = typename Vector<kFloatSums>::type;
    using Operand = typename Vector<unit == Unit::Fma>::type;
    Sum acc[8];
    Operand a[8];
    for (int i = 0; i < 8; ++i) {
        acc[i] = Sum{};
        if constexpr (unit == Unit::Fma)
            a[i] = _mm256_set1_ps(float(i));
        else
            a[i] = _mm256_set1_epi8(char(i + 1));
    }
    __m256 wf = _mm256_set1_ps(1.0001f), scale = _mm256_set1_ps(0.5f);
    __m256i w = _mm256_set1_epi8(-3);
    const __m256i absW = _mm256_abs_epi8(w), ones = _mm256_set1_epi16(1);
    for (long k = 0; k < kSteps; ++k) {
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) {
            if constexpr (unit == Unit::Fma) {
                acc[i] = _mm256_fmadd_ps(a[i], wf, acc[i]);
            } else if constexpr (unit == Unit::Madd16) {
                acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(a[i], w));
            } else if constexpr (unit == Unit::Maddubs) {
                acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a[i], w), ones));
            } else {
                const __m256i pairs = _mm256_madd_epi16(_mm256_maddubs_epi16(absW, _mm256_sign_epi8(a[i], w)), ones);
                if constexpr (unit == Unit::Sign8)
                    acc[i] = _mm256_add_epi32(acc[i], pairs);
                else
                    acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pairs), scale, acc[i]);
            }
        }
        __asm__ volatile("" : "+x"(w), "+x"(wf), "+x"(scale));
    }
    for (const Sum& v : acc) // the sums are used: nothing above is dead code
        __asm__ volatile("" : : "x"(v));
    constexpr int kMacsPerInstruction = unit == Unit::Fma ? 8 : unit == Unit::Madd16 ? 16 : 32;
    return 8.0 * kMacsPerInstruction * kSteps;
}

// The AVX-512 path's Q8_0 pair (vec_dot_many_avx512.cpp, q8PairsMany): per token one vpdpbusd
// from the weights' offset correction, one conversion, one scale product and one FMA.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) double q8PairLoop512()
{
    __m512 acc[8], dy[8];
    __m512i y[8];
    for (int i = 0; i < 8; ++i) {
        acc[i] = _mm512_setzero_ps();
        dy[i] = _mm512_set1_ps(0.25f + float(i));
        y[i] = _mm512_set1_epi8(char(100 + i));
    }
    __m512i w = _mm512_set1_epi8(-3), start = _mm512_set1_epi32(-384);
    __m512 dw = _mm512_set1_ps(0.5f);
    for (long k = 0; k < kSteps; ++k) {
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i)
            acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(start, y[i], w)), _mm512_mul_ps(dw, dy[i]), acc[i]);
        __asm__ volatile("" : "+v"(w), "+v"(dw), "+v"(start));
    }
    for (const __m512& v : acc)
        __asm__ volatile("" : : "v"(v));
    return 8.0 * 64 * kSteps;
}

// Multiply-accumulates per second of `loop` on `threads` threads at once.
double rate(const std::function<double()>& loop, int threads)
{
    std::vector<double> macs(size_t(threads), 0.0);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] { macs[size_t(t)] = loop(); });
    for (auto& w : workers)
        w.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double total = 0;
    for (double m : macs)
        total += m;
    return total / seconds;
}

} // namespace

int main(int argc, char** argv)
{
    int threads = int(std::thread::hardware_concurrency());
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--threads") == 0)
            threads = std::max(1, std::atoi(argv[i + 1]));
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        std::printf("bench_vector_units: this CPU has no AVX2 + FMA; nothing to measure\n");
        return 0;
    }
    struct Row {
        const char* name;
        std::function<double()> loop;
    };
    std::vector<Row> rows = {{"fma (f32)", unitLoop<Unit::Fma>}, {"madd16 (s16 x s16)", unitLoop<Unit::Madd16>},
                             {"maddubs (u8 x s8)", unitLoop<Unit::Maddubs>}, {"sign8 (s8 x s8)", unitLoop<Unit::Sign8>},
                             {"q8_0 (Q8_0 pair)", unitLoop<Unit::Q8_0>}};
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
        rows.push_back({"q8_0-512 (vpdpbusd)", q8PairLoop512});
    std::printf("%-20s %14s %14s %12s\n", "instructions", "G MAC/s 1 thr", "G MAC/s all", "vs fma 1/all");
    double fma1 = 0, fmaAll = 0;
    for (const Row& row : rows) {
        const double one = rate(row.loop, 1) / 1e9, all = rate(row.loop, threads) / 1e9;
        if (fma1 == 0) {
            fma1 = one;
            fmaAll = all;
        }
        std::printf("%-20s %14.1f %14.1f %5.2f/%.2fx\n", row.name, one, all, one / fma1, all / fmaAll);
    }
    std::printf("(%d threads; a MAC is one multiply-add; float32 GFLOP/s = 2 x G MAC/s)\n", threads);
    return 0;
}
