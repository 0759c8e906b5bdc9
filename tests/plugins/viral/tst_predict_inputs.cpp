// What a prediction run does with the inputs users really give it, on test
// encoders synthesized here (no ../shared needed): old-Mac and mixed line
// ends and a byte-order mark read as the plain file; empty, FASTQ and protein
// inputs fail a run of them alone naming the file and what it looks like,
// and are skipped with a warning beside good ones; a truncated gzip fails;
// skipped records reach the run record; a contig longer than a shard spans
// shards of the configured size and gives the same files as one big shard. Records written otherwise than expected: tst_predict_records.

#include "pipeline/contig_source.h"
#include "pipeline/prediction_tables.h"
#include "predict_inputs_harness.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QtTest>

#include <limits>

#include <zlib.h>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

class TstPredictInputs : public PredictInputsHarness {
    Q_OBJECT

private slots:
    void initTestCase() { prepare(); }

    void lineEndsAndAByteOrderMarkReadAsThePlainFile()
    {
        const Outcome plain = run({input(QStringLiteral("lf.fa"), m_reference)});
        QVERIFY2(plain.failure.isEmpty() && plain.outcome == core::JobOutcome::Finished, qPrintable(plain.failure));
        const QByteArray expected = out(lastRun(), "prediction_results.txt");
        QVERIFY(expected.count('\n') > 3);
        for (const QByteArray& variant : {QByteArray(m_reference).replace('\n', '\r'), QByteArray(m_reference).replace("\n", "\r\n"),
                                          "\xef\xbb\xbf" + m_reference, QByteArray(m_reference).replace("first\n", "first\r\n").replace("\n>", "\r>")}) {
            const Outcome o = run({input(QStringLiteral("variant.fa"), variant)});
            QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
            QCOMPARE(o.record.warningCount, 0);
            QCOMPARE(out(lastRun(), "prediction_results.txt"), expected);
        }
    }

