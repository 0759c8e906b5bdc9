// Run records survive JSON round trips; RO-Crate export names every file
// with its checksum; the environment lists versions and devices.

#include "provenance/environment_info.h"
#include "provenance/provenance_recorder.h"
#include "provenance/ro_crate.h"
#include "provenance/run_record.h"
#include "support/test_support.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstRunRecord : public QObject {
    Q_OBJECT
private slots:
    void jsonRoundTrip()
    {
        RunRecord r;
        r.runId = QStringLiteral("r1");
        r.pluginId = QStringLiteral("viral");
        r.pluginVersion = QStringLiteral("1.2.3");
        r.verb = QStringLiteral("predict");
        r.parameters = {{QStringLiteral("chunk"), 300}};
        r.state = RunState::Interrupted;
        r.parentRunId = QStringLiteral("r0");
        r.checkpointId = QStringLiteral("r0");
        r.startedAt = QDateTime::fromString(QStringLiteral("2026-11-23T10:00:00.123Z"), Qt::ISODateWithMs);
        r.inputs = {{QStringLiteral("contigs"), QStringLiteral("/data/a.fa"), QString(64, QLatin1Char('1')), 99}};
        r.models = {{QStringLiteral("esm2"), QStringLiteral("rev"), QString(64, QLatin1Char('2')), QStringLiteral("/m")},
                    {QStringLiteral("dnabert-s"), QString(), QString(64, QLatin1Char('3')), QStringLiteral("/d"),
                     {{QStringLiteral("config.json"), QStringLiteral("/d/config.json"), QString(64, QLatin1Char('4')), 120},
                      {QStringLiteral("model.safetensors"), QStringLiteral("/d/model.safetensors"), QString(64, QLatin1Char('5')), 1234567}}}};
        auto back = RunRecord::fromJson(r.toJson());
        QVERIFY(back);
        QCOMPARE(back->toJson(), r.toJson());
        QCOMPARE(back->models[1].files.size(), 2);
        QCOMPARE(back->models[1].files[1].size, qint64(1234567));
        QVERIFY(!r.toJson().value(QLatin1String("models")).toArray().at(0).toObject().contains(QLatin1String("files"))); // none known: no key
        QVERIFY(!back->newRunNeeded && !r.toJson().contains(QLatin1String("newRunNeeded")));
        r.state = RunState::Failed;
        r.newRunNeeded = true;
        QVERIFY(RunRecord::fromJson(r.toJson())->newRunNeeded);
        QVERIFY(!RunRecord::fromJson({{QStringLiteral("schema"), QStringLiteral("other")}}));
    }

    void chainsOfResumesAreWalkedBothWays()
    {
        // a → b → c, and b resumed twice (b → d): a chain of four; e on its own; x ↔ y a cycle an edited database holds.
        const auto run = [](const char* id, const char* parent) {
            RunRecord r;
            r.runId = QString::fromLatin1(id);
            r.parentRunId = QString::fromLatin1(parent);
            return r;
        };
        const QList<RunRecord> all{run("c", "b"), run("e", ""), run("a", ""), run("b", "a"), run("d", "b"), run("x", "y"), run("y", "x"), run("o", "gone")};
        const auto ids = [](const QList<const RunRecord*>& runs) {
            QStringList out;
            for (const RunRecord* r : runs)
                out << r->runId;
            return out.join(QLatin1Char(' '));
        };
        QCOMPARE(ids(chainUpTo(all, QStringLiteral("c"))), QStringLiteral("a b c"));
        QCOMPARE(ids(chainUpTo(all, QStringLiteral("a"))), QStringLiteral("a"));
        QCOMPARE(ids(chainUpTo(all, QStringLiteral("o"))), QStringLiteral("o")); // its parent is not in the list
        QCOMPARE(ids(chainUpTo(all, QStringLiteral("none"))), QString());
        QCOMPARE(ids(chainUpTo(all, QStringLiteral("x"))), QStringLiteral("y x"));
        for (const char* member : {"a", "b", "c", "d"})
            QCOMPARE(ids(runsOfChain(all, QString::fromLatin1(member))), QStringLiteral("a b c d"));
        QCOMPARE(ids(runsOfChain(all, QStringLiteral("e"))), QStringLiteral("e"));
        QCOMPARE(ids(runsOfChain(all, QStringLiteral("none"))), QString());
        QCOMPARE(ids(runsOfChain(all, QStringLiteral("x"))), QStringLiteral("y x"));
        QCOMPARE(lastContinuationOf(all, QStringLiteral("a"))->runId, QStringLiteral("c"));
    }

    void numbersOutOfIntegerRangeAreNotCast()
    {
        // Found by fuzzing (docs/reliability.md): a size of 1e300, NaN-like or fractional is not an
        // integer; it reads as unknown (0) instead of an undefined cast.
        RunRecord r;
        r.runId = QStringLiteral("r1");
        QJsonObject json = r.toJson();
        for (double size : {1e300, -1e300, 2.5}) {
            json.insert(QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("size"), size}}});
            auto back = RunRecord::fromJson(json);
            QVERIFY(back);
            QCOMPARE(back->inputs.first().size, qint64(0));
        }
        json.insert(QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("size"), 12345678901.0}}});
        QCOMPARE(RunRecord::fromJson(json)->inputs.first().size, qint64(12345678901)); // a real size stays exact
    }

    void idsThatWouldLeadOutOfTheProjectAreRefused()
    {
        // A record read from a copied or edited project database: its ids name folders.
        for (const char* field : {"runId", "parentRunId", "checkpointId"}) {
            RunRecord r;
            r.runId = QStringLiteral("r1");
            QJsonObject json = r.toJson();
            json.insert(QLatin1String(field), QStringLiteral("../../../home/user"));
            auto back = RunRecord::fromJson(json);
            QVERIFY2(!back && back.error().message().contains(QLatin1String(field)), field);
        }
    }

    void warningsAreKeptWithTheirCount()
    {
        QTemporaryDir dir;
        ProvenanceRecorder recorder(dir.path());
        for (int i = 0; i < ProvenanceRecorder::kKeptWarnings + 5; ++i)
            recorder.addWarning(QStringLiteral("record %1 skipped").arg(i));
        RunRecord r;
        r.runId = QStringLiteral("r1");
        QVERIFY(recorder.finalizeInto(r));
        QCOMPARE(r.warningCount, ProvenanceRecorder::kKeptWarnings + 5);
        QCOMPARE(int(r.warnings.size()), ProvenanceRecorder::kKeptWarnings);
        QCOMPARE(r.warnings.first(), QStringLiteral("record 0 skipped"));
        auto back = RunRecord::fromJson(r.toJson());
        QVERIFY(back);
        QCOMPARE(back->warningCount, r.warningCount);
        QCOMPARE(back->warnings, r.warnings);
    }

    void recorderHashesInputsAndOutputs()
    {
        QTemporaryDir dir;
        QVERIFY(writeAll(dir.filePath(QStringLiteral("in.txt")), "abc"));
        QVERIFY(writeAll(dir.filePath(QStringLiteral("out.txt")), "abc"));
        ProvenanceRecorder rec(dir.path());
        QVERIFY(rec.addInputFile(QStringLiteral("input"), dir.filePath(QStringLiteral("in.txt"))));
        QVERIFY(!rec.addInputFile(QStringLiteral("missing"), dir.filePath(QStringLiteral("nope"))));
        rec.addOutput(QStringLiteral("result"), QStringLiteral("out.txt"));
        rec.addLibrary(QStringLiteral("LibTorch"), QStringLiteral("1.13"));
        RunRecord r;
        QVERIFY(rec.finalizeInto(r));
        const QString abc = QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QCOMPARE(r.inputs.first().sha256, abc);
        QCOMPARE(r.outputs.first().sha256, abc);
        QCOMPARE(r.outputs.first().size, qint64(3));
        QCOMPARE(r.libraries.value(QStringLiteral("LibTorch")).toString(), QStringLiteral("1.13"));
        rec.addOutput(QStringLiteral("gone"), QStringLiteral("missing.txt"));
        QVERIFY(!rec.finalizeInto(r)); // an output that is not there is an error, not a silent gap
    }

    void roCrateDescribesTheRun()
    {
        RunRecord r;
        r.runId = QStringLiteral("r9");
        r.pluginId = QStringLiteral("workbench");
        r.state = RunState::Finished;
        r.outputs = {{QStringLiteral("table"), QStringLiteral("units.tsv"), QString(64, QLatin1Char('f')), 10}};
        r.parameters = {{QStringLiteral("units"), 5}};
        const QJsonObject crate = RoCrate::fromRun(r);
        QCOMPARE(crate.value(QStringLiteral("@context")).toString(), QStringLiteral("https://w3id.org/ro/crate/1.1/context"));
        bool sawFile = false, sawAction = false;
        for (const QJsonValue& v : crate.value(QStringLiteral("@graph")).toArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("@id")).toString() == QLatin1String("units.tsv")) {
                sawFile = true;
                QCOMPARE(o.value(QStringLiteral("sha256")).toString(), QString(64, QLatin1Char('f')));
            }
            if (o.value(QStringLiteral("@type")).toString() == QLatin1String("CreateAction")) {
                sawAction = true;
                QCOMPARE(o.value(QStringLiteral("actionStatus")).toObject().value(QStringLiteral("@id")).toString(),
                         QStringLiteral("http://schema.org/CompletedActionStatus"));
            }
        }
        QVERIFY(sawFile && sawAction);
    }

    void environmentListsVersionsAndDevices()
    {
        const QJsonObject env = EnvironmentInfo::collect();
        QVERIFY(!env.value(QStringLiteral("version")).toString().isEmpty());
        const QJsonObject libs = env.value(QStringLiteral("libraries")).toObject();
        QCOMPARE(libs.value(QStringLiteral("Qt (run time)")).toString(), QString::fromLatin1(qVersion()));
        QVERIFY(libs.contains(QStringLiteral("SQLite")));
        QVERIFY(libs.contains(QStringLiteral("spdlog")));
        QVERIFY(!env.value(QStringLiteral("devices")).toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstRunRecord)
#include "tst_run_record.moc"
