// Reproducing a recorded run from the command line (trial 25 T25-2, T25-12): `bioforge verify`
// hashes a run's inputs and outputs again against its record (an output edited on disk, an input
// changed: said, exit 5); `bioforge rerun` makes the run again with its recorded parameters —
// the same outputs, byte for byte, a title naming the run it repeats — and refuses, recording
// nothing, when an input is not the one the run read, unless --allow-changed-inputs.

#include "cli_test_base.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace bioforge::test;

class TstCliReproduce : public CliTestBase {
    Q_OBJECT

    QString m_table;
    QString m_first;
    QString m_again; // m_first's rerun

    QByteArray output(const QString& runId, const char* file) { return readAll(QDir(project()).filePath(QStringLiteral("runs/%1/%2").arg(runId, QLatin1String(file)))); }

private slots:
    void initTestCase()
    {
        // The demo's shipped NHANES subset (gzip, read as it is), as a table of one's own.
        m_table = path("cohort.csv");
        QVERIFY(QFile::copy(QStringLiteral(BIOFORGE_AGE_DEMO_DIR "/nhanes4-demo.csv.gz"), m_table + QStringLiteral(".gz")));
        m_table += QStringLiteral(".gz");
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), m_table});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        m_first = runIdFrom(r.err);
        QVERIFY(!m_first.isEmpty());
    }

    void verifySaysEachFileIsAsRecorded()
    {
        const Result v = run({QStringLiteral("verify"), m_first});
        QVERIFY2(v.code == 0 && v.out.contains(QStringLiteral("0 changed, 0 missing")), qPrintable(v.out + v.err));
        QVERIFY2(v.out.contains(QStringLiteral("same         input           cohort table: %1").arg(m_table)), qPrintable(v.out));
    }

    void aRerunMakesTheSameOutputsAndNamesTheRunItRepeats()
    {
        const Result r = run({QStringLiteral("rerun"), m_first});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString again = QRegularExpression(QStringLiteral("run (\\S+) started in .*\\(rerun of %1; bioforge compare %1 \\1").arg(m_first)).match(r.err).captured(1);
        QVERIFY2(!again.isEmpty() && again != m_first, qPrintable(r.err));
        for (const char* file : {"clocks.csv", "clock_notes.tsv", "validation.tsv"}) {
            QVERIFY(!output(m_first, file).isEmpty());
            QVERIFY2(output(again, file) == output(m_first, file), file);
        }
        m_again = again;
        const QJsonObject record = QJsonDocument::fromJson(run({QStringLiteral("show"), again}).out.toUtf8()).object();
        QVERIFY2(record.value(QLatin1String("title")).toString().endsWith(QStringLiteral("(rerun of %1)").arg(m_first)), qPrintable(record.value(QLatin1String("title")).toString()));
        QVERIFY(record.value(QLatin1String("parentRunId")).toString().isEmpty()); // a new run, not a resume
    }

    // A run of another project (a colleague's copy) is compared by its provenance.json or its run
    // folder (trial 25 T25-17: run ids of one project only).
    void compareTakesARunsRecordFromAnotherProject()
    {
        QVERIFY(!m_again.isEmpty());
        const QString copy = path("colleague's copy/run");
        QVERIFY(QDir().mkpath(copy));
        QVERIFY(QFile::copy(QDir(project()).filePath(QStringLiteral("runs/%1/provenance.json").arg(m_again)), copy + QStringLiteral("/provenance.json")));
        for (const QString& other : {copy, copy + QStringLiteral("/provenance.json")}) {
            const Result c = run({QStringLiteral("compare"), m_first, other, QStringLiteral("--json")});
            QVERIFY2(c.code == 0, qPrintable(c.err));
            const QJsonObject json = QJsonDocument::fromJson(c.out.toUtf8()).object();
            QCOMPARE(json.value(QLatin1String("b")).toObject().value(QLatin1String("id")).toString(), m_again);
            bool titleDiffers = false;
            for (const QJsonValue& d : json.value(QLatin1String("differences")).toArray())
                titleDiffers = titleDiffers || d.toObject().value(QLatin1String("key")).toString() == QLatin1String("title");
            QVERIFY2(titleDiffers, qPrintable(c.out.left(2000))); // "(rerun of …)"
        }
        QVERIFY(writeAll(path("not-a-record.json"), "{\"x\": 1}"));
        const Result refused = run({QStringLiteral("compare"), m_first, path("not-a-record.json")});
        QVERIFY2(refused.code == 6 && refused.err.contains(QStringLiteral("not a run's record")), qPrintable(refused.err));
    }

    void aChangedInputOrOutputIsSaidAndNotRunAgain()
    {
        const qsizetype before = recordedRuns();
        QFile table(m_table);
        QVERIFY(table.open(QIODevice::Append));
        QVERIFY(table.write("\n") == 1); // a byte more: another file
        table.close();
        const Result refused = run({QStringLiteral("rerun"), m_first});
        QVERIFY2(refused.code == 5 && refused.err.contains(QStringLiteral("input %1 changed (SHA-256 ").arg(m_table))
                     && refused.err.contains(QStringLiteral("was not run again")),
                 qPrintable(refused.err));
        QCOMPARE(recordedRuns(), before);

        QFile clocks(QDir(project()).filePath(QStringLiteral("runs/%1/clocks.csv").arg(m_first)));
        QVERIFY(clocks.open(QIODevice::Append));
        QVERIFY(clocks.write("edited,by,hand\n") > 0);
        clocks.close();
        const Result v = run({QStringLiteral("verify"), m_first, QStringLiteral("--json")});
        QCOMPARE(v.code, 5);
        const QJsonObject json = QJsonDocument::fromJson(v.out.toUtf8()).object();
        QCOMPARE(json.value(QLatin1String("changed")).toInt(), 2);
        QStringList changed;
        for (const QJsonValue& f : json.value(QLatin1String("files")).toArray())
            if (f.toObject().value(QLatin1String("state")).toString() == QLatin1String("changed"))
                changed << f.toObject().value(QLatin1String("role")).toString() + QLatin1Char(' ') + f.toObject().value(QLatin1String("name")).toString();
        QCOMPARE(changed, (QStringList{QStringLiteral("input cohort table"), QStringLiteral("output clocks.csv")}));
    }
};

QTEST_GUILESS_MAIN(TstCliReproduce)
#include "tst_cli_reproduce.moc"
