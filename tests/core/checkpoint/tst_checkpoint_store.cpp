// Checkpoints: verified round trip; empty, truncated, bit-flipped and
// wrong-version entries are detected, reported and recomputed — the job's
// output stays byte-identical.

#include "checkpoint/checkpoint_store.h"
#include "diagnostics/self_test_job.h"
#include "io/safetensors_writer.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "log/log_ring.h"
#include "log/logging.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QFileInfo>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstCheckpointStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // Runs the self-test job against `store` into `outDir` and returns units.tsv + values.
    QByteArray runSelfTest(CheckpointStore& store, const QString& outDir)
    {
        QDir().mkpath(outDir);
        ProvenanceRecorder recorder(outDir);
        JobContext ctx(QStringLiteral("t"), SteadyClock::instance(), {&store, &recorder, nullptr, outDir, QString()});
        SelfTestJob::Parameters p;
        p.units = 6;
        p.values = 256;
        p.work = 2;
        SelfTestJob job(p);
        if (job.run(ctx) != JobOutcome::Finished)
            return {};
        return readAll(QDir(outDir).filePath(QStringLiteral("units.tsv"))) + readAll(QDir(outDir).filePath(QStringLiteral("values.safetensors")));
    }

    QString unitFile(const QString& root, int unit, const QString& name)
    {
        return QDir(root).filePath(QStringLiteral("generate/unit-%1/%2").arg(unit, 5, 10, QLatin1Char('0')).arg(name));
    }

