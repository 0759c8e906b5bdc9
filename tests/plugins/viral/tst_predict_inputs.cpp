// What a prediction run does with the inputs users really give it, on test
// encoders synthesized here (no ../shared needed): old-Mac and mixed line
// ends and a byte-order mark read as the plain file; empty, FASTQ, protein
// and truncated gzip inputs fail the run naming the file and what it looks
// like; repeated ids are reported and kept apart in every output; skipped
// records reach the run record; a contig longer than a shard spans shards of
// the configured size and gives the same files as one big shard.

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/classifier_writer.h"
#include "model/encoder_templates.h"
#include "model/synthetic_encoders.h"
#include "pipeline/contig_source.h"
#include "pipeline/predict_job.h"
#include "pipeline/prediction_tables.h"
#include "pipeline/validate_job.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

#include <zlib.h>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

namespace {

// No TA or TG anywhere, hence no stop codon in any forward frame: every chunk keeps three frames
// (the shape of ../shared/cases/viral/make_big_stopfree.py).
std::string stopFreeDna(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s;
    char previous = 'A';
    while (s.size() < n) {
        previous = previous == 'T' ? "CT"[rng() % 2] : "ACGT"[rng() % 4];
        s += previous;
    }
    return s;
}

struct Outcome {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    bool newRunNeeded = false; // the failure is on what the run was given (JobFailure::needingNewRun)
    core::RunRecord record;
};

} // namespace

class TstPredictInputs : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_dnabert, m_esm, m_classifier;
    QByteArray m_reference; // two contigs, LF line ends
    int m_runs = 0;

    QString input(const QString& name, const QByteArray& bytes)
    {
        const QString path = m_dir.filePath(QStringLiteral("inputs/") + name);
        writeAll(path, bytes);
        return path;
    }

    Outcome run(const QStringList& inputs, int shardFrames = 512, const QString& folder = QString())
    {
        const QString dir = folder.isEmpty() ? m_dir.filePath(QStringLiteral("run-%1").arg(++m_runs)) : folder;
        QDir().mkpath(dir + QStringLiteral("/out"));
        const QJsonObject p{{QStringLiteral("inputs"), QJsonArray::fromStringList(inputs)},
                            {QStringLiteral("dnabert"), QStringLiteral("test")}, {QStringLiteral("dnabert_path"), m_dnabert},
                            {QStringLiteral("dnabert_sha256"), QString(64, QLatin1Char('a'))},
                            {QStringLiteral("esm"), QStringLiteral("test")}, {QStringLiteral("esm_path"), m_esm},
                            {QStringLiteral("esm_sha256"), QString(64, QLatin1Char('b'))},
                            {QStringLiteral("classifier"), QStringLiteral("test")}, {QStringLiteral("classifier_path"), m_classifier},
                            {QStringLiteral("classifier_sha256"), QString(64, QLatin1Char('c'))},
                            {QStringLiteral("shard_frames"), shardFrames}, {QStringLiteral("threads"), 1},
                            {QStringLiteral("reuse_results"), false}};
        auto settings = PredictSettings::fromParameters(p);
        if (!settings)
            return {core::JobOutcome::Cancelled, settings.error().message(), false, {}};
        PredictJob job(*settings);
        core::CheckpointStore store(dir + QStringLiteral("/checkpoints"), job.checkpointSchema());
        core::ProvenanceRecorder provenance(dir + QStringLiteral("/out"));
        core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(), {&store, &provenance, nullptr, dir + QStringLiteral("/out"), QString()}, p);
        Outcome o;
        try {
            o.outcome = job.run(ctx);
        } catch (const core::JobFailure& f) {
            o.failure = f.message();
            o.newRunNeeded = f.newRunNeeded();
        }
        o.record.runId = QStringLiteral("run");
        (void)provenance.finalizeInto(o.record);
        // The classifier here has random weights, which a run says in a warning of its own
        // (tst_predict_job checks it): the tests below count the input warnings.
        const qsizetype before = o.record.warnings.size();
        o.record.warnings.removeIf([](const QString& w) { return w.contains(QStringLiteral("TEST model with random weights")); });
        o.record.warningCount -= decltype(o.record.warningCount)(before - o.record.warnings.size());
        return o;
    }

    // Same rows and fields; numbers equal within 1e-5.
    static bool sameTable(const QByteArray& a, const QByteArray& b)
    {
        const QList<QByteArray> x = a.split('\n'), y = b.split('\n');
        if (x.size() != y.size() || x.size() < 3)
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            const QList<QByteArray> f = x[i].split('\t'), g = y[i].split('\t');
            if (f.size() != g.size())
                return false;
            for (qsizetype k = 0; k < f.size(); ++k) {
                bool okF = false, okG = false;
                const double u = f[k].toDouble(&okF), v = g[k].toDouble(&okG);
                if (okF && okG ? std::abs(u - v) > 1e-5 : f[k] != g[k])
                    return false;
            }
        }
        return true;
    }

    static QByteArray out(const QString& runDir, const char* name) { return readAll(runDir + QStringLiteral("/out/") + QLatin1String(name)); }
    QString lastRun() const { return m_dir.filePath(QStringLiteral("run-%1").arg(m_runs)); }

