// Progress is clamped to [0, 1] and never goes back, whatever a job reports.

#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QTemporaryDir>

#include <QtTest>

#include <random>

using namespace bioforge::core;

class TstProgressModel : public QObject {
    Q_OBJECT
private slots:
    void weightedStagesCombine()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.defineStages({{QStringLiteral("a"), QStringLiteral("A"), 3}, {QStringLiteral("b"), QStringLiteral("B"), 1}});
        ctx.beginStage(QStringLiteral("a"), 10);
        ctx.advance(5);
        QCOMPARE(ctx.snapshot().fraction, 0.375);
        ctx.beginStage(QStringLiteral("b"), 4);
        QCOMPARE(ctx.snapshot().fraction, 0.75);
        ctx.advance(2);
        QCOMPARE(ctx.snapshot().fraction, 0.875);
        QCOMPARE(ctx.snapshot().stageLabel, QStringLiteral("B"));
        ctx.markComplete();
        QCOMPARE(ctx.snapshot().fraction, 1.0);
    }

    void rateIsOfTheCurrentStageInItsOwnUnit()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.defineStages({{QStringLiteral("read"), QStringLiteral("Read"), 1, QStringLiteral("bytes")},
                          {QStringLiteral("embed"), QStringLiteral("Embed"), 1, QStringLiteral("frames")}});
        ctx.beginStage(QStringLiteral("read"), 100'000'000);
        for (int s = 0; s < 4; ++s) {
            clock.advance(1000);
            ctx.advance(5'000'000);
            (void)ctx.snapshot();
        }
        ProgressSnapshot read = ctx.snapshot();
        QCOMPARE(read.unit, QStringLiteral("bytes"));
        QVERIFY2(qAbs(read.unitsPerSecond - 5e6) < 1e3, qPrintable(QString::number(read.unitsPerSecond)));
        QCOMPARE(formatRate(read.unitsPerSecond, read.unit), QStringLiteral("5.0 MB/s"));
        ctx.beginStage(QStringLiteral("embed"), 1000);
        QCOMPARE(ctx.snapshot().unitsPerSecond, 0.0); // unknown until the new stage shows its own pace
        for (int s = 0; s < 5; ++s) {
            clock.advance(1000);
            ctx.advance(3);
            (void)ctx.snapshot();
        }
        const ProgressSnapshot embed = ctx.snapshot();
        QCOMPARE(embed.unit, QStringLiteral("frames"));
        QVERIFY2(qAbs(embed.unitsPerSecond - 3.0) < 1e-6, qPrintable(QString::number(embed.unitsPerSecond)));
        QCOMPARE(formatRate(embed.unitsPerSecond, embed.unit), QStringLiteral("3.00 frames/s"));
        // Slow stages in a unit of time that shows them (a cluster run's shards were "0.00 shards/s").
        QCOMPARE(formatRate(0.1, QStringLiteral("shards")), QStringLiteral("0.10 shards/s"));
        QCOMPARE(formatRate(1.5 / 60, QStringLiteral("shards")), QStringLiteral("1.50 shards/min"));
        QCOMPARE(formatRate(0.75 / 3600, QStringLiteral("shards")), QStringLiteral("0.75 shards/h"));
        QCOMPARE(formatRate(0, QStringLiteral("shards")), QStringLiteral("0.00 shards/s"));
    }

    // A stage that counts thousandths of what it shows (a cluster run's shards): the counts and the
    // rate are in whole shards ("0/3000", "390.9 shards/s" were shown), the bar as fine as counted.
    void aScaledStageShowsItsOwnUnit()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("s"), clock, {});
        ctx.defineStages({{QStringLiteral("tasks"), QStringLiteral("Shards"), 1, QStringLiteral("shards"), 1000}});
        ctx.beginStage(QStringLiteral("tasks"), 3000);
        for (int s = 0; s < 4; ++s) {
            clock.advance(1000);
            ctx.advance(500);
            (void)ctx.snapshot();
        }
        const ProgressSnapshot s = ctx.snapshot();
        QCOMPARE(s.stageDone, qint64(2));
        QCOMPARE(s.stageTotal, qint64(3));
        QCOMPARE(s.fraction, 2000.0 / 3000.0);
        QVERIFY2(qAbs(s.unitsPerSecond - 0.5) < 1e-6, qPrintable(QString::number(s.unitsPerSecond)));
    }

    void warningsAreCountedAndReachTheRunRecord()
    {
        ManualClock clock;
        QTemporaryDir dir;
        ProvenanceRecorder recorder(dir.path());
        JobContext::Services services;
        services.provenance = &recorder;
        JobContext ctx(QStringLiteral("r"), clock, services);
        QCOMPARE(ctx.snapshot().warnings, 0);
        ctx.warn(QStringLiteral("a.fa:3: record 'x' has no sequence (record skipped)"));
        ctx.warn(QStringLiteral("a.fa:9: contig id 'y' was already used"));
        const ProgressSnapshot s = ctx.snapshot();
        QCOMPARE(s.warnings, 2);
        QCOMPARE(s.lastWarning, QStringLiteral("a.fa:9: contig id 'y' was already used"));
        RunRecord record;
        record.runId = QStringLiteral("r");
        QVERIFY(recorder.finalizeInto(record));
        QCOMPARE(record.warningCount, 2);
        QCOMPARE(record.warnings.first(), QStringLiteral("a.fa:3: record 'x' has no sequence (record skipped)"));
    }

    void elapsedStopsWhenTheRunEnds()
    {
        ManualClock clock(1000);
        JobContext ctx(QStringLiteral("r"), clock, {});
        clock.advance(5000);
        QCOMPARE(ctx.snapshot().elapsedMs, qint64(5000));
        ctx.markEnded();
        clock.advance(40000); // the window refreshes long after: the run's own time stays
        QCOMPARE(ctx.snapshot().elapsedMs, qint64(5000));
        ctx.markEnded(); // the first end counts
        QCOMPARE(ctx.snapshot().elapsedMs, qint64(5000));
    }

    void overshootIsClampedToOne()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("only"), 10);
        ctx.advance(25);
        QCOMPARE(ctx.snapshot().fraction, 1.0);
    }

    void neverGoesBackWhenTotalsGrowOrStagesRepeat()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.defineStages({{QStringLiteral("a"), QStringLiteral("A"), 1}, {QStringLiteral("b"), QStringLiteral("B"), 1}});
        ctx.beginStage(QStringLiteral("a"), 10);
        ctx.advance(8);
        const double before = ctx.snapshot().fraction;
        ctx.setStageTotal(100); // the job found more work than it thought
        QVERIFY(ctx.snapshot().fraction >= before);
        ctx.beginStage(QStringLiteral("b"), 10);
        ctx.advance(5);
        const double inB = ctx.snapshot().fraction;
        ctx.beginStage(QStringLiteral("a"), 10); // going back to an earlier stage
        QVERIFY(ctx.snapshot().fraction >= inB);
    }

    void randomReportsStayBoundedAndMonotone()
    {
        std::mt19937 rng(7);
        for (int trial = 0; trial < 200; ++trial) {
            ManualClock clock;
            JobContext ctx(QStringLiteral("r"), clock, {});
            ctx.defineStages({{QStringLiteral("s0"), {}, double(rng() % 5)}, {QStringLiteral("s1"), {}, double(rng() % 5)},
                              {QStringLiteral("s2"), {}, 1}});
            double last = 0;
            for (int step = 0; step < 60; ++step) {
                switch (rng() % 4) {
                case 0: ctx.beginStage(QStringLiteral("s%1").arg(rng() % 4), qint64(rng() % 50) - 5); break;
                case 1: ctx.setStageTotal(qint64(rng() % 50) - 5); break;
                default: ctx.advance(qint64(rng() % 20)); break;
                }
                clock.advance(rng() % 500);
                const double f = ctx.snapshot().fraction;
                QVERIFY2(f >= last && f <= 1.0 && f >= 0.0, qPrintable(QStringLiteral("trial %1 step %2: %3 after %4").arg(trial).arg(step).arg(f).arg(last)));
                last = f;
            }
        }
    }
};

QTEST_GUILESS_MAIN(TstProgressModel)
#include "tst_progress_model.moc"
