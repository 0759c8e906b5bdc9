#pragma once

// A fixed set of worker threads for data-parallel loops. parallelFor gives
// each thread (the calling thread too) one contiguous share of [0, n), cut
// into chunks of whole `grain`s; a thread works through its share from the
// front, and when it is done takes chunks from the back of the others'. So
// each thread reads memory in one forward stream (what the prefetchers and a
// weight matrix want), yet a thread slowed by a busy neighbour on its core
// holds the others up only for the chunk it is in: they finish the rest of
// its share. (A worker that has not woken yet still has to check in before
// the loop returns — it finds nothing left to do; the caller yields to it
// while it waits.) Workers spin
// briefly between loops (a forward pass runs hundreds of them back to back)
// and sleep when idle. Owned by the engine thread: one caller at a time.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bioforge::llm {

class ThreadPool {
public:
    using Task = std::function<void(int64_t begin, int64_t end)>;

    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(m_workers.size()) + 1; }
    // Runs fn over [0, n) in chunks; `grain` is the smallest chunk worth a thread.
    void parallelFor(int64_t n, const Task& fn, int64_t grain = 1);

private:
    void workerLoop(int index);
    void runChunks(int self);
    bool takeFront(int owner);
    bool takeBack(int victim);

    // A thread's remaining chunks [front, back), packed in one word so that
    // its owner (front) and thieves (back) agree with one compare-exchange.
    struct alignas(64) Share {
        std::atomic<uint64_t> bounds{0};
    };

    std::vector<std::thread> m_workers;
    std::atomic<uint64_t> m_generation{0};
    std::atomic<int> m_pending{0};
    std::atomic<int> m_sleeping{0};
    std::atomic<bool> m_stop{false};
    const Task* m_task = nullptr;
    int64_t m_n = 0;
    int64_t m_chunk = 0;
    std::unique_ptr<Share[]> m_shares;
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

} // namespace bioforge::llm
