// StateSummary: a checkpoint state on one readable line (bioforge inspect).

#include "checkpoint/state_summary.h"

#include <QJsonArray>
#include <QtTest>

using namespace bioforge::core;

class TstStateSummary : public QObject {
    Q_OBJECT
private slots:
    void scalarsAreShownAsTheyAre()
    {
        const QJsonObject state{{QStringLiteral("shard"), 3}, {QStringLiteral("done"), true}, {QStringLiteral("rate"), 0.25},
                                {QStringLiteral("name"), QStringLiteral("a \"b\"")}, {QStringLiteral("none"), QJsonValue::Null}};
        QCOMPARE(StateSummary::of(state), QStringLiteral("{\"done\": true, \"name\": \"a \\\"b\\\"\", \"none\": null, \"rate\": 0.25, \"shard\": 3}"));
        QCOMPARE(StateSummary::of({}), QStringLiteral("{}"));
    }

    void longArraysAreCountedAndDeepObjectsCollapsed()
    {
        QJsonArray contigs;
        for (int i = 0; i < 500; ++i)
            contigs.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("contig_%1").arg(i)}, {QStringLiteral("sha256"), QString(64, QLatin1Char('a'))}});
        const QJsonObject state{{QStringLiteral("contigs"), contigs},
                                {QStringLiteral("frames"), QJsonArray{1, 2, 3}},
                                {QStringLiteral("nested"), QJsonObject{{QStringLiteral("inner"), QJsonObject{{QStringLiteral("x"), 1}}},
                                                                       {QStringLiteral("list"), QJsonArray{1}}}}};
        const QString line = StateSummary::of(state);
        QCOMPARE(line, QStringLiteral("{\"contigs\": [500 items], \"frames\": [1, 2, 3], \"nested\": {\"inner\": {1 key}, \"list\": [1 item]}}"));
        QCOMPARE(StateSummary::of({{QStringLiteral("a"), QJsonArray{}}, {QStringLiteral("b"), QJsonObject{}}}), QStringLiteral("{\"a\": [], \"b\": {}}"));
    }

    void longStringsAndLinesAreCut()
    {
        const QString sha(64, QLatin1Char('f'));
        const QString line = StateSummary::of({{QStringLiteral("sha256"), sha}});
        QVERIFY2(line.contains(QStringLiteral("…(64 chars)")) && !line.contains(sha), qPrintable(line));
        QJsonObject wide;
        for (int i = 0; i < 100; ++i)
            wide.insert(QStringLiteral("key%1").arg(i, 3, 10, QLatin1Char('0')), i);
        const QString cut = StateSummary::of(wide, 80);
        QCOMPARE(cut.size(), 80);
        QVERIFY(cut.endsWith(QStringLiteral("…")));
        QVERIFY(StateSummary::of(wide, 0).size() > 1000); // 0: no limit
    }
};

QTEST_GUILESS_MAIN(TstStateSummary)
#include "tst_state_summary.moc"
