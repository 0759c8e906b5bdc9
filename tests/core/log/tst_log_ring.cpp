// The log ring the UI log panel polls: sequence numbers without gaps, the
// oldest line dropped once `capacity()` lines are kept (the fuzz harness fills
// exactly that many lines before its first input, tests/fuzz/fuzz_support.cpp),
// and `since()` returning only what a reader has not seen.

#include "log/log_ring.h"

#include <QtTest>

using namespace bioforge::core;

class TstLogRing : public QObject {
    Q_OBJECT
private slots:
    void keepsTheLastCapacityLinesInOrder()
    {
        for (const int capacity : {1, 3, 7}) {
            LogRing ring(capacity);
            QCOMPARE(ring.capacity(), capacity);
            QCOMPARE(ring.lastSequence(), quint64(0));
            const int total = capacity * 2 + 1;
            for (int i = 1; i <= total; ++i) {
                ring.append(i, 2, QStringLiteral("line %1").arg(i));
                const QList<LogLine> all = ring.since(0);
                QCOMPARE(all.size(), qMin(i, capacity));
                QCOMPARE(all.last().sequence, quint64(i));
                QCOMPARE(all.last().text, QStringLiteral("line %1").arg(i));
                QCOMPARE(all.first().sequence, quint64(i - all.size() + 1));
            }
            QCOMPARE(ring.lastSequence(), quint64(total));
        }
    }

    void sinceGivesOnlyUnseenLines()
    {
        LogRing ring(10);
        for (int i = 1; i <= 6; ++i)
            ring.append(i, 2, QString::number(i));
        const QList<LogLine> unseen = ring.since(4);
        QCOMPARE(unseen.size(), 2);
        QCOMPARE(unseen[0].text, QStringLiteral("5"));
        QCOMPARE(unseen[1].text, QStringLiteral("6"));
        QVERIFY(ring.since(6).isEmpty());
        QVERIFY(ring.since(100).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstLogRing)
#include "tst_log_ring.moc"
