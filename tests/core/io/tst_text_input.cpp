// Text as files and command lines give it: strict UTF-8 (errors name file,
// line and byte), JSON with a BOM and errors by line and column, CSV on any
// line ends, and command-line bytes passed through exactly.

#include "io/csv_reader.h"
#include "io/json_file.h"
#include "io/text_decoding.h"
#include "support/test_support.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstTextInput : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        writeAll(path, content);
        return path;
    }

private slots:
    void utf8IsCheckedStrictly_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("firstBad");
        QTest::newRow("ascii") << QByteArray("plain text") << -1;
        QTest::newRow("two, three and four bytes") << QByteArray("é … 😀") << -1;
        QTest::newRow("Latin-1 byte") << QByteArray("caf\xe9!") << 3;
        QTest::newRow("overlong slash") << QByteArray("a\xc0\xaf") << 1;
        QTest::newRow("surrogate") << QByteArray("ab\xed\xa0\x80") << 2;
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << 0;
        QTest::newRow("cut short") << QByteArray("x\xe2\x80") << 1;
        QTest::newRow("stray continuation") << QByteArray("ok\x80") << 2;
    }
    void utf8IsCheckedStrictly()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, firstBad);
        QCOMPARE(int(firstInvalidUtf8(bytes)), firstBad);
        auto decoded = decodeUtf8Line(bytes, QStringLiteral("f.txt"), 7);
        QCOMPARE(decoded.hasValue(), firstBad < 0);
        if (!decoded)
            QVERIFY2(decoded.error().message().startsWith(QStringLiteral("f.txt:7: byte %1 ").arg(firstBad + 1)), qPrintable(decoded.error().message()));
    }

    void argumentBytesRoundTripExactly()
    {
        QByteArray all;
        for (int b = 1; b < 256; ++b)
            all += char(b);
        for (const QByteArray& bytes : {QByteArray("\xe6\xad"), QByteArray("text \xff\xfe more"), QByteArray("é and \xed\xa0\x80"), all}) {
            const QString text = decodeArgument(bytes);
            QCOMPARE(encodeArgument(text), bytes);
        }
        QCOMPARE(decodeArgument("héllo"), QStringLiteral("héllo")); // valid UTF-8 is ordinary text
    }

    void jsonSkipsABomAndNamesLineAndColumn()
    {
        auto ok = readJsonObjectFile(write(QStringLiteral("bom.json"), "\xef\xbb\xbf{\"a\": 1}"));
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message()));
        QCOMPARE(ok->value(QLatin1String("a")).toInt(), 1);
        const QString bad = write(QStringLiteral("bad.json"), "{\r\n  \"a\": 1,\r\n  \"b\": oops\r\n}");
        auto error = readJsonObjectFile(bad);
        QVERIFY(!error);
        QVERIFY2(error.error().message().startsWith(bad + QStringLiteral(":3:")), qPrintable(error.error().message()));
        QVERIFY(!readJsonObjectFile(write(QStringLiteral("empty.json"), "")));
        QVERIFY(!readJsonObjectFile(write(QStringLiteral("array.json"), "[1, 2]")));
    }

    // A whole number in range is checked on the double before narrowing: 2^32 + 3 is not 3, a
    // fraction, a string or a huge value is refused, and the bounds are inclusive.
    void wholeNumbersAreCheckedBeforeNarrowing()
    {
        using bioforge::core::jsonText;
        using bioforge::core::wholeNumberIn;
        QCOMPARE(wholeNumberIn(QJsonValue(7), 0, 10), std::optional<qint64>(7));
        QCOMPARE(wholeNumberIn(QJsonValue(0), 0, 10), std::optional<qint64>(0));
        QCOMPARE(wholeNumberIn(QJsonValue(10), 0, 10), std::optional<qint64>(10));
        QCOMPARE(wholeNumberIn(QJsonValue(-3), -5, 5), std::optional<qint64>(-3));
        QCOMPARE(wholeNumberIn(QJsonValue(double(qint64(1) << 53)), 0, qint64(1) << 53), std::optional<qint64>(qint64(1) << 53));
        for (const QJsonValue& v : {QJsonValue(11), QJsonValue(-1), QJsonValue(2.5), QJsonValue(4294967299.0), QJsonValue(-4294967295.0),
                                    QJsonValue(1e19), QJsonValue(-1e300), QJsonValue(QStringLiteral("8")), QJsonValue(true), QJsonValue(),
                                    QJsonValue(QJsonValue::Undefined), QJsonValue(QJsonArray{1})})
            QVERIFY2(!wholeNumberIn(v, 0, 10), qPrintable(jsonText(v)));
        QCOMPARE(jsonText(QJsonValue(2.5)), QStringLiteral("2.5"));
        QCOMPARE(jsonText(QJsonValue(4294967299.0)), QStringLiteral("4294967299"));
        QCOMPARE(jsonText(QJsonValue(QStringLiteral("8"))), QStringLiteral("\"8\""));
        QCOMPARE(jsonText(QJsonValue()), QStringLiteral("null"));
        QCOMPARE(jsonText(QJsonValue(QJsonArray{1, 2})), QStringLiteral("[1,2]"));
        QVERIFY(jsonText(QJsonValue(QJsonValue::Undefined)).isEmpty());
    }

    void csvReadsAnyLineEndsAndRefusesBytesThatAreNotUtf8()
    {
        for (const QByteArray& end : {QByteArray("\n"), QByteArray("\r\n"), QByteArray("\r")}) {
            const QString path = write(QStringLiteral("t.csv"), "\xef\xbb\xbf" "age,crp" + end + "50,1.5" + end + "61,\"2" + end + "x\"" + end);
            auto reader = CsvReader::open(path);
            QVERIFY(reader);
            QVERIFY((*reader)->readHeader());
            QCOMPARE((*reader)->header(), (QStringList{QStringLiteral("age"), QStringLiteral("crp")}));
            auto row = (*reader)->next();
            QVERIFY(row && row->has_value());
            QCOMPARE(**row, (QStringList{QStringLiteral("50"), QStringLiteral("1.5")}));
            row = (*reader)->next();
            QVERIFY(row && row->has_value());
            QCOMPARE((**row)[1], QStringLiteral("2\nx")); // a quoted field across a line end of any kind
        }
        const QString latin1 = write(QStringLiteral("latin1.csv"), "name,unit\ncaf\xe9,mg/dL\n");
        auto reader = CsvReader::open(latin1);
        QVERIFY(reader && (*reader)->readHeader());
        auto row = (*reader)->next();
        QVERIFY(!row);
        QVERIFY2(row.error().message().startsWith(latin1 + QStringLiteral(":2: byte 4 (0xe9)")), qPrintable(row.error().message()));
    }
};

QTEST_GUILESS_MAIN(TstTextInput)
#include "tst_text_input.moc"
