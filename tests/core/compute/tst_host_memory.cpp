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
