// Measures this machine's memory read bandwidth (GB/s) with 1 and 2 threads
// summing a buffer far larger than the caches — the ceiling for token
// generation, which reads every weight once per token.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

// prefetchBytes > 0: each thread also prefetches that far ahead (as the llm
// kernels do); hardware prefetching alone under-reads on some machines.
double readOnce(const std::vector<uint64_t>& data, int threads, size_t prefetchBytes)
{
    std::vector<uint64_t> sums(static_cast<size_t>(threads));
    const size_t chunk = data.size() / size_t(threads);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            // Eight independent vector sums, so the adds never limit the rate.
            using V = uint64_t __attribute__((vector_size(32)));
            V acc[8] = {};
            const uint64_t* p = data.data() + size_t(t) * chunk;
            for (size_t i = 0; i + 32 <= chunk; i += 32) {
                if (prefetchBytes) {
                    __builtin_prefetch(reinterpret_cast<const char*>(p + i) + prefetchBytes);
                    __builtin_prefetch(reinterpret_cast<const char*>(p + i) + prefetchBytes + 64);
                    __builtin_prefetch(reinterpret_cast<const char*>(p + i) + prefetchBytes + 128);
                    __builtin_prefetch(reinterpret_cast<const char*>(p + i) + prefetchBytes + 192);
                }
                for (int k = 0; k < 8; ++k) {
                    V v;
                    __builtin_memcpy(&v, p + i + 4 * size_t(k), sizeof v);
                    acc[k] += v;
                }
            }
            uint64_t a = 0, b = 0, c = 0, d = 0;
            for (int k = 0; k < 8; ++k) {
                a += acc[k][0];
                b += acc[k][1];
                c += acc[k][2];
                d += acc[k][3];
            }
            sums[size_t(t)] = a + b + c + d;
        });
    for (auto& th : pool)
        th.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    volatile uint64_t sink = sums[0];
    (void)sink;
    return double(data.size() * sizeof(uint64_t)) / seconds / 1e9;
}

} // namespace

int main()
{
    std::vector<uint64_t> data((size_t(1) << 30) / sizeof(uint64_t), 1); // 1 GiB
    for (int threads : {1, 2}) {
        for (size_t prefetch : {size_t(0), size_t(8192)}) {
            std::vector<double> rates;
            for (int r = 0; r < 7; ++r)
                rates.push_back(readOnce(data, threads, prefetch));
            std::sort(rates.begin(), rates.end());
            std::printf("memory read bandwidth, %d thread%s%s: median %.1f GB/s (best %.1f)\n", threads, threads > 1 ? "s" : "",
                        prefetch ? ", software prefetch 8 KiB ahead" : "", rates[rates.size() / 2], rates.back());
        }
    }
    return 0;
}
