// The OpenBLAS kernel choice (compute/blas_core.h): from the CPU's instruction
// sets, a user's OPENBLAS_CORETYPE kept. That the product's plugins really load
// OpenBLAS with the chosen kernels is checked end to end by tst_viral_cli (the
// BLAS entry of a predict run's provenance).

#include "compute/blas_core.h"
#include "compute/thread_waits.h"

#include <QFile>
#include <QSet>
#include <QtTest>

using namespace bioforge::core;

class TstBlasCore : public QObject {
    Q_OBJECT

private slots:
    void kernelsFollowTheInstructionSets()
    {
        QCOMPARE(openBlasCoreFor({true, true}), QStringLiteral("SkylakeX"));
        QCOMPARE(openBlasCoreFor({true, false}), QStringLiteral("SkylakeX"));
        QCOMPARE(openBlasCoreFor({false, true}), QStringLiteral("Haswell"));
        QVERIFY(openBlasCoreFor({false, false}).isEmpty()); // OpenBLAS's own detection
    }

    void aUsersChoiceIsKeptAndOtherwiseTheCpusIsSet()
    {
        qputenv("OPENBLAS_CORETYPE", "Zen");
        BlasCoreChoice kept = chooseOpenBlasCore();
        QVERIFY(kept.setByUser);
        QCOMPARE(kept.core, QStringLiteral("Zen"));
        QCOMPARE(qgetenv("OPENBLAS_CORETYPE"), QByteArray("Zen"));

        qunsetenv("OPENBLAS_CORETYPE");
        const BlasCoreChoice chosen = chooseOpenBlasCore();
        QVERIFY(!chosen.setByUser);
        QCOMPARE(chosen.core, openBlasCoreFor(cpuVectorSupport()));
        QCOMPARE(QString::fromLatin1(qgetenv("OPENBLAS_CORETYPE")), chosen.core);
        // Marked as chosen, so that a child process chooses again instead of keeping it as a user's.
        QCOMPARE(QString::fromLatin1(qgetenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN")), chosen.core);
        QVERIFY(!chooseOpenBlasCore().setByUser);
        qunsetenv("OPENBLAS_CORETYPE");
        qunsetenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN");
    }

    // A cluster task inherits the submitting process's environment: a value chosen there for
    // that CPU is chosen again for this one; a user's value is still kept.
    void aChoiceInheritedFromAParentIsMadeAgain()
    {
        qputenv("OPENBLAS_CORETYPE", "Haswell");
        qputenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN", "Haswell"); // as a parent on an AVX2 machine leaves it
        const BlasCoreChoice again = chooseOpenBlasCore();
        QVERIFY(!again.setByUser);
        QCOMPARE(again.core, openBlasCoreFor(cpuVectorSupport()));
        QCOMPARE(QString::fromLatin1(qgetenv("OPENBLAS_CORETYPE")), again.core);

        qputenv("OPENBLAS_CORETYPE", "Sandybridge"); // the user's, beside an older marker
        QVERIFY(chooseOpenBlasCore().setByUser);
        QCOMPARE(qgetenv("OPENBLAS_CORETYPE"), QByteArray("Sandybridge"));
        qunsetenv("OPENBLAS_CORETYPE");
        qunsetenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN");
    }

    // A user's value that this CPU cannot run is replaced (OpenBLAS would stop at the first
    // illegal instruction); one it can run is kept.
    void aUsersValueTheCpuCannotRunIsReplaced()
    {
        const CpuVectorSupport none{false, false}, avx2{false, true}, avx512{true, true};
        QVERIFY(!openBlasCoreRuns(QStringLiteral("SkylakeX"), avx2));
        QVERIFY(!openBlasCoreRuns(QStringLiteral("cooperlake"), avx2));
        QVERIFY(openBlasCoreRuns(QStringLiteral("SkylakeX"), avx512));
        QVERIFY(!openBlasCoreRuns(QStringLiteral("Haswell"), none));
        QVERIFY(openBlasCoreRuns(QStringLiteral("Haswell"), avx2));
        QVERIFY(openBlasCoreRuns(QStringLiteral("Prescott"), none));
        QVERIFY(openBlasCoreRuns(QStringLiteral("Sandybridge"), none));

        const CpuVectorSupport here = cpuVectorSupport();
        if (here.avx512)
            QSKIP("this CPU runs every kernel set OpenBLAS has");
        qunsetenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN");
        qputenv("OPENBLAS_CORETYPE", "SkylakeX");
        const BlasCoreChoice replaced = chooseOpenBlasCore();
        QCOMPARE(replaced.replaced, QStringLiteral("SkylakeX"));
        QVERIFY(!replaced.setByUser);
        QCOMPARE(replaced.core, openBlasCoreFor(here));
        qunsetenv("OPENBLAS_CORETYPE");
        qunsetenv("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN");
    }

    // LibTorch's own kernels: AVX-512 where the CPU has it (PyTorch 1.13 keeps them off by
    // default); a user's value kept unless the CPU cannot run it; a parent's choice made again.
    void atenCapabilityFollowsTheInstructionSets()
    {
        QCOMPARE(atenCapabilityFor({true, true}), QStringLiteral("avx512"));
        QVERIFY(atenCapabilityFor({false, true}).isEmpty()); // LibTorch picks AVX2 itself
        QVERIFY(!atenCapabilityRuns(QStringLiteral("avx512"), {false, true}));
        QVERIFY(atenCapabilityRuns(QStringLiteral("AVX512"), {true, true}));
        QVERIFY(!atenCapabilityRuns(QStringLiteral("avx2"), {false, false}));
        QVERIFY(atenCapabilityRuns(QStringLiteral("default"), {false, false}));

        qunsetenv("BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN");
        qputenv("ATEN_CPU_CAPABILITY", "default");
        const BlasCoreChoice kept = chooseAtenCpuCapability();
        QVERIFY(kept.setByUser);
        QCOMPARE(qgetenv("ATEN_CPU_CAPABILITY"), QByteArray("default"));

        qputenv("BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN", "default"); // as a parent leaves it
        const BlasCoreChoice again = chooseAtenCpuCapability();
        QVERIFY(!again.setByUser);
        const QString wanted = atenCapabilityFor(cpuVectorSupport());
        QCOMPARE(again.core, wanted);
        QCOMPARE(QString::fromLatin1(qgetenv("ATEN_CPU_CAPABILITY")), wanted);
        QCOMPARE(describeAtenCapability(), wanted.isEmpty() ? QStringLiteral("LibTorch's own choice") : QStringLiteral("ATEN_CPU_CAPABILITY=avx512"));
        qunsetenv("ATEN_CPU_CAPABILITY");
        qunsetenv("BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN");
    }

    // The detection agrees with what the kernel reports in /proc/cpuinfo (features it enabled).
    // The idle waits of OpenBLAS's and libgomp's threads (compute/thread_waits.h): set where unset,
    // a user's value kept; both set is what lets LibTorch's two pools share the cores.
    void threadWaitsAreBoundedAndAUsersValueKept()
    {
        qunsetenv("GOMP_SPINCOUNT");
        qunsetenv("OPENBLAS_THREAD_TIMEOUT");
        qunsetenv("BIOFORGE_THREAD_WAITS_CHOSEN");
        QVERIFY(!threadWaitsBounded());
        QCOMPARE(describeThreadWaits(), QStringLiteral("not set: the libraries' defaults"));
        const ThreadWaitChoice chosen = chooseThreadWaits();
        QVERIFY(!chosen.setByUser);
        QCOMPARE(qgetenv("GOMP_SPINCOUNT"), QByteArray("10000"));
        QCOMPARE(qgetenv("OPENBLAS_THREAD_TIMEOUT"), QByteArray("4"));
        QVERIFY(threadWaitsBounded());
        QCOMPARE(chosen.description, QStringLiteral("GOMP_SPINCOUNT=10000, OPENBLAS_THREAD_TIMEOUT=4"));

        qunsetenv("OPENBLAS_THREAD_TIMEOUT");
        QVERIFY(!threadWaitsBounded()); // one of the two is not enough
        qputenv("GOMP_SPINCOUNT", "500");
        const ThreadWaitChoice kept = chooseThreadWaits();
        QVERIFY(kept.setByUser);
        QCOMPARE(kept.description, QStringLiteral("GOMP_SPINCOUNT=500, OPENBLAS_THREAD_TIMEOUT=4"));
        // A child process (a cluster task) inheriting this process's choice reports it as chosen.
        qputenv("GOMP_SPINCOUNT", "10000");
        QVERIFY(!chooseThreadWaits().setByUser);
        qunsetenv("GOMP_SPINCOUNT");
        qunsetenv("OPENBLAS_THREAD_TIMEOUT");
        qunsetenv("BIOFORGE_THREAD_WAITS_CHOSEN");
    }

    void detectionAgreesWithProcCpuinfo()
    {
        QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
        if (!cpuinfo.open(QIODevice::ReadOnly))
            QSKIP("no /proc/cpuinfo");
        QSet<QByteArray> flags;
        for (QByteArray line = cpuinfo.readLine(); !line.isEmpty(); line = cpuinfo.readLine())
            if (line.startsWith("flags")) {
                for (const QByteArray& f : line.mid(line.indexOf(':') + 1).simplified().split(' '))
                    flags.insert(f);
                break;
            }
        if (flags.isEmpty())
            QSKIP("no flags line in /proc/cpuinfo (not x86)");
        const CpuVectorSupport here = cpuVectorSupport();
        const bool avx512 = flags.contains("avx512f") && flags.contains("avx512cd") && flags.contains("avx512bw") && flags.contains("avx512dq")
                            && flags.contains("avx512vl");
        QCOMPARE(here.avx512, avx512);
        QCOMPARE(here.avx2Fma, flags.contains("avx2") && flags.contains("fma"));
    }

    void noOpenBlasIsLoadedInThisProgram()
    {
        // This test links no BLAS: nothing to describe, and no warning to give.
        QVERIFY(loadedOpenBlasCore().isEmpty());
        QVERIFY(describeLoadedBlas().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstBlasCore)
#include "tst_blas_core.moc"
