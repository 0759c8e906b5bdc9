// Text shown on a terminal (core/util/terminal_text.h): every control a
// terminal would obey becomes a visible stand-in; everything else is kept.

#include "util/terminal_text.h"

#include <QtTest>

using namespace bioforge::core;

class TstTerminalText : public QObject {
    Q_OBJECT

private slots:
    void controlsAreShownAndTextKept_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain, newline and tab") << QStringLiteral("a b\nc\td") << QStringLiteral("a b\nc\td");
        QTest::newRow("an ESC sequence") << QStringLiteral("\x1b[31mred") << QString(QChar(0x241B)) + QStringLiteral("[31mred");
        QTest::newRow("NUL, BEL, backspace, CR") << QString::fromUtf16(u"\u0000\u0007\u0008\r", 4)
                                                  << QString::fromUtf16(u"\u2400\u2407\u2408\u240D");
        QTest::newRow("unit separator, DEL") << QString::fromUtf16(u"\u001f\u007f") << QString::fromUtf16(u"\u241F\u2421");
        QTest::newRow("C1 CSI and NEL") << QString::fromUtf16(u"x\u009by\u0085") << QStringLiteral("x<U+009B>y<U+0085>");
        QTest::newRow("outside C1: NBSP, accents, CJK") << QString::fromUtf16(u"\u00a0\u00e9\u4e2d") << QString::fromUtf16(u"\u00a0\u00e9\u4e2d");
        QTest::newRow("a surrogate pair") << QString::fromUtf16(u"\U0001F9EC DNA") << QString::fromUtf16(u"\U0001F9EC DNA");
        QTest::newRow("empty") << QString() << QString();
    }

    void controlsAreShownAndTextKept()
    {
        QFETCH(QString, text);
        QFETCH(QString, shown);
        QCOMPARE(shownOnTerminal(text), shown);
    }
};

QTEST_APPLESS_MAIN(TstTerminalText)
#include "tst_terminal_text.moc"
