// The OpenBLAS kernel choice (compute/blas_core.h): from the CPU's instruction
// sets, a user's OPENBLAS_CORETYPE kept. That the product's plugins really load
// OpenBLAS with the chosen kernels is checked end to end by tst_viral_cli (the
// BLAS entry of a predict run's provenance).

#include "compute/blas_core.h"

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

    void noOpenBlasIsLoadedInThisProgram()
    {
        // This test links no BLAS: nothing to describe, and no warning to give.
        QVERIFY(loadedOpenBlasCore().isEmpty());
        QVERIFY(describeLoadedBlas().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstBlasCore)
#include "tst_blas_core.moc"