private slots:
    void initTestCase()
    {
        QTemporaryDir templates;
        m_dnabert = m_dir.filePath(QStringLiteral("dnabert"));
        m_esm = m_dir.filePath(QStringLiteral("esm"));
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        const QString dnaTemplate = templates.filePath(QStringLiteral("dna")), esmTemplate = templates.filePath(QStringLiteral("esm"));
        QVERIFY(writeDnabertTemplate(dnaTemplate));
        QVERIFY(writeEsm2Template(esmTemplate));
        QVERIFY(writeSyntheticDnabert(m_dnabert, {1, 16, 2, 32}, dnaTemplate, 1));
        QVERIFY(writeSyntheticEsm2(m_esm, {1, 16, 2, 32}, esmTemplate, 2));
        QVERIFY(writeRandomClassifier(m_classifier, 32, 8, 3));
        m_reference = ">ctg_a first\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(400, 1)) + "\n>ctg_b\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(650, 2)) + "\n";
    }

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
    void unusableInputsFailTheRunNamingTheFile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = input(QStringLiteral("given.fa"), bytes);
        const Outcome o = run({input(QStringLiteral("good.fa"), m_reference), path});
        QVERIFY2(o.failure.contains(path) && o.failure.contains(expected), qPrintable(o.failure));
        QVERIFY(!QFileInfo::exists(lastRun() + QStringLiteral("/out/prediction_results.txt")));
        // What the file holds is the cause: a resume would read it the same way (no resume advised).
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

    // Two contigs the reader once lost: one whose description is Latin-1 (an old NCBI export's 'é'),
    // and one whose header is joined to the line before (two files concatenated, the first without its
    // final newline). Both are read and called, each with a warning that says what was read (trial 18).
    void aLatin1DescriptionAndAJoinedHeaderLoseNoContig()
    {
        const QByteArray a = QByteArray::fromStdString(ValidateJob::syntheticContig(330, 21));
        const QByteArray b = QByteArray::fromStdString(ValidateJob::syntheticContig(330, 22));
        const Outcome o = run({input(QStringLiteral("concatenated.fa"), ">NC_0001 Escherichia phage caf\xe9\n" + a + ">NC_0002 second file\n" + b + "\n")});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QStringList ids;
        for (const QByteArray& line : out(lastRun(), "contigs.tsv").split('\n').mid(1))
            if (!line.isEmpty())
                ids << QString::fromUtf8(line.split('\t').first());
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("NC_0001"), QStringLiteral("NC_0002")}));
        const QString all = o.record.warnings.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("concatenated.fa:1: record 'NC_0001': its description is not UTF-8")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("concatenated.fa:2: record 'NC_0001': a header ('>NC_0002') starts at byte 331 of a sequence line")), qPrintable(all));
        // An old export of many such records: ten named, the rest counted in one line (review 61: a
        // warning a record flooded the log, the summary and the page).
        QByteArray many;
        for (int i = 0; i < 13; ++i)
            many += ">old_" + QByteArray::number(i) + " caf\xe9\n" + a + "\n";
        const Outcome flood = run({input(QStringLiteral("latin1-export.fa"), many)});
        QVERIFY2(flood.failure.isEmpty(), qPrintable(flood.failure));
        const QString said = flood.record.warnings.join(QLatin1Char('\n'));
        QCOMPARE(said.count(QStringLiteral("its description is not UTF-8")), 10);
        QVERIFY2(said.contains(QStringLiteral("3 more records were read otherwise than written (13 in all; the first 10 are named above)")), qPrintable(said));
    }

    void repeatedIdsAreReportedAndKeptApart()
    {
        const QByteArray dna = QByteArray::fromStdString(ValidateJob::syntheticContig(330, 9));
        const Outcome o = run({input(QStringLiteral("ids.fa"), ">genome_id #1\n" + dna + "\n>genome_id #2\n" + dna.left(310) + "\n>genome_id\n" + dna.left(320) + "\n")});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QCOMPARE(o.record.warningCount, 2);
        QVERIFY(o.record.warnings.first().contains(QStringLiteral("'genome_id#2'")));
        QStringList ids;
        for (const QByteArray& line : out(lastRun(), "contigs.tsv").split('\n').mid(1))
            if (!line.isEmpty())
                ids << QString::fromUtf8(line.split('\t').first());
        QCOMPARE(ids, (QStringList{QStringLiteral("genome_id"), QStringLiteral("genome_id#2"), QStringLiteral("genome_id#3")}));
        const QJsonObject summary = QJsonDocument::fromJson(out(lastRun(), "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("warnings")).toArray().size(), 2);
        // Many repeats (two assemblies numbering their contigs alike): ten named, the rest said once.
        QByteArray many, again;
        for (int i = 0; i < 14; ++i) {
            many += ">NODE_" + QByteArray::number(i) + "\n" + dna + "\n";
            again += ">NODE_" + QByteArray::number(i) + "\n" + dna.left(320) + "\n";
        }
        const Outcome repeated = run({input(QStringLiteral("assembly-a.fa"), many), input(QStringLiteral("assembly-b.fa"), again)});
        QVERIFY2(repeated.failure.isEmpty(), qPrintable(repeated.failure));
        QCOMPARE(repeated.record.warningCount, 11);
        QVERIFY2(repeated.record.warnings.last().startsWith(QStringLiteral("4 more records repeat the id of an earlier record (14 in all")),
                 qPrintable(repeated.record.warnings.last()));
    }

    void idsWithPercentSignsAreKeptAsWritten()
    {
        // "%2" in an id is text, not a placeholder of the renaming or of a message.
        const QByteArray dna = QByteArray::fromStdString(ValidateJob::syntheticContig(330, 9));
        const Outcome o = run({input(QStringLiteral("pct.fa"), ">x%2 one\n" + dna + "\n>x%2 two\n" + dna.left(310) + "\n")});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QVERIFY2(o.record.warnings.first().contains(QStringLiteral("'x%2#2'")), qPrintable(o.record.warnings.first()));
        QStringList ids;
        for (const QByteArray& line : out(lastRun(), "contigs.tsv").split('\n').mid(1))
            if (!line.isEmpty())
                ids << QString::fromUtf8(line.split('\t').first());
        QCOMPARE(ids, (QStringList{QStringLiteral("x%2"), QStringLiteral("x%2#2")}));
    }

    // An RNA sequence (U for T, in either case) is read as its DNA: the same predictions, and one
    // warning for the file. (Kept as U, every codon holding one was dropped: no stop codon could
    // be read, and the contig's frames and scores were another sequence's.)
    void anRnaSequenceReadsAsItsDna()
    {
        (void)run({input(QStringLiteral("dna.fa"), m_reference)});
        const QByteArray expected = out(lastRun(), "prediction_results.txt");
        QByteArray rna = m_reference;
        for (qsizetype i = 0, line = 0; i < rna.size(); ++i) { // sequence lines only; lower case on the second record
            line += rna[i] == '>' ? 1 : 0;
            if (rna[i] == '>')
                i = rna.indexOf('\n', i);
            else if (rna[i] == 'T')
                rna[i] = line == 2 ? 'u' : 'U';
        }
        QVERIFY(rna.contains('U') && rna.contains('u'));
        const Outcome o = run({input(QStringLiteral("rna.fa"), rna)});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QCOMPARE(out(lastRun(), "prediction_results.txt"), expected);
        QCOMPARE(o.record.warningCount, 1);
        QVERIFY2(o.record.warnings[0].contains(QStringLiteral("rna.fa:1: record 'ctg_a' holds U (an RNA sequence): read as DNA, each U as T")),
                 qPrintable(o.record.warnings[0]));
    }

    // A record of both T and U (damaged, or two joined) and a contig mostly N (its call rests on few
    // bases) are said, each naming its record (mostly-N ones past the tenth counted); all are read.
    void mixedRecordsAndMostlyNContigsAreSaid()
    {
        QByteArray mixed = QByteArray::fromStdString(ValidateJob::syntheticContig(330, 11));
        for (qsizetype i = 0, turned = 0; i < mixed.size() && turned < 5; ++i)
            if (mixed[i] == 'T') {
                mixed[i] = 'U';
                ++turned;
            }
        QVERIFY(mixed.contains('T') && mixed.contains('U'));
        const QByteArray mostlyN = QByteArray(580, 'N') + QByteArray::fromStdString(ValidateJob::syntheticContig(330, 12)).left(40);
        QByteArray more; // past the tenth, counted in one line
        for (int i = 2; i <= 12; ++i)
            more += ">scaffold" + QByteArray::number(i) + "\n" + mostlyN + "\n";
        const Outcome o = run({input(QStringLiteral("odd.fa"), ">mixed\n" + mixed + "\n>scaffold\n" + mostlyN + "\n" + more)});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        const QString all = o.record.warnings.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("odd.fa:1: record 'mixed' holds both T (")) && all.contains(QStringLiteral(") and U (5): read with each U as T")),
                 qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("odd.fa:3: contig 'scaffold' is 93 % N (580 of 620 bases): a call rests on its 40 bases that are not N")), qPrintable(all));
        QVERIFY2(!all.contains(QStringLiteral("holds U (an RNA sequence)")), qPrintable(all)); // one warning for the record, not two
        QVERIFY2(all.contains(QStringLiteral("2 more contigs are at least half N (12 in all; the first 10 are named above)")) && !all.contains(QStringLiteral("contig 'scaffold11' ")),
                 qPrintable(all));
    }

    // An aligned contig's gap characters are not bases: removed (one warning for the file), the
    // predictions are the ungapped contig's; a record of gaps alone is skipped, named.
    void alignmentGapsAreRemoved()
    {
        (void)run({input(QStringLiteral("ungapped.fa"), m_reference)});
        const QByteArray expected = out(lastRun(), "prediction_results.txt");
        QByteArray gapped;
        for (const QByteArray& line : m_reference.split('\n')) {
            if (line.startsWith('>') || line.size() < 20) {
                gapped += line + '\n';
                continue;
            }
            gapped += line.left(7) + "--" + line.mid(7, 5) + "." + line.mid(12) + '\n';
        }
        gapped += ">all_gaps\n----....\n";
        const Outcome o = run({input(QStringLiteral("gapped.fa"), gapped)});
        QVERIFY2(o.failure.isEmpty(), qPrintable(o.failure));
        QCOMPARE(out(lastRun(), "prediction_results.txt"), expected);
        QCOMPARE(o.record.warningCount, 2);
        QVERIFY2(o.record.warnings[0].contains(QStringLiteral("gapped.fa:1: record 'ctg_a' holds ")) && o.record.warnings[0].contains(QStringLiteral("alignment gap")),
                 qPrintable(o.record.warnings[0]));
        QVERIFY2(o.record.warnings[1].contains(QStringLiteral("record 'all_gaps' holds only gap characters")), qPrintable(o.record.warnings[1]));
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
