// Memory available to a new allocation (compute/host_memory.h): the cgroup
// limits MemAvailable does not see (a Slurm job's --mem, a container's
// --memory), read from fake cgroup trees of both versions.

#include "compute/host_memory.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;

class TstHostMemory : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    void put(const QString& relative, const QByteArray& text)
    {
        const QString path = m_dir.filePath(relative);
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }

private slots:
    void cgroupV2TakesTheTightestAncestor()
    {
        put(QStringLiteral("v2/proc"), "0::/job/step\n");
        put(QStringLiteral("v2/root/job/memory.max"), "1000\n"); // the job's limit, 300 used
        put(QStringLiteral("v2/root/job/memory.current"), "300\n");
        put(QStringLiteral("v2/root/job/step/memory.max"), "max\n"); // no limit of its own
        put(QStringLiteral("v2/root/job/step/memory.current"), "200\n");
        QCOMPARE(cgroupMemoryHeadroom(m_dir.filePath(QStringLiteral("v2/proc")), m_dir.filePath(QStringLiteral("v2/root"))),
                 std::optional<qint64>(700));
    }

    void cgroupV1ReadsTheMemoryController()
    {
        put(QStringLiteral("v1/proc"), "5:cpu,cpuacct:/\n4:memory:/slurm/job7\n0::/\n");
        put(QStringLiteral("v1/root/memory/memory.limit_in_bytes"), "9223372036854771712\n"); // v1's "no limit"
        put(QStringLiteral("v1/root/memory/memory.usage_in_bytes"), "123456789\n");
        put(QStringLiteral("v1/root/memory/slurm/job7/memory.limit_in_bytes"), "5000\n");
        put(QStringLiteral("v1/root/memory/slurm/job7/memory.usage_in_bytes"), "6000\n"); // over: nothing left
        QCOMPARE(cgroupMemoryHeadroom(m_dir.filePath(QStringLiteral("v1/proc")), m_dir.filePath(QStringLiteral("v1/root"))),
                 std::optional<qint64>(0));
    }

    void noLimitIsNoFigure()
    {
        put(QStringLiteral("none/proc"), "0::/\n");
        put(QStringLiteral("none/root/memory.max"), "max\n");
        put(QStringLiteral("none/root/memory.current"), "4096\n");
        QVERIFY(!cgroupMemoryHeadroom(m_dir.filePath(QStringLiteral("none/proc")), m_dir.filePath(QStringLiteral("none/root"))));
        QVERIFY(!cgroupMemoryHeadroom(m_dir.filePath(QStringLiteral("missing")), m_dir.filePath(QStringLiteral("none/root"))));
    }

    // Beside a mapping that must stay resident (a model's weights): the host's MemAvailable loses
    // the whole mapping (its resident pages count as free page cache), a cgroup's headroom only
    // the pages not yet in memory (the resident ones are charged already).
    void aMappingThatStaysResidentIsLeftOutOfTheFigure()
    {
        QCOMPARE(availableBesideMapping(qint64(1000), std::nullopt, 300, 100), std::optional<qint64>(700));
        QCOMPARE(availableBesideMapping(std::nullopt, qint64(1000), 300, 100), std::optional<qint64>(800));
        QCOMPARE(availableBesideMapping(qint64(1000), qint64(900), 300, 100), std::optional<qint64>(700));
        QCOMPARE(availableBesideMapping(qint64(1000), qint64(600), 300, 0), std::optional<qint64>(300));
        QCOMPARE(availableBesideMapping(qint64(200), qint64(5000), 300, 300), std::optional<qint64>(0)); // never below 0
        QVERIFY(!availableBesideMapping(std::nullopt, std::nullopt, 300, 0));
    }

    // mincore over a file mapping: all of it resident once every page was read.
    void residentBytesCountsAMappingsPagesInMemory()
    {
        QFile f(m_dir.filePath(QStringLiteral("mapped.bin")));
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = 3 * 4096 + 100;
        QVERIFY(f.write(QByteArray(size, 'x')) == size && f.flush());
        uchar* data = f.map(0, size);
        QVERIFY(data);
        volatile unsigned sum = 0;
        for (qint64 i = 0; i < size; i += 512)
            sum = sum + data[i];
        QCOMPARE(residentBytes(data, size), std::optional<qint64>(size));
        QCOMPARE(residentBytes(data + 10, 0), std::optional<qint64>(0));
        // This machine's figures move while other tests run: only that both are known or neither.
        const auto beside = availableBesideMapping(data, size);
        QVERIFY(beside.has_value() == availableMemoryBytes().has_value());
        QVERIFY(!beside || *beside >= 0);
        f.unmap(data);
    }

    void thisMachineHasAFigureWithinItsCgroup()
    {
        const auto available = availableMemoryBytes();
        QVERIFY(available && *available > 0);
        if (const auto cgroup = cgroupMemoryHeadroom())
            QVERIFY(*available <= *cgroup);
        QCOMPARE(memorySizeText(qint64(3) << 30), QStringLiteral("3.0 GiB"));
    }
};

QTEST_GUILESS_MAIN(TstHostMemory)
#include "tst_host_memory.moc"
