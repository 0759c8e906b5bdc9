// A run's title is one line of plain text (core/runs/run_title.h): control
// characters, bidirectional overrides and bytes that were not UTF-8 are refused
// naming the character and where it is; a blank title means "name it for me".

#include "io/text_decoding.h"
#include "runs/run_title.h"

#include <QtTest>

using namespace bioforge::core;

class TstRunTitle : public QObject {
    Q_OBJECT

private slots:
    void refusals_data()
    {
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("expected");
        QTest::newRow("line break") << QStringLiteral("a\nfake-run  finished") << QStringLiteral("control character (U+000A: a line break, a tab or a terminal escape) at character 2");
        QTest::newRow("escape") << QStringLiteral("\x1b[31mRED") << QStringLiteral("control character (U+001B");
        QTest::newRow("C1") << QString(QChar(0x9b)) << QStringLiteral("control character (U+009B");
        QTest::newRow("line separator") << QStringLiteral("a") + QChar(0x2028) << QStringLiteral("control character (U+2028");
        QTest::newRow("right-to-left override") << QStringLiteral("bidi ") + QChar(0x202e) + QStringLiteral("live") << QStringLiteral("bidirectional control (U+202E) at character 6");
        QTest::newRow("first strong isolate") << QString(QChar(0x2068)) << QStringLiteral("bidirectional control (U+2068) at character 1");
        // 0xff 0xfe are no UTF-8: decodeArgument keeps them as unpaired surrogates (they were replaced by U+FFFD without a word).
        QTest::newRow("not UTF-8") << decodeArgument(QByteArray("bad \xff\xfe")) << QStringLiteral("a byte that is not UTF-8 at character 5");
        // Positions count characters: an emoji (two UTF-16 units) before the fault is one.
        QTest::newRow("after an emoji") << QString::fromUtf8("\xf0\x9f\xa7\xac\t") << QStringLiteral("at character 2");
    }
    void refusals()
    {
        QFETCH(QString, title);
        QFETCH(QString, expected);
        const Expected<QString> checked = checkRunTitle(title);
        QVERIFY(!checked);
        QCOMPARE(checked.error().kind(), Error::Kind::Invalid);
        QVERIFY2(checked.error().message().contains(expected), qPrintable(checked.error().message()));
    }

    void plainTitlesAreKeptAndBlankOnesLeftToTheDefault()
    {
        for (const QString& title : {QStringLiteral("kidney panel — run 2"), QString::fromUtf8("\xe8\x85\x8e\xe8\x87\x9f \xf0\x9f\xa7\xac"), QStringLiteral("שלום")})
            QCOMPARE(*checkRunTitle(title), title); // right-to-left script itself is text, not an override
        for (const QString& blank : {QString(), QStringLiteral("   "), QStringLiteral("\u3000")})
            QCOMPARE(*checkRunTitle(blank), QString());
    }
};

QTEST_GUILESS_MAIN(TstRunTitle)
#include "tst_run_title.moc"
