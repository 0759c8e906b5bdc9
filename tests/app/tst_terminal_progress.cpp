// The progress line on a terminal: within the terminal's width less one column
// (a line that wraps leaves a stale half line at every redraw), the title
// shortened first so the rate, ETA and elapsed time stay; a line cut at a fixed
// 110 characters hid a viral run's ETA on every terminal.

#include "terminal_progress.h"

#include "jobs/job_context.h"

#include <QtTest>

using bioforge::cli::TerminalProgress;
using bioforge::core::ProgressSnapshot;

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
    }
};

QTEST_GUILESS_MAIN(TstTerminalProgress)
#include "tst_terminal_progress.moc"
