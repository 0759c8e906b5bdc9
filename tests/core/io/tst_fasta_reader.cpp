// Streaming FASTA: multi-line, \r\n, lower case, gzip, and bad records
// reported with file and line while the good ones around them still come.

#include "io/fasta_reader.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace bioforge::core;
using namespace bioforge::test;

class TstFastaReader : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        writeAll(path, content);
        return path;
    }

    QList<FastaRecord> readAllRecords(const QString& path, QStringList* errors, FastaLimits limits = {})
    {
        QList<FastaRecord> out;
        auto reader = FastaReader::open(path, limits);
        if (!reader) {
            errors->append(reader.error().message());
            return out;
        }
        for (int guard = 0; guard < 1000; ++guard) {
            auto rec = (*reader)->next();
            if (!rec) {
                errors->append(rec.error().message());
                continue;
            }
            if (!rec->has_value())
                break;
            out.append(**rec);
        }
        return out;
    }

private slots:
    void readsMultiLineRecordsWithCrLfAndLowerCase()
    {
        const QString path = write(QStringLiteral("a.fa"), ">c1 first contig\r\nACGT\r\nacgt\r\n\r\n>c2\r\nNNNN\r\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].id, QStringLiteral("c1"));
        QCOMPARE(records[0].description, QStringLiteral("first contig"));
        QCOMPARE(records[0].sequence, QByteArray("ACGTacgt"));
        QCOMPARE(records[0].headerLine, qint64(1));
        QCOMPARE(records[1].sequence, QByteArray("NNNN"));
        QCOMPARE(records[1].headerLine, qint64(5));
    }

    void readsGzipTransparently()
    {
        const QString path = m_dir.filePath(QStringLiteral("b.fa.gz"));
        gzFile gz = gzopen(QFile::encodeName(path).constData(), "wb");
        QVERIFY(gz);
        const QByteArray text = ">x\nAC\nGT\n>y\nTTTT";
        gzwrite(gz, text.constData(), unsigned(text.size()));
        gzclose(gz);
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QVERIFY(errors.isEmpty());
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].sequence, QByteArray("ACGT"));
        QCOMPARE(records[1].sequence, QByteArray("TTTT")); // no final newline
    }

    void badRecordIsReportedWithLineAndTheRestIsRead()
    {
        const QString path = write(QStringLiteral("bad.fa"), ">ok1\nACGT\n>bad\nAC1GT\nAAAA\n>\nACGT\n>ok2\nGGGG\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].id, QStringLiteral("ok1"));
        QCOMPARE(records[1].id, QStringLiteral("ok2"));
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors[0].contains(path + QStringLiteral(":4:")) && errors[0].contains(QStringLiteral("'1'")), qPrintable(errors[0]));
        QVERIFY2(errors[1].contains(QStringLiteral(":6:")) && errors[1].contains(QStringLiteral("empty sequence id")), qPrintable(errors[1]));
    }

    void sequenceBeforeHeaderIsAnError()
    {
        const QString path = write(QStringLiteral("nohdr.fa"), "ACGT\n>a\nAC\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors[0].contains(QStringLiteral(":1:")));
        QCOMPARE(records.size(), 1);
    }

    void limitsAreEnforced()
    {
        FastaLimits limits;
        limits.maxIdLength = 5;
        limits.maxSequenceLength = 6;
        const QString path = write(QStringLiteral("lim.fa"), ">toolongid\nAC\n>ok\nACGTACGT\n>fine\nACG\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors, limits);
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].id, QStringLiteral("fine"));
        QCOMPARE(errors.size(), 2);
        QVERIFY(errors[0].contains(QStringLiteral("limit is 5")));
        QVERIFY(errors[1].contains(QStringLiteral("limit of 6")));
    }

    void emptyRecordIsAnErrorUnlessAllowed()
    {
        const QString path = write(QStringLiteral("empty.fa"), ">e\n>f\nAC\n");
        QStringList errors;
        QCOMPARE(readAllRecords(path, &errors).size(), 1);
        QCOMPARE(errors.size(), 1);
        FastaLimits allow;
        allow.allowEmptySequence = true;
        errors.clear();
        QCOMPARE(readAllRecords(path, &errors, allow).size(), 2);
    }

    void missingFileNamesThePath()
    {
        auto r = FastaReader::open(m_dir.filePath(QStringLiteral("nope.fa")));
        QVERIFY(!r);
        QVERIFY(r.error().message().contains(QStringLiteral("nope.fa")));
    }

    void corruptGzipIsAnErrorNotACrash()
    {
        QByteArray gzHeader("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
        const QString path = write(QStringLiteral("broken.fa.gz"), gzHeader + QByteArray(64, '\xff'));
        QStringList errors;
        readAllRecords(path, &errors);
        QVERIFY(!errors.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstFastaReader)
#include "tst_fasta_reader.moc"
