// `age evaluate` paused and resumed (trial 24 T24-13): each clock's comparison
// with mortality is kept in a checkpoint entry as soon as it is made, a pause
// stops the bootstrap at the next resample, and the resumed run reads the
// clocks compared back and ends with the uninterrupted run's files, byte for
// byte. A damaged entry is compared again. Real NHANES people: the demo's
// shipped subsets (resources/age/demo).

#include "checkpoint/checkpoint_store.h"
#include "compute/thread_budget.h"
#include "io/json_file.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "pipeline/clock_jobs.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;

namespace {

struct Attempt {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    int readBack = 0;
    core::ProgressSnapshot progress;
    core::RunRecord record;
};

QString demoTable(const char* name) { return QStringLiteral(BIOFORGE_AGE_DEMO_DIR "/") + QLatin1String(name); }

QJsonObject parameters(const QJsonObject& extra = {})
{
    QJsonObject p{{QStringLiteral("table"), demoTable("nhanes4-demo.csv.gz")}, {QStringLiteral("kdm_reference"), demoTable("nhanes3-demo.csv.gz")},
                  {QStringLiteral("kdm_markers"), QStringLiteral("kdm_blood")}, {QStringLiteral("bootstrap"), 50}, {QStringLiteral("seed"), 5}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        p.insert(it.key(), it.value());
    return p;
}

// One attempt of the run in RUN (checkpoints in RUN/checkpoints, files in RUN/out), as the run service makes it.
Attempt evaluate(const QString& run, int pauseClock = -1, qint64 pauseResample = 0, const QJsonObject& extra = {})
{
    Attempt a;
    const QString out = run + QStringLiteral("/out");
    QDir().mkpath(out);
    EvaluateJob job(*ClockSettings::fromParameters(parameters(extra)));
    job.pauseAtResample(pauseClock, pauseResample);
    core::CheckpointStore store(run + QStringLiteral("/checkpoints"), job.checkpointSchema());
    core::ProvenanceRecorder provenance(out);
    core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(), {&store, &provenance, nullptr, out, QString()}, parameters(extra));
    try {
        a.outcome = job.run(ctx);
    } catch (const core::JobFailure& f) {
        a.failure = f.message();
    }
    a.readBack = job.clocksReadBack();
    a.progress = ctx.snapshot();
    (void)provenance.finalizeInto(a.record);
    return a;
}

QStringList evaluateKeys(const QString& run)
{
    return core::CheckpointStore(run + QStringLiteral("/checkpoints"), 1).keys().filter(QStringLiteral("evaluate/"));
}

} // namespace

class TstAgeEvaluateRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_plain;

private slots:
    void initTestCase()
    {
        m_plain = m_dir.filePath(QStringLiteral("plain"));
        const Attempt a = evaluate(m_plain);
        QVERIFY2(a.failure.isEmpty() && a.outcome == core::JobOutcome::Finished, qPrintable(a.failure));
        QCOMPARE(a.readBack, 0);
        QVERIFY(readAll(m_plain + QStringLiteral("/out/evaluation.csv")).count('\n') == 4);
        // phenoage, kdm, chronological age: one entry each.
        QCOMPARE(evaluateKeys(m_plain).size(), 3);
    }

    // Paused in the second clock's bootstrap: the first clock's comparison is kept, the second's is
    // not; the resumed run reads the first back and ends as the uninterrupted run did.
    void aPauseInTheBootstrapKeepsTheClocksCompared()
    {
        const QString run = m_dir.filePath(QStringLiteral("paused"));
        const Attempt paused = evaluate(run, 1, 7);
        QVERIFY2(paused.failure.isEmpty() && paused.outcome == core::JobOutcome::Paused, qPrintable(paused.failure));
        QCOMPARE(evaluateKeys(run), QStringList{QStringLiteral("evaluate/clock-00")});
        // Stopped at the 7th resample of the second clock, not at its end: its units are resamples.
        QCOMPARE(paused.progress.stageId, QStringLiteral("evaluate"));
        QCOMPARE(paused.progress.unit, QStringLiteral("resamples"));
        QCOMPARE(paused.progress.stageDone, 1 + 2 * 50 + 7);
        QVERIFY(paused.progress.fraction < 1.0);

        const Attempt resumed = evaluate(run);
        QVERIFY2(resumed.failure.isEmpty() && resumed.outcome == core::JobOutcome::Finished, qPrintable(resumed.failure));
        QCOMPARE(resumed.readBack, 1);
        for (const char* file : {"evaluation.csv", "clocks.csv"})
            QVERIFY2(readAll(run + QStringLiteral("/out/") + QLatin1String(file)) == readAll(m_plain + QStringLiteral("/out/") + QLatin1String(file)), file);
        const auto evaluation = [](const QString& r) {
            return core::readJsonObjectFile(r + QStringLiteral("/out/summary.json")).valueOr(QJsonObject()).value(QLatin1String("evaluation")).toArray();
        };
        QVERIFY(!evaluation(m_plain).isEmpty());
        QCOMPARE(evaluation(run), evaluation(m_plain));
    }

    // An entry whose files were damaged is set aside and its clock compared again, to the same figures.
    void aDamagedEntryIsComparedAgain()
    {
        const QString run = m_dir.filePath(QStringLiteral("damaged"));
        const Attempt paused = evaluate(run, 2, 1);
        QVERIFY2(paused.outcome == core::JobOutcome::Paused, qPrintable(paused.failure));
        QCOMPARE(evaluateKeys(run).size(), 2);
        const QString state = run + QStringLiteral("/checkpoints/evaluate/clock-00/state.json");
        QVERIFY(QFile::exists(state));
        QByteArray scribbled = readAll(state);
        scribbled.replace("phenoage", "phenoagf");
        QVERIFY(writeAll(state, scribbled));

        const Attempt resumed = evaluate(run);
        QVERIFY2(resumed.failure.isEmpty() && resumed.outcome == core::JobOutcome::Finished, qPrintable(resumed.failure));
        QCOMPARE(resumed.readBack, 1); // kdm's entry, not the damaged one
        QCOMPARE(readAll(run + QStringLiteral("/out/evaluation.csv")), readAll(m_plain + QStringLiteral("/out/evaluation.csv")));
    }

    // A HENAW trained in the run (--henaw_train) on the threads it is given, recorded: another count
    // changes the last bits of its weights (it took every core whatever was asked: trial 25 T25-4).
    void aHenawTrainedInTheRunUsesTheThreadsGiven()
    {
        if (core::availableCpuThreads() < 2)
            QSKIP("one CPU: one thread is what every core means, and the test could not tell them apart");
        const Attempt a = evaluate(m_dir.filePath(QStringLiteral("henaw-threads")), -1, 0,
                                   {{QStringLiteral("henaw_train"), demoTable("nhanes3-demo.csv.gz")}, {QStringLiteral("henaw_epochs"), 1},
                                    {QStringLiteral("henaw_ensemble"), 1}, {QStringLiteral("bootstrap"), 0}, {QStringLiteral("threads"), 1}});
        QVERIFY2(a.failure.isEmpty() && a.outcome == core::JobOutcome::Finished, qPrintable(a.failure));
        QCOMPARE(a.record.libraries.value(QLatin1String("LibTorch threads")).toString(), QStringLiteral("1"));
    }
};

QTEST_GUILESS_MAIN(TstAgeEvaluateRuns)
#include "tst_age_evaluate_runs.moc"
