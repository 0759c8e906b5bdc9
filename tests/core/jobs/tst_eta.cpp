// ETA on an injected clock: unknown until honest, exact for a steady rate,
// following a change of rate within the window, and not fooled by work a
// resume finds done in its checkpoints. No sleeping.

#include "jobs/clock.h"
#include "jobs/job_context.h"

#include <QtTest>

#include <cmath>

using namespace bioforge::core;

class TstEta : public QObject {
    Q_OBJECT

    // Runs `units` units at `unitsPerSecond` on the manual clock.
    static void work(JobContext& ctx, ManualClock& clock, int units, int msPerUnit)
    {
        for (int i = 0; i < units; ++i) {
            clock.advance(msPerUnit);
            ctx.advance();
        }
    }

private slots:
    void unknownUntilEnoughTimeHasBeenSeen()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("s"), 1000);
        QVERIFY(!ctx.snapshot().etaMs.has_value());
        work(ctx, clock, 10, 100); // 1 s observed: still unknown
        QVERIFY(!ctx.snapshot().etaMs.has_value());
        QCOMPARE(ctx.snapshot().unitsPerSecond, 0.0);
        work(ctx, clock, 15, 100); // 2.5 s observed
        QVERIFY(ctx.snapshot().etaMs.has_value());
    }

    void exactForAKnownRate()
    {
        ManualClock clock(5000);
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("s"), 100);
        work(ctx, clock, 30, 100); // 10 units/s, 30 done at t = 3 s
        const ProgressSnapshot s = ctx.snapshot();
        QCOMPARE(s.fraction, 0.3);
        QVERIFY(s.etaMs.has_value());
        QCOMPARE(*s.etaMs, qint64(7000));
        QCOMPARE(s.unitsPerSecond, 10.0);
        QCOMPARE(s.elapsedMs, qint64(3000));
    }

    void followsAChangeOfRate()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("s"), 2000);
        work(ctx, clock, 100, 100);  // 10 units/s for 10 s
        work(ctx, clock, 700, 50);   // then 20 units/s for 35 s (longer than the 30 s window)
        const ProgressSnapshot s = ctx.snapshot();
        QCOMPARE(s.unitsPerSecond, 20.0);
        QVERIFY(s.etaMs.has_value());
        QCOMPARE(*s.etaMs, qint64((2000 - 800) * 50));
    }

    void workFoundDoneIsNoRate()
    {
        // A resume reads 600 of 1000 units back in 0.1 s, then works at 10 units/s: the ETA is the
        // 37.5 s the other 375 units take (a little more: the read-back's 0.1 s counts as time), not
        // the few seconds the read-back suggests.
        for (const bool reused : {true, false}) {
            ManualClock clock;
            JobContext ctx(QStringLiteral("r"), clock, {});
            ctx.beginStage(QStringLiteral("s"), 1000);
            for (int i = 0; i < 6; ++i) {
                clock.advance(16);
                reused ? ctx.advanceReused(100) : ctx.advance(100);
            }
            work(ctx, clock, 25, 100);
            const ProgressSnapshot s = ctx.snapshot();
            QCOMPARE(s.fraction, 0.625);
            QVERIFY(s.etaMs.has_value());
            if (reused) {
                QVERIFY2(*s.etaMs >= 37'500 && *s.etaMs <= 39'500, qPrintable(QString::number(*s.etaMs)));
                QVERIFY2(s.unitsPerSecond > 9.5 && s.unitsPerSecond <= 10.0, qPrintable(QString::number(s.unitsPerSecond)));
            } else {
                QVERIFY(*s.etaMs < 5'000); // what advance() gave: the read-back taken for work
            }
        }
        // Work before the read-back keeps counting: 20 units at 10/s, 500 read back, 10 more at 10/s.
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("s"), 1000);
        (void)ctx.snapshot(); // a reader at the start: the first sample
        work(ctx, clock, 20, 100);
        ctx.advanceReused(500);
        work(ctx, clock, 10, 100);
        const ProgressSnapshot s = ctx.snapshot();
        QCOMPARE(s.fraction, 0.53);
        QVERIFY(s.etaMs.has_value());
        QCOMPARE(*s.etaMs, qint64(47'000)); // 470 units at 10/s
    }

    void lastStageIsTimedByItsOwnRate()
    {
        // A generation: the model loads and the prompt is read in 0.2 s (a third of the bar by their
        // weights), then 1000 tokens at 10 a second. At 3 s the ETA is the 97 s the other 970 tokens
        // take; the whole bar's rate (a third in 0.2 s) said a few seconds (trial 19).
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.defineStages({{QStringLiteral("load"), QStringLiteral("Load"), 1},
                          {QStringLiteral("prompt"), QStringLiteral("Prompt"), 1},
                          {QStringLiteral("generate"), QStringLiteral("Generate"), 4}});
        ctx.beginStage(QStringLiteral("load"), 1);
        (void)ctx.snapshot();
        clock.advance(100);
        ctx.advance();
        ctx.beginStage(QStringLiteral("prompt"), 1);
        clock.advance(100);
        ctx.advance();
        ctx.beginStage(QStringLiteral("generate"), 1000);
        QVERIFY(!ctx.snapshot().etaMs.has_value()); // no evidence of the stage's rate yet
        work(ctx, clock, 30, 100);
        const ProgressSnapshot s = ctx.snapshot();
        QVERIFY(s.etaMs.has_value());
        QCOMPARE(*s.etaMs, qint64(97'000));
        // Before the last stage the whole bar's rate gives it: 1 s for the load's third of the bar
        // leaves 2 s for the rest.
        ManualClock early;
        JobContext two(QStringLiteral("r2"), early, {});
        two.defineStages({{QStringLiteral("a"), QStringLiteral("A"), 1}, {QStringLiteral("b"), QStringLiteral("B"), 2}});
        two.beginStage(QStringLiteral("a"), 100);
        work(two, early, 25, 100); // a quarter of a third in 2.5 s
        QVERIFY(two.snapshot().etaMs.has_value());
        QCOMPARE(*two.snapshot().etaMs, qint64(27'500));
    }

    void aStageBeforeTheLastIsTimedByItsOwnRate()
    {
        // Age evaluate: the tables read in moments (0.6 of the bar by the weights), then 3 clocks
        // compared at 13 s each, then the tables written (0.1). One clock done, the rest of the bar
        // at the comparison's rate: 0.3 of the bar at 0.1 each 13 s is 39 s. The whole bar's rate
        // (0.7 in 13.1 s) had said about 6 s (trial 24 T24-14).
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.defineStages({{QStringLiteral("read"), QStringLiteral("Read"), 0.6}, {QStringLiteral("compare"), QStringLiteral("Compare"), 0.3},
                          {QStringLiteral("write"), QStringLiteral("Write"), 0.1}});
        ctx.beginStage(QStringLiteral("read"), 1);
        (void)ctx.snapshot();
        clock.advance(100);
        ctx.advance();
        ctx.beginStage(QStringLiteral("compare"), 3);
        (void)ctx.snapshot();
        work(ctx, clock, 1, 13'000);
        const ProgressSnapshot s = ctx.snapshot();
        QVERIFY(std::abs(s.fraction - 0.7) < 1e-9);
        QVERIFY(s.etaMs.has_value());
        QVERIFY2(std::abs(*s.etaMs - 39'000) <= 1, qPrintable(QString::number(*s.etaMs)));
    }

    void stalledJobHasNoEta()
    {
        ManualClock clock;
        JobContext ctx(QStringLiteral("r"), clock, {});
        ctx.beginStage(QStringLiteral("s"), 100);
        clock.advance(60'000);
        ctx.advance(0);
        QVERIFY(!ctx.snapshot().etaMs.has_value());
    }
};

QTEST_GUILESS_MAIN(TstEta)
#include "tst_eta.moc"
