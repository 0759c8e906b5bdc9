#include "compute/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#define BF_PAUSE() _mm_pause()
#else
#define BF_PAUSE() std::this_thread::yield()
#endif

namespace bioforge::llm {
namespace {
constexpr int kSpinIterations = 200000; // roughly 100 µs before a worker sleeps
constexpr int kWaitSpinsBeforeYield = 2000; // a few µs of spinning, then sched_yield
constexpr int64_t kChunksPerThread = 16; // small enough to rebalance; each share stays contiguous

uint64_t pack(uint32_t front, uint32_t back) { return uint64_t(back) << 32 | front; }
uint32_t frontOf(uint64_t bounds) { return uint32_t(bounds); }
uint32_t backOf(uint64_t bounds) { return uint32_t(bounds >> 32); }
}

ThreadPool::ThreadPool(int threads) : m_shares(new Share[size_t(std::max(1, threads))])
{
    for (int i = 1; i < std::max(1, threads); ++i)
        m_workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop.store(true);
        m_generation.fetch_add(1, std::memory_order_release);
    }
    m_wake.notify_all();
    for (std::thread& t : m_workers)
        t.join();
}

void ThreadPool::parallelFor(int64_t n, const Task& fn, int64_t grain)
{
    if (n <= 0)
        return;
    const int64_t threads = std::min<int64_t>(size(), std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
    if (threads <= 1 || m_workers.empty()) {
        fn(0, n);
        return;
    }
    m_task = &fn;
    m_n = n;
    // Chunks of whole grains, kChunksPerThread per thread; thread t's share is
    // chunks [t * chunks / threads, (t + 1) * chunks / threads).
    const int64_t step = std::max<int64_t>(1, grain);
    const int64_t grains = (n + step - 1) / step;
    m_chunk = step * std::max<int64_t>(1, (grains + threads * kChunksPerThread - 1) / (threads * kChunksPerThread));
    const int64_t chunks = (n + m_chunk - 1) / m_chunk; // at most kChunksPerThread · threads: fits the 32-bit halves
    for (int t = 0; t < size(); ++t) {
        const int64_t front = t < threads ? t * chunks / threads : chunks;
        const int64_t back = t < threads ? (t + 1) * chunks / threads : chunks;
        m_shares[size_t(t)].bounds.store(pack(uint32_t(front), uint32_t(back)), std::memory_order_relaxed);
    }
    m_pending.store(int(m_workers.size()), std::memory_order_relaxed);
    {
        // The mutex orders the task fields before the generation a sleeping worker reads.
        std::lock_guard lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_release);
    }
    if (m_sleeping.load(std::memory_order_acquire) > 0)
        m_wake.notify_all();
    runChunks(0);
    // A worker still busy here is in its last chunk, or has not yet woken for
    // this loop (it will find nothing left); if it has lost its core to
    // another process, yielding lets the scheduler run it on this one.
    for (int spins = 0; m_pending.load(std::memory_order_acquire) > 0;) {
        if (spins < kWaitSpinsBeforeYield) {
            ++spins;
            BF_PAUSE();
        } else {
            std::this_thread::yield();
        }
    }
    m_task = nullptr;
}

bool ThreadPool::takeFront(int owner)
{
    std::atomic<uint64_t>& bounds = m_shares[size_t(owner)].bounds;
    uint64_t b = bounds.load(std::memory_order_relaxed);
    while (frontOf(b) < backOf(b)) {
        if (bounds.compare_exchange_weak(b, pack(frontOf(b) + 1, backOf(b)), std::memory_order_relaxed)) {
            const int64_t begin = int64_t(frontOf(b)) * m_chunk;
            (*m_task)(begin, std::min(m_n, begin + m_chunk));
            return true;
        }
    }
    return false;
}

bool ThreadPool::takeBack(int victim)
{
    std::atomic<uint64_t>& bounds = m_shares[size_t(victim)].bounds;
    uint64_t b = bounds.load(std::memory_order_relaxed);
    while (frontOf(b) < backOf(b)) {
        if (bounds.compare_exchange_weak(b, pack(frontOf(b), backOf(b) - 1), std::memory_order_relaxed)) {
            const int64_t begin = int64_t(backOf(b) - 1) * m_chunk;
            (*m_task)(begin, std::min(m_n, begin + m_chunk));
            return true;
        }
    }
    return false;
}

void ThreadPool::runChunks(int self)
{
    while (takeFront(self)) {
    }
    for (int k = 1; k < size(); ++k) {
        const int victim = (self + k) % size();
        while (takeBack(victim)) {
        }
    }
}

void ThreadPool::workerLoop(int index)
{
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        uint64_t now;
        while ((now = m_generation.load(std::memory_order_acquire)) == seen) {
            if (++spins < kSpinIterations) {
                // Now and then give the core to another runnable thread
                // (the caller, if it shares this core with a neighbour).
                if (spins % kWaitSpinsBeforeYield == 0)
                    std::this_thread::yield();
                else
                    BF_PAUSE();
                continue;
            }
            std::unique_lock lock(m_mutex);
            m_sleeping.fetch_add(1, std::memory_order_acq_rel);
            m_wake.wait(lock, [&] { return m_generation.load(std::memory_order_acquire) != seen; });
            m_sleeping.fetch_sub(1, std::memory_order_acq_rel);
            spins = 0;
        }
        seen = now;
        if (m_stop.load())
            return;
        runChunks(index);
        m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
}

} // namespace bioforge::llm
