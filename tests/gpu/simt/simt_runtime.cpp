// SIMT host emulation (simt_runtime.h): a fiber per GPU thread (simt_fiber.h), barriers, a
// worker pool per process, the launch and the runtime's error state. The runtime calls (memory, streams, events,
// graphs) are in simt_api.cpp.

#include "simt_fiber.h"
#include "simt_internal.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

thread_local dim3 threadIdx;
thread_local dim3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace bfsimt {

namespace {

constexpr int kWarp = 32;
constexpr int kMaxThreads = 1024;
enum class State { Runnable, AtBlockBarrier, AtWarpBarrier, Done };

using fiber::Context;
using fiber::switchTo;

struct Fiber {
    Context context;
    State state = State::Done;
    int parity = 0; // which of the warp's two exchange rows the next shuffle uses
    const char* site = nullptr; // the shuffle it waits at
    dim3 thread;
    void* stack = nullptr;
};

// One worker thread's scheduler: runs the blocks it takes, one at a time.
struct Worker {
    Context scheduler;
    std::vector<Fiber> fibers;
    const std::function<void()>* body = nullptr;
    int current = 0;
    int threads = 0;
    std::vector<uint64_t> slots; // [warp][parity][lane]

    ~Worker()
    {
        for (Fiber& f : fibers)
            if (f.stack)
                fiber::unmapStack(f.stack);
    }

    void ensure(int n)
    {
        const size_t old = fibers.size();
        if (size_t(n) <= old)
            return;
        fibers.resize(size_t(n));
        for (size_t i = old; i < fibers.size(); ++i)
            fibers[i].stack = fiber::mapStack();
    }
};

thread_local Worker* tlWorker = nullptr;

void fiberEntry()
{
    Worker& w = *tlWorker;
    (*w.body)();
    Fiber& f = w.fibers[size_t(w.current)];
    f.state = State::Done;
    switchTo(f.context, w.scheduler); // never resumed
    std::abort();
}

// Makes `f` start at fiberEntry on its own stack at the next switch to it.
void prepare(Fiber& f) { fiber::prepare(f.context, f.stack, &fiberEntry); }

void yieldAs(State state)
{
    Worker& w = *tlWorker;
    Fiber& f = w.fibers[size_t(w.current)];
    f.state = state;
    switchTo(f.context, w.scheduler);
}

const char* stateName(State s)
{
    switch (s) {
    case State::Runnable: return "running";
    case State::AtBlockBarrier: return "at __syncthreads";
    case State::AtWarpBarrier: return "at a warp shuffle";
    case State::Done: return "finished";
    }
    return "?";
}

// Runs one block to its end; returns an empty string or why it cannot finish.
std::string runBlock(Worker& w, dim3 block, const std::function<void()>& body)
{
    const int n = int(block.x * block.y * block.z);
    w.ensure(n);
    w.body = &body;
    w.threads = n;
    const int warps = (n + kWarp - 1) / kWarp;
    w.slots.assign(size_t(warps) * 2 * kWarp, 0);
    for (int i = 0; i < n; ++i) {
        Fiber& f = w.fibers[size_t(i)];
        f.state = State::Runnable;
        f.parity = 0;
        f.thread = dim3(unsigned(i) % block.x, unsigned(i) / block.x % block.y, unsigned(i) / (block.x * block.y));
        prepare(f);
    }
    for (;;) {
        bool ran = false;
        for (int i = 0; i < n; ++i) {
            Fiber& f = w.fibers[size_t(i)];
            if (f.state != State::Runnable)
                continue;
            w.current = i;
            threadIdx = f.thread;
            switchTo(w.scheduler, f.context);
            ran = true;
        }
        int live = 0, atBlock = 0;
        for (int i = 0; i < n; ++i) {
            const State s = w.fibers[size_t(i)].state;
            live += s != State::Done;
            atBlock += s == State::AtBlockBarrier;
        }
        if (live == 0)
            return {};
        bool released = false;
        if (atBlock == live) { // every thread still running is at __syncthreads (finished ones count as arrived)
            for (int i = 0; i < n; ++i)
                if (w.fibers[size_t(i)].state == State::AtBlockBarrier)
                    w.fibers[size_t(i)].state = State::Runnable;
            released = true;
        }
        for (int warp = 0; warp < warps; ++warp) {
            const int first = warp * kWarp, last = std::min(n, first + kWarp);
            int waiting = 0, done = 0;
            for (int i = first; i < last; ++i) {
                waiting += w.fibers[size_t(i)].state == State::AtWarpBarrier;
                done += w.fibers[size_t(i)].state == State::Done;
            }
            if (waiting == 0)
                continue;
            if (last - first < kWarp)
                return "a shuffle in warp " + std::to_string(warp) + ", which has only " + std::to_string(last - first) +
                       " threads (the block's size is not a multiple of 32)";
            if (done > 0 && waiting + done == kWarp)
                return "a shuffle in warp " + std::to_string(warp) + " after " + std::to_string(done) + " of its lanes had exited";
            if (waiting == kWarp) {
                for (int i = first + 1; i < last; ++i)
                    if (std::strcmp(w.fibers[size_t(i)].site, w.fibers[size_t(first)].site) != 0)
                        return "lanes of warp " + std::to_string(warp) + " shuffle at different places: lane 0 at " +
                               w.fibers[size_t(first)].site + ", lane " + std::to_string(i - first) + " at " + w.fibers[size_t(i)].site;
                for (int i = first; i < last; ++i)
                    w.fibers[size_t(i)].state = State::Runnable;
                released = true;
            }
        }
        if (!ran && !released) {
            std::string why = "threads wait at barriers that cannot complete:";
            int shown = 0;
            for (int i = 0; i < n && shown < 8; ++i) {
                const State s = w.fibers[size_t(i)].state;
                if (s == State::Done)
                    continue;
                why += " thread " + std::to_string(i) + " " + stateName(s) + ";";
                ++shown;
            }
            return why;
        }
    }
}

// The process's workers: each launch splits its blocks among them.
class Pool {
public:
    static Pool& instance()
    {
        static Pool pool;
        return pool;
    }

    // Runs every block of the grid; returns the first block's failure, or an empty string.
    std::string run(dim3 grid, dim3 block, const std::function<void()>& body)
    {
        std::lock_guard one(m_launch); // launches from several host threads take turns
        std::unique_lock lock(m_mutex);
        m_grid = grid;
        m_block = block;
        m_body = &body;
        m_next = 0;
        m_total = int64_t(grid.x) * grid.y * grid.z;
        m_failure.clear();
        m_pending = int(m_threads.size());
        ++m_generation;
        m_wake.notify_all();
        m_finished.wait(lock, [&] { return m_pending == 0; });
        return m_failure;
    }

private:
    Pool()
    {
        const unsigned n = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
        for (unsigned i = 0; i < n; ++i)
            m_threads.emplace_back([this] { work(); });
    }
    ~Pool()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        for (auto& t : m_threads)
            t.join();
    }

    void work()
    {
        Worker worker;
        tlWorker = &worker;
        uint64_t seen = 0;
        for (;;) {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop)
                return;
            seen = m_generation;
            const dim3 grid = m_grid, block = m_block;
            const std::function<void()>& body = *m_body;
            lock.unlock();
            std::string failure;
            for (;;) {
                const int64_t b = m_next.fetch_add(1);
                if (b >= m_total || !failure.empty())
                    break;
                blockIdx = dim3(unsigned(b % grid.x), unsigned(b / grid.x % grid.y), unsigned(b / (int64_t(grid.x) * grid.y)));
                blockDim = block;
                gridDim = grid;
                failure = runBlock(worker, block, body);
                if (!failure.empty())
                    failure = "block (" + std::to_string(blockIdx.x) + ", " + std::to_string(blockIdx.y) + ", " +
                              std::to_string(blockIdx.z) + "): " + failure;
            }
            lock.lock();
            if (!failure.empty() && m_failure.empty())
                m_failure = failure;
            if (--m_pending == 0)
                m_finished.notify_all();
        }
    }

    std::mutex m_launch, m_mutex;
    std::condition_variable m_wake, m_finished;
    std::vector<std::thread> m_threads;
    uint64_t m_generation = 0;
    bool m_stop = false;
    dim3 m_grid, m_block;
    const std::function<void()>* m_body = nullptr;
    std::atomic<int64_t> m_next{0};
    int64_t m_total = 0;
    int m_pending = 0;
    std::string m_failure;
};

