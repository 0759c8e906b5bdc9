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
}

ThreadPool::ThreadPool(int threads)
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
    m_chunk = (n + size() - 1) / size();
    m_pending.store(int(m_workers.size()), std::memory_order_relaxed);
    {
        // The mutex orders the task fields before the generation a sleeping worker reads.
        std::lock_guard lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_release);
    }
    if (m_sleeping.load(std::memory_order_acquire) > 0)
        m_wake.notify_all();
    fn(0, std::min(n, m_chunk));
    while (m_pending.load(std::memory_order_acquire) > 0)
        BF_PAUSE();
    m_task = nullptr;
}

void ThreadPool::workerLoop(int index)
{
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        uint64_t now;
        while ((now = m_generation.load(std::memory_order_acquire)) == seen) {
            if (++spins < kSpinIterations) {
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
        const int64_t begin = int64_t(index) * m_chunk;
        const int64_t end = std::min(m_n, begin + m_chunk);
        if (begin < end)
            (*m_task)(begin, end);
        m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
}

} // namespace bioforge::llm
