// The input layer every text format stands on: line ends of every kind, a
// byte-order mark, files that are not text (named for what they look like),
// and compressed streams that end early or are damaged, which must be errors
// and never a shorter file.

#include "io/line_reader.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace bioforge::core;
using namespace bioforge::test;

class TstLineReader : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        writeAll(path, content);
        return path;
    }

    QString writeGzip(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        gzFile gz = gzopen(QFile::encodeName(path).constData(), "wb");
        gzwrite(gz, content.constData(), unsigned(content.size()));
        gzclose(gz);
        return path;
    }

    // Every line, or the first error (prefixed "ERROR ").
    QList<QByteArray> lines(const QString& path)
    {
        auto reader = LineReader::open(path);
        if (!reader)
            return {"ERROR " + reader.error().message().toUtf8()};
        QList<QByteArray> out;
        for (;;) {
            auto line = (*reader)->next();
            if (!line) {
                out << "ERROR " + line.error().message().toUtf8();
                return out;
            }
            if (!line->has_value())
                return out;
            out << **line;
        }
    }

private slots:
    void everyKindOfLineEndEndsALine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("LF") << QByteArray("a\nbb\n\nccc\n");
        QTest::newRow("CRLF") << QByteArray("a\r\nbb\r\n\r\nccc\r\n");
        QTest::newRow("CR") << QByteArray("a\rbb\r\rccc\r");
        QTest::newRow("mixed") << QByteArray("a\r\nbb\r\nccc").replace("\r\nccc", "\n\rccc");
        QTest::newRow("no final line end") << QByteArray("a\nbb\n\nccc");
    }
    void everyKindOfLineEndEndsALine()
    {
        QFETCH(QByteArray, text);
        QCOMPARE(lines(write(QStringLiteral("ends.txt"), text)), (QList<QByteArray>{"a", "bb", "", "ccc"}));
        QCOMPARE(lines(writeGzip(QStringLiteral("ends.txt.gz"), text)), (QList<QByteArray>{"a", "bb", "", "ccc"}));
    }

    void crlfSplitAcrossReadsIsOneLineEnd()
    {
        // Lines long enough that a CR lands at the end of a read buffer (128 KiB) somewhere.
        QByteArray text;
        QList<QByteArray> expected;
        for (int i = 0; i < 600; ++i) {
            const QByteArray line(1000 + i, char('A' + i % 26));
            text += line + "\r\n";
            expected << line;
        }
        QCOMPARE(lines(write(QStringLiteral("long-crlf.txt"), text)), expected);
        QCOMPARE(lines(write(QStringLiteral("long-cr.txt"), QByteArray(text).replace("\r\n", "\r"))), expected);
    }

    void aLineLongerThanTheBufferComesWhole()
    {
        const QByteArray big(3 << 20, 'G');
        QCOMPARE(lines(write(QStringLiteral("big.txt"), "x\n" + big + "\ny")), (QList<QByteArray>{"x", big, "y"}));
    }

    // A small file is read in chunks of about its size; a small gzip file can inflate to far more
    // than that: every line comes whole, a CRLF split between two reads is still one line end.
    void aSmallGzipFileThatInflatesFarComesWhole()
    {
        QByteArray text;
        QList<QByteArray> expected;
        for (int i = 0; i < 400; ++i) {
            const QByteArray line(i % 7 == 0 ? 20000 + i : 1 + i % 5000, char('A' + i % 4));
            text += line + (i % 2 ? "\r\n" : "\n");
            expected << line;
        }
        const QString path = writeGzip(QStringLiteral("inflates.txt.gz"), text);
        QVERIFY2(QFileInfo(path).size() * 50 < text.size(), "the test needs a file that inflates far beyond its size");
        QCOMPARE(lines(path), expected);
        // Plain, a few bytes: one small chunk.
        QCOMPARE(lines(write(QStringLiteral("tiny.txt"), "a\r\nb")), (QList<QByteArray>{"a", "b"}));
    }

    void aByteOrderMarkIsSkipped()
    {
        QCOMPARE(lines(write(QStringLiteral("bom.txt"), "\xef\xbb\xbf>id\nACGT\n")), (QList<QByteArray>{">id", "ACGT"}));
        QCOMPARE(lines(writeGzip(QStringLiteral("bom.txt.gz"), "\xef\xbb\xbf>id\rACGT\r")), (QList<QByteArray>{">id", "ACGT"}));
    }

    // A zip local file header and its stored data (APPNOTE 4.3.7), sizes in the header unless flag bit 3.
    static QByteArray zipEntry(const QByteArray& name, const QByteArray& data, quint16 flags = 0)
    {
        QByteArray e("PK\x03\x04", 4);
        const auto put = [&e](quint32 v, int bytes) {
            for (int i = 0; i < bytes; ++i)
                e.append(char((v >> (8 * i)) & 0xff));
        };
        const quint32 size = (flags & 0x8) ? 0 : quint32(data.size());
        put(20, 2), put(flags, 2), put(0, 2), put(0, 2), put(0, 2), put(0, 4), put(size, 4), put(size, 4);
        put(quint32(name.size()), 2), put(0, 2);
        return e + name + data;
    }

    void filesThatAreNotTextAreNamedForWhatTheyAre_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bzip2") << QByteArray("BZh91AY&SY\x01\x02", 12) << QStringLiteral("bzip2");
        QTest::newRow("xz") << QByteArray("\xfd" "7zXZ\x00\x00\x04", 8) << QStringLiteral("xz");
        QTest::newRow("zstd") << QByteArray("\x28\xb5\x2f\xfd\x00\x00", 6) << QStringLiteral("zstd");
        QTest::newRow("zip") << QByteArray("PK\x03\x04\x14\x00\x00\x00", 8) << QStringLiteral("zip");
        // Spreadsheets are zips too: named as what they are, with the way to a CSV (unzipping one gives XML).
        const QByteArray types = zipEntry("[Content_Types].xml", "<Types/>");
        QTest::newRow("xlsx") << types + zipEntry("_rels/.rels", "<Relationships/>") + zipEntry("xl/workbook.xml", "<workbook/>")
                              << QStringLiteral("an Excel workbook (.xlsx), not a text table; only plain text and gzip are read (save the sheet as CSV");
        // Written by a streaming writer: the sizes follow the data (flag bit 3), so the walk stops at the first entry.
        QTest::newRow("xlsx streamed") << zipEntry("[Content_Types].xml", "\x01\x02" "deflated", 0x8) + zipEntry("xl/workbook.xml", "\x03")
                                       << QStringLiteral("an Excel workbook (.xlsx)");
        // Content types written last (System.IO.Packaging), beyond the bytes looked at: the parts before say it.
        QTest::newRow("xlsx, types last") << zipEntry("xl/workbook.xml", QByteArray(5000, 'w')) + zipEntry("[Content_Types].xml", "<Types/>")
                                          << QStringLiteral("an Excel workbook (.xlsx)");
        QTest::newRow("office, streamed first part") << zipEntry("docProps/core.xml", "\x05", 0x8) + "\x06" + zipEntry("[Content_Types].xml", "<Types/>")
                                                   << QStringLiteral("an Office document (Excel, Word");
        QTest::newRow("ods") << zipEntry("mimetype", "application/vnd.oasis.opendocument.spreadsheet") + zipEntry("content.xml", "<x/>")
                             << QStringLiteral("an OpenDocument spreadsheet (.ods)");
        QTest::newRow("docx") << types + zipEntry("word/document.xml", "<w/>") << QStringLiteral("a Word document (.docx)");
        // A plain archive holding a folder named xl/ (or a file that mentions word/) is an archive.
        QTest::newRow("zip with xl/") << zipEntry("xl/", "") + zipEntry("xl/word/table.csv", "id,age\n1,50\n")
                                      << QStringLiteral("a zip archive; only plain text and gzip are read (unzip");
        // Excel 97-2003: an OLE2 compound file, its directory naming the "Workbook" stream in UTF-16.
        const QByteArray ole("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
        QTest::newRow("xls") << ole + QByteArray(504, '\0') + QByteArray("W\0o\0r\0k\0b\0o\0o\0k\0\0\0", 18)
                             << QStringLiteral("a legacy Excel workbook (.xls: save the sheet as CSV");
        QTest::newRow("OLE2") << ole + QByteArray(504, '\0') << QStringLiteral("a legacy Microsoft Office file");
        QTest::newRow("UTF-16") << QByteArray("\xff\xfe>\x00i\x00d\x00", 8) << QStringLiteral("UTF-16");
        QTest::newRow("SQLite") << QByteArray("SQLite format 3\x00\x10\x00", 18) << QStringLiteral("SQLite");
        QTest::newRow("NUL bytes") << QByteArray("ACGT\x00\x00\x01", 7) << QStringLiteral("binary data");
    }
    void filesThatAreNotTextAreNamedForWhatTheyAre()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = write(QStringLiteral("odd.fa"), bytes);
        auto reader = LineReader::open(path);
        QVERIFY(!reader);
        QVERIFY2(reader.error().message().contains(path) && reader.error().message().contains(expected), qPrintable(reader.error().message()));
    }

    // A reader of sequences given a workbook says what it wanted, not "save the sheet as CSV".
    void aWorkbookIsNotWhatAFastaReaderWants()
    {
        const QString path = write(QStringLiteral("sheet.fa"), zipEntry("[Content_Types].xml", "<Types/>") + zipEntry("xl/workbook.xml", "<workbook/>"));
        auto reader = LineReader::open(path, QStringLiteral("FASTA (plain text or gzip)"));
        QVERIFY(!reader);
        QCOMPARE(reader.error().message(), QStringLiteral("%1: the file is an Excel workbook (.xlsx), not FASTA (plain text or gzip)").arg(path));
    }

    void bamInsideGzipIsRecognised()
    {
        const QString path = writeGzip(QStringLiteral("reads.bam"), QByteArray("BAM\x01\x00\x00\x00\x00", 8));
        auto reader = LineReader::open(path);
        QVERIFY(!reader);
        QVERIFY2(reader.error().message().contains(QStringLiteral("BAM")), qPrintable(reader.error().message()));
    }

    // A file gzipped twice, or another compression inside gzip: named as such (it was "binary data
    // (a NUL byte at offset 8)").
    void gzipInsideGzipIsNamed()
    {
        const QString inner = writeGzip(QStringLiteral("inner.fa.gz"), QByteArray(">c1\nACGT\n"));
        const QString path = writeGzip(QStringLiteral("twice.fa.gz"), readAll(inner));
        auto reader = LineReader::open(path);
        QVERIFY(!reader);
        QVERIFY2(reader.error().message().contains(QStringLiteral("the file is gzip-compressed twice: decompress it once")), qPrintable(reader.error().message()));
        // bzip2 inside gzip: both named, "once" would leave a file still refused.
        const QString bz = writeGzip(QStringLiteral("bz.fa.gz"), QByteArray("BZh91AY&SY") + QByteArray(64, '\x01'));
        auto bzReader = LineReader::open(bz);
        QVERIFY(!bzReader);
        QVERIFY2(bzReader.error().message().contains(QStringLiteral("what it holds is bzip2-compressed: only plain text and gzip are read (gunzip -c FILE > NEW, then bunzip2")),
                 qPrintable(bzReader.error().message()));
    }

    void truncatedGzipIsAnErrorNotAShorterFile()
    {
        QByteArray text;
        for (int i = 0; i < 2000; ++i)
            text += ">contig_" + QByteArray::number(i) + "\nACGTTGCAACGTTGCAACGTTGCAGGCCTTAA\n";
        const QString whole = writeGzip(QStringLiteral("whole.fa.gz"), text);
        const QByteArray gz = readAll(whole);
        for (const qsizetype cut : {qsizetype(200), gz.size() / 2, gz.size() - 5}) {
            const QString path = write(QStringLiteral("cut.fa.gz"), gz.left(cut));
            auto reader = LineReader::open(path);
            QVERIFY(reader);
            QByteArray got;
            QString error;
            for (;;) {
                auto line = (*reader)->next();
                if (!line) {
                    error = line.error().message();
                    break;
                }
                if (!line->has_value())
                    break;
                got += **line + '\n';
            }
            QVERIFY2(error.contains(path) && error.contains(QStringLiteral("ends early")), qPrintable(QStringLiteral("cut at %1: '%2'").arg(cut).arg(error)));
            QVERIFY((*reader)->failed());
            QVERIFY(text.startsWith(got)); // only whole lines came before the error
            auto after = (*reader)->next();
            QVERIFY(after && !after->has_value()); // and nothing after it
        }
    }

    void damagedGzipIsAnError()
    {
        QByteArray gz = readAll(writeGzip(QStringLiteral("ok.gz"), QByteArray(100000, 'A')));
        for (qsizetype i = 20; i < gz.size() - 8; i += 7)
            gz[i] = char(gz[i] ^ 0x5a);
        const QList<QByteArray> got = lines(write(QStringLiteral("damaged.gz"), gz));
        QVERIFY(!got.isEmpty() && got.last().startsWith("ERROR "));
    }
};

QTEST_GUILESS_MAIN(TstLineReader)
#include "tst_line_reader.moc"
