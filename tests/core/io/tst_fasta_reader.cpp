// Streaming FASTA: multi-line, \r\n, lower case, gzip, and bad records
// reported with file and line while the good ones around them still come.

#include "io/fasta_reader.h"
#include "support/test_support.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace bioforge::core;
using namespace bioforge::test;

class TstFastaReader : public QObject {
    Q_OBJECT

    static FastaLimits nucleotideOnly()
    {
        FastaLimits limits;
        limits.alphabet = SequenceAlphabet::Nucleotide;
        return limits;
    }

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

    void filesThatAreNotFastaAreRefusedAtOpenSayingWhatTheyLookLike_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("no FASTA record");
        QTest::newRow("blank lines") << QByteArray("\n\r\n  \n") << QStringLiteral("no FASTA record");
        QTest::newRow("FASTQ") << QByteArray("@r1\nACGT\n+\nIIII\n@r2\nGGCC\n+\nIIII\n") << QStringLiteral("FASTQ");
        QTest::newRow("SAM") << QByteArray("@HD\tVN:1.6\tSO:coordinate\n") << QStringLiteral("SAM");
        QTest::newRow("GenBank") << QByteArray("LOCUS       NC_001416  48502 bp    DNA\n") << QStringLiteral("GenBank");
        QTest::newRow("HTML error page") << QByteArray("<!DOCTYPE html><html><body>404</body></html>\n") << QStringLiteral("HTML");
        QTest::newRow("plain text") << QByteArray("just some notes\nno header anywhere\n") << QStringLiteral("no header line");
        QTest::newRow("bzip2") << QByteArray("BZh91AY&SY") << QStringLiteral("bzip2");
    }
    void filesThatAreNotFastaAreRefusedAtOpenSayingWhatTheyLookLike()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const QString path = write(QStringLiteral("given.fa"), content);
        auto reader = FastaReader::open(path);
        QVERIFY(!reader);
        QVERIFY2(reader.error().message().startsWith(path) && reader.error().message().contains(expected), qPrintable(reader.error().message()));
    }

    void proteinIsRefusedWhereNucleotidesAreExpected()
    {
        const QString path = write(QStringLiteral("mixed.fa"), ">dna\nACGTNNACGTRYACGT\n>prot\nMKVLAAGIVGLLLAEQWPHSTF\n>rna\nACGUACGU\n");
        QStringList errors;
        const FastaLimits nucleotide = nucleotideOnly();
        const auto records = readAllRecords(path, &errors, nucleotide);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[1].id, QStringLiteral("rna"));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors[0].startsWith(path + QStringLiteral(":3:")) && errors[0].contains(QStringLiteral("looks like protein")), qPrintable(errors[0]));
        errors.clear();
        QCOMPARE(readAllRecords(path, &errors).size(), 3); // no alphabet asked for: all three
    }

    void aStopMarkIsNoBase()
    {
        // '*' is a sequence letter for proteins; inside nucleotides it is refused, named with its position.
        const QString path = write(QStringLiteral("stops.fa"), ">ok\nACGTACGT\n>star\nACGTAC*GTACGT*\n>prot\nMKVLAAGIVG*\n");
        QStringList errors;
        const FastaLimits nucleotide = nucleotideOnly();
        const auto records = readAllRecords(path, &errors, nucleotide);
        QCOMPARE(records.size(), 1);
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors[0].startsWith(path + QStringLiteral(":3: record 'star': '*' at position 7 of the sequence (2 in all) is not a nucleotide")),
                 qPrintable(errors[0]));
        QVERIFY2(errors[1].contains(QStringLiteral("'prot' looks like protein")), qPrintable(errors[1]));
        errors.clear();
        QCOMPARE(readAllRecords(path, &errors).size(), 3); // as any sequence: all three
    }

    void percentSignsInIdsAndPathsStayInTheMessage()
    {
        // A record id or file name holding "%2" is text: it must not take the place of the message's numbers.
        const QString path = write(QStringLiteral("odd%2name.fa"), ">p%2q\nMKVLAAGIVGLLLAEQWPHSTF\n>bad%3\nACGT!ACGT\n");
        QStringList errors;
        const FastaLimits nucleotide = nucleotideOnly();
        readAllRecords(path, &errors, nucleotide);
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors[0].startsWith(path + QStringLiteral(":1: record 'p%2q' looks like protein")) && errors[0].contains(QStringLiteral("only 27 % of")),
                 qPrintable(errors[0]));
        QVERIFY2(errors[1].startsWith(path + QStringLiteral(":4: record 'bad%3': unexpected character '!' at byte 5")), qPrintable(errors[1]));
    }

    void mostlyAmbiguityCodesAreNamedAsSuchNotAsProtein()
    {
        // All IUPAC nucleotide codes: half or more A/C/G/T/U/N reads; fewer is refused as ambiguity, not protein.
        const QString path = write(QStringLiteral("iupac.fa"), ">half\nACGTACGTRYKMSW\n>codes\nACGTRYKMSWBDHVN\n");
        QStringList errors;
        const FastaLimits nucleotide = nucleotideOnly();
        const auto records = readAllRecords(path, &errors, nucleotide);
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].id, QStringLiteral("half"));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors[0].startsWith(path + QStringLiteral(":3: record 'codes' is mostly IUPAC ambiguity codes: only 33 %")), qPrintable(errors[0]));
        QVERIFY2(!errors[0].contains(QStringLiteral("protein")), qPrintable(errors[0]));
    }

    // An id that is not UTF-8 (a LIMS export's Latin-1 'é'): the record is read, its id as Latin-1,
    // named by line and byte in a note (the sequence was lost for one letter: trial 24 T24-5).
    void headerBytesThatAreNotUtf8AreNamedByLineAndByte()
    {
        const QString path = write(QStringLiteral("latin1.fa"), ">ok\nACGT\n>caf\xe9 contig\nACGT\n>next\nGG\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'|')));
        QCOMPARE(records.size(), 3);
        QCOMPARE(records[1].id, QString::fromUtf8("caf\xc3\xa9"));
        QCOMPARE(records[1].description, QStringLiteral("contig"));
        QCOMPARE(records[1].notes,
                 QStringList{path + QString::fromUtf8(":3: record 'caf\xc3\xa9': its id is not UTF-8 (byte 5 of its header line, 0xe9): read as Latin-1; the outputs name it so")});
        QVERIFY(records[0].notes.isEmpty() && records[2].notes.isEmpty());
    }

    // Not UTF-8 only in the description (an old NCBI/EMBL export's Latin-1 'é'): the record is read
    // (the id is what the outputs name), the description as Latin-1, and the note says so (trial 18
    // lost the contig).
    void aDescriptionThatIsNotUtf8KeepsItsRecord()
    {
        const QString path = write(QStringLiteral("latin1-description.fa"), ">NC_0001 Escherichia phage caf\xe9 complete genome\nACGT\n>next\nGG\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'|')));
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].id, QStringLiteral("NC_0001"));
        QCOMPARE(records[0].description, QString::fromUtf8("Escherichia phage caf\xc3\xa9 complete genome"));
        QCOMPARE(records[0].sequence, QByteArray("ACGT"));
        QCOMPARE(records[0].notes, QStringList{path + QStringLiteral(":1: record 'NC_0001': its description is not UTF-8 (byte 31 of its header line, 0xe9): read as Latin-1")});
        QVERIFY(records[1].notes.isEmpty());
        // An id of UTF-8 letters whose bytes are 0x85 or 0xA0 ('à' is C3 A0) is not cut there.
        const QString accented = write(QStringLiteral("accented-id.fa"), ">caf\xc3\xa0 caf\xe9\nACGT\n");
        QStringList more;
        const auto read = readAllRecords(accented, &more);
        QVERIFY2(more.isEmpty() && read.size() == 1, qPrintable(more.join(u'|')));
        QCOMPARE(read[0].id, QString::fromUtf8("caf\xc3\xa0"));
        QCOMPARE(read[0].description, QString::fromUtf8("caf\xc3\xa9"));
    }

    // Two files concatenated, the first without its final newline: the second's first header is
    // joined to the last sequence line. Both records are read, and the first's note says where
    // (the joined record was skipped and the next one lost without its name).
    void aHeaderJoinedToASequenceLineStartsTheNextRecord()
    {
        const QString path = write(QStringLiteral("joined.fa"), ">a\nACGT\n>b first\nACGTAC\nGGTT>c second file\nTTTT\nCC\n>d\nA\n");
        QStringList errors;
        const auto records = readAllRecords(path, &errors, nucleotideOnly());
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'|')));
        QCOMPARE(records.size(), 4);
        QCOMPARE(records[1].id, QStringLiteral("b"));
        QCOMPARE(records[1].sequence, QByteArray("ACGTACGGTT"));
        QVERIFY2(records[1].notes.size() == 1 && records[1].notes[0].startsWith(path + QStringLiteral(":5: record 'b': a header ('>c') starts at byte 5 of a sequence line")),
                 qPrintable(records[1].notes.join(u'|')));
        QCOMPARE(records[2].id, QStringLiteral("c"));
        QCOMPARE(records[2].description, QStringLiteral("second file"));
        QCOMPARE(records[2].sequence, QByteArray("TTTTCC"));
        QCOMPARE(records[2].headerLine, qint64(5));
        QCOMPARE(records[3].id, QStringLiteral("d"));
        // A record already refused (a character no sequence has) still gives up the header joined to it.
        const QString bad = write(QStringLiteral("joined-bad.fa"), ">a\nAC!GT\nGG>b\nTTTT\n");
        errors.clear();
        const auto after = readAllRecords(bad, &errors, nucleotideOnly());
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors[0].contains(QStringLiteral("expected nucleotide letters (A, C, G, T/U, N or IUPAC codes), '-' or '.'")), qPrintable(errors[0]));
        QCOMPARE(after.size(), 1);
        QCOMPARE(after[0].id, QStringLiteral("b"));
        // A joined header on the very line whose bad character refuses the record: the next record is read.
        const QString badLine = write(QStringLiteral("joined-bad-line.fa"), ">a\nAC!GT>b\nTTTT\n");
        errors.clear();
        const auto next = readAllRecords(badLine, &errors, nucleotideOnly());
        QCOMPARE(errors.size(), 1);
        QCOMPARE(next.size(), 1);
        QCOMPARE(next[0].id, QStringLiteral("b"));
        QCOMPARE(next[0].sequence, QByteArray("TTTT"));
    }

    // A DOS end-of-file mark (Ctrl-Z) after the last line is no sequence: the record before it is
    // read (it was refused for an "unexpected character '\x1a'", trial 18).
    void aDosEndOfFileMarkIsIgnored()
    {
        for (const QByteArray& content : {QByteArray(">z1\r\nACGT\r\nGG\r\n\x1a"), QByteArray(">z1\r\nACGT\r\nGG\x1a")}) { // its own line, or the last one's end
            const QString path = write(QStringLiteral("ctrl-z.fa"), content);
            QStringList errors;
            const auto records = readAllRecords(path, &errors, nucleotideOnly());
            QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'|')));
            QCOMPARE(records.size(), 1);
            QCOMPARE(records[0].sequence, QByteArray("ACGTGG"));
        }
    }

    void truncatedGzipEndsTheFileWithAnError()
    {
        QByteArray text;
        for (int i = 0; i < 400; ++i)
            text += ">c" + QByteArray::number(i) + "\n" + QByteArray(600, "ACGT"[i % 4]) + "\n";
        const QString whole = m_dir.filePath(QStringLiteral("whole.fa.gz"));
        gzFile gz = gzopen(QFile::encodeName(whole).constData(), "wb");
        gzwrite(gz, text.constData(), unsigned(text.size()));
        gzclose(gz);
        const QString path = write(QStringLiteral("cut.fa.gz"), readAll(whole).chopped(40));
        auto reader = FastaReader::open(path);
        QVERIFY(reader);
        int records = 0;
        for (;;) {
            auto rec = (*reader)->next();
            if (!rec) {
                QVERIFY((*reader)->streamFailed());
                QVERIFY2(rec.error().message().contains(QStringLiteral("ends early")), qPrintable(rec.error().message()));
                break;
            }
            QVERIFY2(rec->has_value(), "the truncated file ended without an error");
            QCOMPARE((**rec).sequence.size(), 600); // no record shortened by the cut
            ++records;
        }
        QVERIFY(records < 400);
    }

    // The inputs of ../shared/cases/viral, as a user expects them read.
    void sharedCasesAreReadAsAUserExpects()
    {
        if (!QFileInfo::exists(casePath(QStringLiteral("viral/reference_lf.fa"))))
            QSKIP("../shared/cases is not present");
        const FastaLimits nucleotide = nucleotideOnly();
        QStringList errors;
        const auto reference = readAllRecords(casePath(QStringLiteral("viral/reference_lf.fa")), &errors, nucleotide);
        QVERIFY(errors.isEmpty() && !reference.isEmpty());
        for (const char* same : {"viral/cr_only.fa", "viral/utf8_bom.fa"}) {
            const auto got = readAllRecords(casePath(QLatin1String(same)), &errors, nucleotide);
            QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
            QCOMPARE(got.size(), reference.size());
            for (int i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].id, reference[i].id);
                QCOMPARE(got[i].sequence, reference[i].sequence);
            }
        }
        for (const auto& [file, expected] : {std::pair{"viral/empty.fa", "no FASTA record"}, {"viral/reads.fastq", "FASTQ"}}) {
            auto reader = FastaReader::open(casePath(QLatin1String(file)), nucleotide);
            QVERIFY2(!reader && reader.error().message().contains(QLatin1String(expected)), file);
        }
        readAllRecords(casePath(QStringLiteral("viral/protein.faa")), &errors, nucleotide);
        QVERIFY(!errors.isEmpty() && errors.first().contains(QStringLiteral("looks like protein")));
        errors.clear();
        readAllRecords(casePath(QStringLiteral("viral/truncated_200b.fa.gz")), &errors, nucleotide);
        QVERIFY(!errors.isEmpty() && errors.last().contains(QStringLiteral("ends early")));
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
