// The engine's thread pool (compute/thread_pool.h): every index of a loop is
// run exactly once, in chunks of whole grains, for any pool size, length and
// grain; and a thread that stops inside its share does not hold the loop up
// (the others take the rest of its share), which is what keeps a forward
// pass going when a neighbour takes one of the cores.

#include "compute/device_choice.h"
#include "compute/thread_pool.h"

#include <QScopeGuard>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

using namespace bioforge::llm;

class TstThreadPool : public QObject {
    Q_OBJECT
private slots:
    void everyIndexRunsExactlyOnceInWholeGrains()
    {
        for (int threads : {1, 2, 3, 4}) {
            ThreadPool pool(threads);
            QCOMPARE(pool.size(), threads);
            for (int64_t n : {int64_t(0), int64_t(1), int64_t(2), int64_t(15), int64_t(16), int64_t(17), int64_t(100), int64_t(1000),
                              int64_t(4097), int64_t(100000)}) {
                for (int64_t grain : {int64_t(1), int64_t(16), int64_t(4096)}) {
                    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
                    std::atomic<bool> misaligned{false}, outside{false};
                    pool.parallelFor(
                        n,
                        [&](int64_t begin, int64_t end) {
                            if (begin < 0 || end > n || begin >= end)
                                outside = true;
                            else if (begin % grain != 0)
                                misaligned = true;
                            for (int64_t i = std::max<int64_t>(0, begin); i < std::min(n, end); ++i)
                                seen[size_t(i)].fetch_add(1);
                        },
                        grain);
                    QVERIFY2(!outside, qPrintable(QStringLiteral("%1 threads, n %2, grain %3: a chunk outside [0, n)").arg(threads).arg(n).arg(grain)));
                    QVERIFY2(!misaligned, qPrintable(QStringLiteral("%1 threads, n %2, grain %3: a chunk not on a grain").arg(threads).arg(n).arg(grain)));
                    for (int64_t i = 0; i < n; ++i)
                        QVERIFY2(seen[size_t(i)].load() == 1,
                                 qPrintable(QStringLiteral("%1 threads, n %2, grain %3: index %4 ran %5 times")
                                                .arg(threads).arg(n).arg(grain).arg(i).arg(seen[size_t(i)].load())));
                }
            }
        }
    }

    void aStalledThreadsShareIsFinishedByTheOthers()
    {
        // The first chunk a worker thread runs blocks until every other index
        // of the loop is done. The loop can only finish if the others take the
        // rest of that worker's share (the guard turns a wait for ever into a
        // failure after 30 s instead of a hang); and the stalled chunk must be
        // smaller than a share — with one fixed chunk per thread (the old
        // pool) the stalled chunk is the worker's whole share, so the others
        // took none of it.
        for (int threads : {2, 3}) {
            ThreadPool pool(threads);
            int stalls = 0;
            for (int round = 0; round < 50; ++round) {
                const int64_t n = 4096;
                const std::thread::id caller = std::this_thread::get_id();
                int64_t done = 0, stalledSize = 0; // all under `mutex`
                bool stalled = false, gaveUp = false, callerWaited = false;
                std::mutex mutex;
                std::condition_variable changed;
                pool.parallelFor(
                    n,
                    [&](int64_t begin, int64_t end) {
                        const int64_t size = end - begin;
                        const bool onCaller = std::this_thread::get_id() == caller;
                        std::unique_lock lock(mutex); // every flag changes under the mutex: no lost wake-up
                        if (onCaller && !callerWaited) {
                            // The caller's first chunk waits for a worker to stall, so that
                            // every round tests the property (a worker still asleep wakes
                            // and finds its share untouched).
                            callerWaited = true;
                            if (!changed.wait_for(lock, std::chrono::seconds(30), [&] { return stalled; }))
                                gaveUp = true;
                        }
                        if (!onCaller && !stalled) {
                            stalled = true;
                            stalledSize = size;
                            changed.notify_all();
                            if (!changed.wait_for(lock, std::chrono::seconds(30), [&] { return done == n - size; }))
                                gaveUp = true;
                        }
                        done += size;
                        lock.unlock();
                        changed.notify_all();
                    },
                    16);
                QVERIFY2(!gaveUp, qPrintable(QStringLiteral("%1 threads, round %2: the stalled thread's share was not taken over").arg(threads).arg(round)));
                QCOMPARE(done, n);
                if (stalled) {
                    ++stalls;
                    QVERIFY2(stalledSize * threads < n, qPrintable(QStringLiteral("%1 threads: the stalled chunk (%2 of %3) was a whole share")
                                                                      .arg(threads).arg(stalledSize).arg(n)));
                }
            }
            QCOMPARE(stalls, 50); // every round had its stalled worker
        }
    }

    // More threads than hardware ones only spin against each other: capped, and said.
    void threadsAboveTheHardwareAreCapped()
    {
        const QByteArray slurm = qgetenv("SLURM_CPUS_PER_TASK"); // the suite run inside a Slurm allocation: the hardware's cap here
        const bool inSlurm = qEnvironmentVariableIsSet("SLURM_CPUS_PER_TASK");
        auto restore = qScopeGuard([&] { inSlurm ? qputenv("SLURM_CPUS_PER_TASK", slurm) : qunsetenv("SLURM_CPUS_PER_TASK"); });
        qunsetenv("SLURM_CPUS_PER_TASK");
        const int hardware = std::max(1, QThread::idealThreadCount());
        QString note = QStringLiteral("stale");
        QCOMPARE(usableThreads(1, &note), 1);
        QVERIFY(note.isEmpty());
        QCOMPARE(usableThreads(hardware, &note), hardware);
        QVERIFY(note.isEmpty());
        QCOMPARE(usableThreads(0, nullptr), availableCpuThreads()); // 0: every core
        QCOMPARE(usableThreads(1000, &note), hardware);
        QVERIFY2(note.contains(QStringLiteral("1000 threads")) && note.contains(QStringLiteral("using %1").arg(hardware)), qPrintable(note));
    }

    // Inside a Slurm task, "every core" is the CPUs Slurm gave it (--cpus-per-task), not the node's.
    void aSlurmTaskUsesTheCpusItWasGiven()
    {
        const int hardware = std::max(1, QThread::idealThreadCount());
        const QByteArray saved = qgetenv("SLURM_CPUS_PER_TASK");
        const bool wasSet = qEnvironmentVariableIsSet("SLURM_CPUS_PER_TASK");
        auto restore = qScopeGuard([&] { wasSet ? qputenv("SLURM_CPUS_PER_TASK", saved) : qunsetenv("SLURM_CPUS_PER_TASK"); });
        qunsetenv("SLURM_CPUS_PER_TASK");
        QCOMPARE(availableCpuThreads(), hardware);
        qputenv("SLURM_CPUS_PER_TASK", "1");
        QCOMPARE(availableCpuThreads(), 1);
        QString note;
        QCOMPARE(usableThreads(hardware + 1, &note), 1);
        if (hardware > 1)
            QVERIFY2(note.contains(QStringLiteral("Slurm task was given 1 CPU (--cpus-per-task): using 1")), qPrintable(note));
        qputenv("SLURM_CPUS_PER_TASK", QByteArray::number(hardware + 7)); // more than the node has: the node's
        QCOMPARE(availableCpuThreads(), hardware);
        qputenv("SLURM_CPUS_PER_TASK", "not a number");
        QCOMPARE(availableCpuThreads(), hardware);
    }
};

QTEST_GUILESS_MAIN(TstThreadPool)
#include "tst_thread_pool.moc"
