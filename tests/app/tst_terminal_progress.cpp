// The progress line on a terminal: within the terminal's width less one column
// (a line that wraps leaves a stale half line at every redraw), the title
// shortened first so the rate, ETA and elapsed time stay; a line cut at a fixed
// 110 characters hid a viral run's ETA on every terminal.

#include "terminal_progress.h"

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "jobs/job_scheduler.h"
#include "support/test_jobs.h"

#include <QSemaphore>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>

using bioforge::cli::TerminalProgress;
using namespace bioforge::core;
using namespace bioforge::test;

class TstTerminalProgress : public QObject {
    Q_OBJECT

    static ProgressSnapshot snapshot()
    {
        ProgressSnapshot s;
        s.fraction = 0.3;
        s.stageLabel = QStringLiteral("Embed proteins (ESM-2)");
        s.stageDone = 1234;
        s.stageTotal = 40960;
        s.unitsPerSecond = 12.5;
        s.unit = QStringLiteral("frames");
        s.etaMs = 7'000;
        s.elapsedMs = 3'000;
        return s;
    }

private slots:
    void theNumbersStayWithinTheWidth_data()
    {
        QTest::addColumn<int>("width");
        for (int w : {60, 80, 120, 200})
            QTest::newRow(qPrintable(QString::number(w))) << w;
    }
    void theNumbersStayWithinTheWidth()
    {
        QFETCH(int, width);
        const QString title = QStringLiteral("Viral: predict assembly_with_a_rather_long_name.fasta.gz, more_contigs.fa (chunks of 300)");
        const QString whole = TerminalProgress::line(title, snapshot());
        QVERIFY(whole.startsWith(title) && whole.contains(QStringLiteral("ETA 0:07 elapsed 0:03")));
        const QString fitted = TerminalProgress::line(title, snapshot(), width);
        QVERIFY2(fitted.size() <= width - 1, qPrintable(fitted));
        // The bar, the ETA and the elapsed time are what the line is for; the title, then the stage's details give way.
        QVERIFY2(fitted.contains(QStringLiteral("[######..............]  30%")) && fitted.endsWith(QStringLiteral(" ETA 0:07 elapsed 0:03")), qPrintable(fitted));
        if (width >= 120)
            QVERIFY2(fitted.contains(QStringLiteral("12.5 frames/s")), qPrintable(fitted));
        if (width >= whole.size() + 1)
            QCOMPARE(fitted, whole);
        else
            QVERIFY2(fitted.contains(QChar(0x2026)), qPrintable(fitted)); // shortened, and said so
        // What the stage does now (a cluster run's shards) is in the line, before the rate (trial 22).
        ProgressSnapshot said = snapshot();
        said.message = QStringLiteral("1 of 4 shards done, 2 running, 1 queued");
        const QString withMessage = TerminalProgress::line(title, said);
        QVERIFY2(withMessage.contains(QStringLiteral("40960 — 1 of 4 shards done, 2 running, 1 queued 12.5 frames/s")), qPrintable(withMessage));
        QVERIFY(TerminalProgress::line(title, said, width).size() <= width - 1);
    }

    // A run's notice (a Slurm controller not answering) is said on a line of its own when it
    // appears or changes, once, even where progress lines are off (--quiet); its end is not said.
    void aNoticeIsPrintedOnceOnItsOwnLine()
    {
        QTemporaryDir dir;
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        QSemaphore reached, proceed;
        const QString notice = QStringLiteral("squeue did not answer (timeout): the Slurm controller may be down; trying again (1 of 4)");
        auto handle = makeHandle(std::make_unique<CountingJob>(3, [&](int unit, JobContext& ctx) {
                                     ctx.setNotice(unit == 0 ? notice : unit == 1 ? notice : QString());
                                     reached.release();
                                     proceed.acquire();
                                 }),
                                 dir.path());
        std::FILE* out = std::tmpfile();
        QVERIFY(out);
        TerminalProgress progress(scheduler, true, nullptr, out);
        scheduler.submit(handle);
        for (int unit = 0; unit < 3; ++unit) {
            reached.acquire(); // the job waits inside the unit, its notice set
            progress.tick();
            progress.tick();
            proceed.release();
        }
        QVERIFY(scheduler.waitForIdle(30000));
        std::rewind(out);
        QByteArray printed(4096, '\0');
        printed.resize(qsizetype(std::fread(printed.data(), 1, size_t(printed.size()), out)));
        std::fclose(out);
        QCOMPARE(QString::fromUtf8(printed), handle->record().title + QStringLiteral(": ") + notice + QLatin1Char('\n'));
    }
};

QTEST_GUILESS_MAIN(TstTerminalProgress)
#include "tst_terminal_progress.moc"