private slots:
    void initTestCase() { Logging::initialize(Logging::Console::Off); }

    void roundTripWithStateTensorsAndBlobs()
    {
        CheckpointStore store(m_dir.filePath(QStringLiteral("rt")), 3);
        SafetensorsWriter tensors;
        QVERIFY(tensors.addF32(QStringLiteral("emb"), {2, 2}, {1, 2, 3, 4}));
        QVERIFY(store.save(QStringLiteral("stage/shard-1"), {{QStringLiteral("done"), 7}}, &tensors,
                           {{QStringLiteral("ids.txt"), QByteArray("a\nb\n")}}));
        QCOMPARE(store.keys(), QStringList{QStringLiteral("stage/shard-1")});
        auto loaded = store.load(QStringLiteral("stage/shard-1"));
        QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().message()));
        QCOMPARE(loaded->state.value(QStringLiteral("done")).toInt(), 7);
        QVERIFY(loaded->tensors);
        QCOMPARE(loaded->tensors->toFloat(QStringLiteral("emb"))->at(3), 4.0f);
        QCOMPARE(loaded->blobs.value(QStringLiteral("ids.txt")), QByteArray("a\nb\n"));
    }

    void keysCannotEscapeTheFolder()
    {
        CheckpointStore store(m_dir.filePath(QStringLiteral("esc")), 1);
        QVERIFY(!store.save(QStringLiteral("../outside"), {}));
        QVERIFY(!store.save(QStringLiteral("a/../../b"), {}));
        QVERIFY(!store.save(QStringLiteral(".hidden"), {}));
        // Blob names are one path component too.
        for (const QString& name : {QStringLiteral("../x"), QStringLiteral("/tmp/x"), QStringLiteral("a/b"), QStringLiteral("..")})
            QVERIFY2(!store.save(QStringLiteral("k"), {}, nullptr, {{name, QByteArray("data")}}), qPrintable(name));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("x"))));
    }

    void damagedEntriesAreDetected_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty tensors") << "empty" << "bytes, the manifest says";
        QTest::newRow("truncated tensors") << "truncate" << "truncated";
        QTest::newRow("bit flip") << "flip" << "does not match";
        QTest::newRow("empty manifest") << "manifest-empty" << "empty manifest";
        QTest::newRow("wrong schema") << "schema" << "schema";
        QTest::newRow("garbage manifest") << "manifest-garbage" << "not valid JSON";
        QTest::newRow("manifest names a file outside") << "manifest-escape" << "invalid file name";
    }

    void damagedEntriesAreDetected()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        const QString root = m_dir.filePath(QStringLiteral("dmg-") + damage);
        CheckpointStore store(root, 1);
        SafetensorsWriter tensors;
        QVERIFY(tensors.addF32(QStringLiteral("x"), {64}, std::vector<float>(64, 0.5f)));
        QVERIFY(store.save(QStringLiteral("k"), {{QStringLiteral("v"), 1}}, &tensors));
        const QString tensorPath = QDir(root).filePath(QStringLiteral("k/tensors.safetensors"));
        const QString manifestPath = QDir(root).filePath(QStringLiteral("k/manifest.json"));
        QByteArray bytes = readAll(tensorPath);
        if (damage == QLatin1String("empty")) {
            QVERIFY(writeAll(tensorPath, {}));
        } else if (damage == QLatin1String("truncate")) {
            QVERIFY(writeAll(tensorPath, bytes.left(bytes.size() / 2)));
        } else if (damage == QLatin1String("flip")) {
            bytes[bytes.size() - 3] = char(bytes[bytes.size() - 3] ^ 0x10);
            QVERIFY(writeAll(tensorPath, bytes));
        } else if (damage == QLatin1String("manifest-empty")) {
            QVERIFY(writeAll(manifestPath, {}));
        } else if (damage == QLatin1String("manifest-garbage")) {
            QVERIFY(writeAll(manifestPath, "{\"format\": "));
        } else if (damage == QLatin1String("manifest-escape")) {
            QByteArray manifest = readAll(manifestPath);
            QVERIFY(manifest.contains("\"tensors.safetensors\""));
            QVERIFY(writeAll(manifestPath, manifest.replace("\"tensors.safetensors\"", "\"../../../../etc/passwd\"")));
        }
        CheckpointStore reader(root, damage == QLatin1String("schema") ? 2 : 1);
        auto loaded = reader.load(QStringLiteral("k"));
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().message().contains(expected), qPrintable(loaded.error().message()));

        // loadOrDiscard reports it in the log and drops it for recomputation.
        const quint64 before = Logging::ring().lastSequence();
        QVERIFY(!reader.loadOrDiscard(QStringLiteral("k")));
        const auto lines = Logging::ring().since(before);
        QVERIFY(!lines.isEmpty());
        QVERIFY(lines.last().text.contains(QStringLiteral("recomputing")));
        QVERIFY(!reader.hasManifest(QStringLiteral("k")));
    }

    // An entry rewritten in place (a HENAW member every epoch) stays loadable
    // wherever the writer dies: the new generation's files go beside the
    // committed ones, the manifest switches atomically, the old ones go last.
    // The states a kill can leave are made here one by one.
    void aRewriteInterruptedAnywhereLeavesTheOldOrTheNewEntry()
    {
        const QString root = m_dir.filePath(QStringLiteral("rewrite"));
        CheckpointStore store(root, 1);
        auto saveEpoch = [&](int epoch) {
            SafetensorsWriter tensors;
            (void)tensors.addF32(QStringLiteral("w"), {3}, {float(epoch), float(epoch) + 0.5f, -1});
            return store.save(QStringLiteral("member-00"), {{QStringLiteral("epoch"), epoch}}, &tensors, {{QStringLiteral("notes"), QByteArray::number(epoch)}});
        };
        auto epochOf = [&]() { auto l = store.load(QStringLiteral("member-00")); return l ? l->state.value(QStringLiteral("epoch")).toInt() : -1; };
        const QDir entry(QDir(root).filePath(QStringLiteral("member-00")));
        for (int epoch = 1; epoch <= 4; ++epoch) {
            QVERIFY(saveEpoch(epoch));
            QCOMPARE(epochOf(), epoch);
            // Exactly one generation of files besides the manifest (the old one was removed).
            QCOMPARE(entry.entryList(QDir::Files).size(), 4);
            auto loaded = store.load(QStringLiteral("member-00"));
            QCOMPARE(loaded->blobs.value(QStringLiteral("notes")), QByteArray::number(epoch));
            QCOMPARE(loaded->tensors->toFloat(QStringLiteral("w"))->at(0), float(epoch));
        }
        // A writer killed after some of the next generation's files, before the manifest:
        // the committed entry (epoch 4) is untouched.
        const QStringList committed = entry.entryList(QDir::Files);
        const bool nextIsSecond = !committed.contains(QStringLiteral("state.json.g1"));
        const QString nextState = nextIsSecond ? QStringLiteral("state.json.g1") : QStringLiteral("state.json");
        QVERIFY(writeAll(entry.filePath(nextState), R"({"epoch":5})"));
        QCOMPARE(epochOf(), 4);
        QVERIFY(writeAll(entry.filePath(nextIsSecond ? QStringLiteral("tensors.safetensors.g1") : QStringLiteral("tensors.safetensors")), "partial"));
        QCOMPARE(epochOf(), 4);
        // The next save commits over the leftovers, and cleans up after itself.
        QVERIFY(saveEpoch(5));
        QCOMPARE(epochOf(), 5);
        QCOMPARE(entry.entryList(QDir::Files).size(), 4);
        // A writer killed after the manifest switched, before the old files went: the new entry loads.
        const QStringList afterFive = entry.entryList(QDir::Files);
        for (const QString& f : committed)
            if (!afterFive.contains(f))
                QVERIFY(writeAll(entry.filePath(f), "stale"));
        QCOMPARE(epochOf(), 5);
        QVERIFY(saveEpoch(6));
        QCOMPARE(epochOf(), 6);
        QCOMPARE(entry.entryList(QDir::Files).size(), 4);
    }

    void entryWithoutManifestIsAnUncommittedWrite()
    {
        const QString root = m_dir.filePath(QStringLiteral("nomanifest"));
        CheckpointStore store(root, 1);
        QVERIFY(store.save(QStringLiteral("k"), {}));
        QVERIFY(QFile::remove(QDir(root).filePath(QStringLiteral("k/manifest.json"))));
        QVERIFY(!store.loadOrDiscard(QStringLiteral("k")));
        QVERIFY(store.keys().isEmpty());
    }

    void corruptCheckpointsAreRecomputedAndOutputIsIdentical()
    {
        const QString root = m_dir.filePath(QStringLiteral("job"));
        CheckpointStore store(root, 1);
        const QByteArray clean = runSelfTest(store, m_dir.filePath(QStringLiteral("out-clean")));
        QVERIFY(!clean.isEmpty());
        // Damage three units three ways, then run again over the same checkpoints.
        QVERIFY(writeAll(unitFile(root, 1, QStringLiteral("tensors.safetensors")), {}));
        QByteArray t2 = readAll(unitFile(root, 2, QStringLiteral("tensors.safetensors")));
        t2[t2.size() - 1] = char(t2[t2.size() - 1] ^ 0x01);
        QVERIFY(writeAll(unitFile(root, 2, QStringLiteral("tensors.safetensors")), t2));
        QByteArray t4 = readAll(unitFile(root, 4, QStringLiteral("tensors.safetensors")));
        QVERIFY(writeAll(unitFile(root, 4, QStringLiteral("tensors.safetensors")), t4.left(t4.size() - 100)));
        const QByteArray again = runSelfTest(store, m_dir.filePath(QStringLiteral("out-again")));
        QCOMPARE(again, clean);
        for (int unit : {1, 2, 4})
            QVERIFY(store.load(QStringLiteral("generate/unit-%1").arg(unit, 5, 10, QLatin1Char('0')))); // rewritten, valid
    }
};

QTEST_GUILESS_MAIN(TstCheckpointStore)
#include "tst_checkpoint_store.moc"
