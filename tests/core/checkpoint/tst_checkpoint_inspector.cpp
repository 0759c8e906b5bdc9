// The inspector lists entries, verifies them and computes tensor statistics.

#include "checkpoint/checkpoint_inspector.h"
#include "checkpoint/checkpoint_store.h"
#include "io/safetensors_writer.h"
#include "support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace bioforge::core;
using namespace bioforge::test;

class TstCheckpointInspector : public QObject {
    Q_OBJECT
private slots:
    void statisticsCountNanAndInf()
    {
        QTemporaryDir dir;
        CheckpointStore store(dir.path(), 4);
        SafetensorsWriter t;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        QVERIFY(t.addF32(QStringLiteral("x"), {6}, {1, 2, 3, nan, inf, -inf}));
        QVERIFY(t.addI64(QStringLiteral("ids"), {2}, {5, 7}));
        QVERIFY(store.save(QStringLiteral("a"), {{QStringLiteral("n"), 1}}, &t));
        QVERIFY(store.save(QStringLiteral("b"), {}));
        QVERIFY(writeAll(QDir(dir.path()).filePath(QStringLiteral("b/state.json")), "{}x"));

        const auto entries = CheckpointInspector::inspect(dir.path());
        QCOMPARE(entries.size(), 2);
        const CheckpointEntryReport& a = entries[0];
        QVERIFY(a.verified);
        QCOMPARE(a.jobSchema, 4);
        QCOMPARE(a.tensors.size(), 2);
        const TensorStats& x = a.tensors[0].name == QLatin1String("x") ? a.tensors[0] : a.tensors[1];
        QCOMPARE(x.nanCount, qint64(1));
        QCOMPARE(x.infCount, qint64(2));
        QCOMPARE(x.min, 1.0);
        QCOMPARE(x.max, 3.0);
        QCOMPARE(x.mean, 2.0);
        QVERIFY(std::abs(x.std - std::sqrt(2.0 / 3.0)) < 1e-9);
        QVERIFY(!entries[1].verified);
        QVERIFY(!entries[1].error.isEmpty());
    }

    // A cluster run's checkpoint folder holds its tasks' projects: their entries are verified from
    // their own run's folder (each healthy one read as BAD from the outer one); a damaged one is
    // still found.
    void entriesOfTaskProjectsInsideAreVerifiedFromTheirOwnRun()
    {
        QTemporaryDir dir;
        CheckpointStore outer(dir.path(), 3);
        QVERIFY(outer.save(QStringLiteral("cluster/state"), {{QStringLiteral("shards"), 2}}));
        for (const char* task : {"0", "1"}) {
            const QString project = dir.filePath(QStringLiteral("cluster/tasks/%1/project").arg(QLatin1String(task)));
            QVERIFY(QDir().mkpath(project) && writeAll(project + QStringLiteral("/project.sqlite"), QByteArray()));
            CheckpointStore inner(project + QStringLiteral("/checkpoints/20261205-120000-0000000") + QLatin1String(task), 5);
            QVERIFY(inner.save(QStringLiteral("classify/shard-00000"), {{QStringLiteral("rows"), 4}}));
        }
        QVERIFY(writeAll(dir.filePath(QStringLiteral("cluster/tasks/1/project/checkpoints/20261205-120000-00000001/classify/shard-00000/state.json")), "{}x"));
        const auto entries = CheckpointInspector::inspect(dir.path());
        QCOMPARE(entries.size(), 3);
        QStringList verdicts;
        for (const CheckpointEntryReport& e : entries)
            verdicts << QStringLiteral("%1 %2").arg(e.verified ? QStringLiteral("ok") : QStringLiteral("BAD"), e.key);
        QCOMPARE(verdicts, (QStringList{QStringLiteral("ok cluster/state"),
                                        QStringLiteral("ok cluster/tasks/0/project/checkpoints/20261205-120000-00000000/classify/shard-00000"),
                                        QStringLiteral("BAD cluster/tasks/1/project/checkpoints/20261205-120000-00000001/classify/shard-00000")}));
        QVERIFY2(!entries[2].error.contains(QStringLiteral("belongs to key")), qPrintable(entries[2].error));
    }

    void histogramBinsFiniteValues()
    {
        double lo = 0, hi = 0;
        const auto counts = CheckpointInspector::histogram({0, 1, 2, 3, std::numeric_limits<float>::quiet_NaN()}, 3, &lo, &hi);
        QCOMPARE(lo, 0.0);
        QCOMPARE(hi, 3.0);
        QCOMPARE(counts, (std::vector<double>{1, 1, 2}));
    }
};

QTEST_GUILESS_MAIN(TstCheckpointInspector)
#include "tst_checkpoint_inspector.moc"