    void unusableInputsFailTheRunNamingTheFile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("no FASTA record");
        QTest::newRow("FASTQ") << QByteArray("@read1\nACGTACGT\n+\nIIIIIIII\n") << QStringLiteral("FASTQ");
        QTest::newRow("protein") << QByteArray(">sp|P1|X\nMKVLAAGIVGLLLAEQWPHSTFRRLLEEDD\n") << QStringLiteral("looks like protein");
        QTest::newRow("bzip2") << QByteArray("BZh91AY&SY\x10\x20", 12) << QStringLiteral("bzip2");
        QTest::newRow("only bad records") << QByteArray(">a\n>b\n") << QStringLiteral("no usable nucleotide record");
    }
    // Alone, an unusable file fails the run naming it; beside good files it is skipped with a warning
    // naming it, and the others are read (one empty assembly stopped a batch: trial 24 T24-4).
    void unusableInputsFailTheRunNamingTheFile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = input(QStringLiteral("given.fa"), bytes);
        const Outcome alone = run({path});
        QVERIFY2(alone.failure.contains(path) && alone.failure.contains(expected), qPrintable(alone.failure));
        QVERIFY(!QFileInfo::exists(lastRun() + QStringLiteral("/out/prediction_results.txt")));
        // What the file holds is the cause: a resume would read it the same way (no resume advised).
        QVERIFY(alone.newRunNeeded);

        const Outcome batch = run({input(QStringLiteral("good.fa"), m_reference), path});
        QVERIFY2(batch.failure.isEmpty() && batch.outcome == core::JobOutcome::Finished, qPrintable(batch.failure));
        const QStringList said = batch.record.warnings.filter(QStringLiteral("file skipped: the run goes on with the other inputs"));
        QVERIFY2(said.size() == 1 && said.first().contains(path) && said.first().contains(expected), qPrintable(batch.record.warnings.join(QLatin1Char('\n'))));
        const Outcome good = run({input(QStringLiteral("good-alone.fa"), m_reference)});
        QVERIFY(good.failure.isEmpty());
        const QByteArray expectedCalls = out(lastRun(), "prediction_results.txt");
        QVERIFY(expectedCalls.count('\n') > 3);
        QVERIFY(run({input(QStringLiteral("good.fa"), m_reference), path}).failure.isEmpty());
        QCOMPARE(out(lastRun(), "prediction_results.txt"), expectedCalls);
    }

    // Every file unusable: the run fails naming each.
    void aBatchOfUnusableFilesFailsNamingEach()
    {
        const QString empty = input(QStringLiteral("empty-one.fa"), QByteArray()), fastq = input(QStringLiteral("reads.fa"), "@r\nACGT\n+\nIIII\n");
        const Outcome o = run({empty, fastq});
        QVERIFY2(o.failure.startsWith(QStringLiteral("no input holds a usable contig: ")) && o.failure.contains(empty) && o.failure.contains(fastq),
                 qPrintable(o.failure));
        QVERIFY(o.newRunNeeded);
    }

    // A file that cannot be opened may be mended outside the run (its path, its permissions; a run
    // meets that first where it pins its inputs): not a fault of what the file holds, unlike an empty one.
    void anInputThatCannotBeOpenedIsNotAFaultOfItsContent()
    {
        const QString folder = m_dir.filePath(QStringLiteral("inputs/a-folder.fa"));
        QVERIFY(QDir().mkpath(folder));
        ContigSource unopened({folder});
        auto next = unopened.next();
        QVERIFY(!next && next.error().message().contains(folder));
        QVERIFY(!unopened.inputAtFault());
        ContigSource empty({input(QStringLiteral("empty.fa"), QByteArray())});
        next = empty.next();
        QVERIFY(!next && next.error().message().contains(QStringLiteral("no FASTA record")));
        QVERIFY(empty.inputAtFault());
    }

    void aTruncatedGzipFailsInsteadOfScoringAShorterContig()
    {
        const QString whole = m_dir.filePath(QStringLiteral("inputs/whole.fa.gz"));
        gzFile gz = gzopen(QFile::encodeName(whole).constData(), "wb");
        QByteArray text = m_reference + ">ctg_c\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(30000, 3)) + "\n";
        gzwrite(gz, text.constData(), unsigned(text.size()));
        gzclose(gz);
        const QString cut = input(QStringLiteral("cut.fa.gz"), readAll(whole).chopped(100));
        const Outcome o = run({cut});
        QVERIFY2(o.failure.contains(cut) && o.failure.contains(QStringLiteral("ends early")), qPrintable(o.failure));
        QVERIFY(o.newRunNeeded);
    }

    void skippedRecordsReachTheRunRecord()
    {
        const Outcome o = run({input(QStringLiteral("skips.fa"), m_reference + ">empty_one\n\n>protein_one\nMKVLAAGIVGLLLAEQWPHSTF\n")});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QCOMPARE(o.record.warningCount, 2);
        QVERIFY(o.record.warnings[0].contains(QStringLiteral("'empty_one' has no sequence")));
        QVERIFY(o.record.warnings[1].contains(QStringLiteral("'protein_one' looks like protein")));
    }

    void aLongContigSpansShardsOfTheConfiguredSize()
    {
        const QString fasta = input(QStringLiteral("long.fa"), ">short\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(500, 4)) + "\n>long\n"
                                                                    + QByteArray::fromStdString(stopFreeDna(12000, 5)) + "\n>after\n"
                                                                    + QByteArray::fromStdString(ValidateJob::syntheticContig(700, 6)) + "\n");
        const QString big = m_dir.filePath(QStringLiteral("one-shard")), small = m_dir.filePath(QStringLiteral("many-shards"));
        QVERIFY(run({fasta}, 100000, big).failure.isEmpty());
        const Outcome o = run({fasta}, 16, small);
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        // Batches are formed within a shard, so the floats may differ in the last digit; every row, id and call is the same.
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(sameTable(out(small, name), out(big, name)), name);
        int shards = 0, continued = 0;
        QDirIterator it(small + QStringLiteral("/checkpoints/frames"), {QStringLiteral("state.json")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QJsonObject state = QJsonDocument::fromJson(readAll(it.next())).object();
            if (!state.contains(QLatin1String("digest")))
                continue; // the index
            ++shards;
            QVERIFY2(state.value(QLatin1String("frames")).toInt() <= 16 + 5, qPrintable(it.filePath())); // a chunk's frames stay together
            for (const QJsonValue& c : state.value(QLatin1String("contigs")).toArray())
                continued += c.toObject().value(QLatin1String("continued")).toBool() ? 1 : 0;
        }
        QVERIFY2(shards >= 120 / 21 && continued >= 5, qPrintable(QStringLiteral("%1 shards, %2 continued").arg(shards).arg(continued)));
    }

    // A contig's length and chunk count come back from the frames checkpoint: the count sizes the
    // per-chunk scores, so one that its length does not give is refused before anything is sized.
    void aCheckpointChunkCountTheLengthDoesNotGiveIsRefused()
    {
        PredictionTables tables(m_dir.filePath(QStringLiteral("tables")), {QStringLiteral("non-viral"), QStringLiteral("viral")}, 1, CallRule{}, 300);
        const auto contig = [](int64_t length, int chunks) {
            ShardContig c;
            c.id = "c1";
            c.length = length;
            c.chunks = chunks;
            return c;
        };
        QVERIFY(tables.beginContig(contig(1000, 4)));
        QVERIFY(tables.beginContig(contig(300, 1)));
        QVERIFY(tables.beginContig(contig(0, 0)));
        for (const auto& [length, chunks] : {std::pair<int64_t, int>{1000, std::numeric_limits<int>::max()}, {1000, 3}, {1000, -1},
                                             {-5, 0}, {std::numeric_limits<int64_t>::max(), 1}, {int64_t(1) << 40, 1 << 30}}) {
            auto st = tables.beginContig(contig(length, chunks));
            QVERIFY2(!st, qPrintable(QStringLiteral("%1 chunks, length %2").arg(chunks).arg(length)));
            QVERIFY2(st.error().message().contains(QStringLiteral("contig c1")), qPrintable(st.error().message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstPredictInputs)
#include "tst_predict_inputs.moc"
