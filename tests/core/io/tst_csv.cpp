// CSV/TSV: RFC 4180 quoting both ways, fields across lines, and rows of the
// wrong width reported with file and line.

#include "io/csv_reader.h"
#include "io/csv_writer.h"
#include "io/table_values.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstCsv : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void writerQuotesAndReaderRoundTrips()
    {
        CsvWriter w;
        w.writeRow({QStringLiteral("id"), QStringLiteral("note")});
        w.writeRow({QStringLiteral("a,b"), QStringLiteral("say \"hi\"\nsecond line")});
        w.writeRow({QStringLiteral("plain"), QString()});
        const QString path = m_dir.filePath(QStringLiteral("t.csv"));
        QVERIFY(w.save(path));
        QVERIFY(readAll(path).contains("\"a,b\",\"say \"\"hi\"\"\nsecond line\""));

        auto r = CsvReader::open(path);
        QVERIFY(r);
        QVERIFY((*r)->readHeader());
        QCOMPARE((*r)->header(), QStringList({QStringLiteral("id"), QStringLiteral("note")}));
        auto row = (*r)->next();
        QVERIFY(row && row->has_value());
        QCOMPARE((**row)[0], QStringLiteral("a,b"));
        QCOMPARE((**row)[1], QStringLiteral("say \"hi\"\nsecond line"));
        QCOMPARE((*r)->rowLine(), qint64(2));
        row = (*r)->next();
        QVERIFY(row && row->has_value());
        QCOMPARE((**row)[1], QString());
        row = (*r)->next();
        QVERIFY(row && !row->has_value());
    }

    void tsvIsChosenByExtension()
    {
        const QString path = m_dir.filePath(QStringLiteral("t.tsv"));
        QVERIFY(writeAll(path, "a\tb\n1,5\t2\n"));
        auto r = CsvReader::open(path);
        QVERIFY(r);
        QCOMPARE((*r)->delimiter(), QLatin1Char('\t'));
        QVERIFY((*r)->readHeader());
        auto row = (*r)->next();
        QCOMPARE((**row)[0], QStringLiteral("1,5"));
    }

    // A header without the name's delimiter but with tabs or semicolons is read with those; a
    // header with the name's delimiter keeps it (semicolons in a value or a quoted title too).
    void theHeaderCorrectsADelimiterTheNameGotWrong()
    {
        const struct {
            const char* name;
            const char* text;
            char delimiter;
        } cases[] = {{"tabs.csv", "\nid\tage\n1\t50\n", '\t'},          {"semicolons.csv", "id;age\n1;50,5\n", ';'},
                     {"commas.tsv", "id,age\n1,50\n", ','},              {"plain.csv", "id,note\n1,a;b\n", ','},
                     {"quoted.csv", "\"a;b\",c\n1,2\n", ','},           {"one.csv", "id\n1\n", ','},
                     {"both.txt", "id\tage;x\n1\t2;3\n", '\t'}};
        for (const auto& c : cases) {
            const QString path = m_dir.filePath(QLatin1String(c.name));
            QVERIFY(writeAll(path, c.text));
            auto r = CsvReader::open(path);
            QVERIFY(r);
            QCOMPARE((*r)->delimiter(), QLatin1Char(c.delimiter));
            QVERIFY((*r)->readHeader());
            auto row = (*r)->next();
            QVERIFY2(row && row->has_value(), c.name);
            QCOMPARE((**row).size(), (*r)->header().size());
        }
        // A delimiter given is never second-guessed.
        auto given = CsvReader::open(m_dir.filePath(QStringLiteral("tabs.csv")), QLatin1Char(','));
        QVERIFY(given);
        QCOMPARE((*given)->delimiter(), QLatin1Char(','));
    }

    void wrongWidthNamesFileAndLine()
    {
        const QString path = m_dir.filePath(QStringLiteral("w.csv"));
        QVERIFY(writeAll(path, "a,b,c\n1,2,3\n\n4,5\n"));
        auto r = CsvReader::open(path);
        QVERIFY((*r)->readHeader());
        QVERIFY((*r)->next());
        auto bad = (*r)->next();
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(path + QStringLiteral(":4:")), qPrintable(bad.error().message()));
        QVERIFY(bad.error().message().contains(QStringLiteral("expected 3 fields")));
    }

    void unclosedQuoteIsAnError()
    {
        const QString path = m_dir.filePath(QStringLiteral("q.csv"));
        QVERIFY(writeAll(path, "a\n\"never closed\n"));
        auto r = CsvReader::open(path);
        QVERIFY((*r)->readHeader());
        auto bad = (*r)->next();
        QVERIFY(!bad);
        QVERIFY(bad.error().message().contains(QStringLiteral("not closed")));
    }

    // Cell values as R, pandas and spreadsheets write them: the missing-value spellings, and a
    // decimal comma only where the comma cannot separate fields (a semicolon table).
    void cellValuesAsSpreadsheetsWriteThem()
    {
        for (const char* missing : {"", "NA", "na", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A", "-", "."})
            QVERIFY2(isMissingValueText(QString::fromLatin1(missing)), missing);
        for (const char* value : {"0", "NAB", "none at all", "--", "N"})
            QVERIFY2(!isMissingValueText(QString::fromLatin1(value)), value);
        bool comma = false;
        QCOMPARE(parseTableNumber(QStringLiteral("93.5"), QLatin1Char(','), &comma), std::optional<double>(93.5));
        QCOMPARE(parseTableNumber(QStringLiteral("-1e-3"), QLatin1Char(';'), &comma), std::optional<double>(-1e-3));
        QVERIFY(!comma);
        QCOMPARE(parseTableNumber(QStringLiteral("93,5"), QLatin1Char(','), &comma), std::nullopt);
        QCOMPARE(parseTableNumber(QStringLiteral("93,5"), QLatin1Char('\t'), &comma), std::nullopt);
        QVERIFY(!comma);
        QCOMPARE(parseTableNumber(QStringLiteral("93,5"), QLatin1Char(';'), &comma), std::optional<double>(93.5));
        QVERIFY(comma);
        QCOMPARE(parseTableNumber(QStringLiteral("-0,72"), QLatin1Char(';')), std::optional<double>(-0.72));
        QCOMPARE(parseTableNumber(QStringLiteral("1,5e-3"), QLatin1Char(';')), std::optional<double>(1.5e-3));
        QCOMPARE(parseTableNumber(QStringLiteral(",5"), QLatin1Char(';')), std::optional<double>(0.5));
        for (const char* bad : {"1,2,3", "1.000,5", "4,", "abc", "4,3 mg"})
            QVERIFY2(!parseTableNumber(QString::fromLatin1(bad), QLatin1Char(';')), bad);
    }

    void emptyFileHasNoHeader()
    {
        const QString path = m_dir.filePath(QStringLiteral("e.csv"));
        QVERIFY(writeAll(path, ""));
        auto r = CsvReader::open(path);
        QVERIFY(!(*r)->readHeader());
    }
};

QTEST_GUILESS_MAIN(TstCsv)
#include "tst_csv.moc"