// The runtime's error state: the last error (cleared when read) and a sticky execution failure.
thread_local bfError_t tlLastError = bfSuccess;
std::atomic<int> g_sticky{bfSuccess};

} // namespace

bfError_t record(bfError_t e)
{
    if (e != bfSuccess)
        tlLastError = e;
    return e;
}

void enqueue(bfStream_t stream, std::function<void()> op)
{
    if (stream && stream->capturing)
        stream->captured.push_back(std::move(op));
    else
        op();
}

bfError_t sticky() { return bfError_t(g_sticky.load()); }

bfError_t takeLastError()
{
    bfError_t e = tlLastError;
    tlLastError = bfSuccess;
    return e == bfSuccess ? sticky() : e;
}

void resetErrors()
{
    g_sticky = bfSuccess;
    tlLastError = bfSuccess;
}

void launch(dim3 grid, dim3 block, bfStream_t stream, const char* name, std::function<void()> kernel)
{
    const uint64_t threads = uint64_t(block.x) * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > kMaxThreads || block.z > 64 || grid.y > 65535 ||
        grid.z > 65535) {
        record(bfErrorInvalidConfiguration);
        return;
    }
    if (unrecordable(stream) != bfSuccess)
        return;
    enqueue(stream, [grid, block, name, kernel = std::move(kernel)] {
        if (sticky() != bfSuccess)
            return; // a failed context runs nothing more, as on a GPU
        const std::string failure = Pool::instance().run(grid, block, kernel);
        if (!failure.empty()) {
            std::fprintf(stderr, "simt: kernel %s: %s\n", name, failure.c_str());
            g_sticky = bfErrorLaunchFailure;
        }
    });
}

uint64_t exchange(uint64_t bits, int source, const char* site)
{
    Worker& w = *tlWorker;
    const int thread = w.current, warp = thread / kWarp, lane = thread % kWarp;
    Fiber& f = w.fibers[size_t(thread)];
    f.site = site;
    uint64_t* row = w.slots.data() + (size_t(warp) * 2 + size_t(f.parity)) * kWarp;
    row[lane] = bits;
    yieldAs(State::AtWarpBarrier);
    const uint64_t value = row[source];
    f.parity ^= 1; // the next shuffle writes the other row while slower lanes still read this one
    return value;
}

int laneId() { return tlWorker->current % kWarp; }

} // namespace bfsimt

using namespace bfsimt;

void __syncthreads() { yieldAs(State::AtBlockBarrier); }
