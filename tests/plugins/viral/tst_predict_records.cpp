// What a prediction run does with records written otherwise than a FASTA reader expects, on test
// encoders synthesized here (no ../shared needed): a Latin-1 description and a header joined to the
// line before lose no contig; repeated ids are reported and kept apart in every output; ids with
// percent signs are kept as written; RNA reads as its DNA; mixed and mostly-N records and alignment
// gaps are said. Each with the warning that tells the user what was read.

#include "predict_inputs_harness.h"

#include <QJsonDocument>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstPredictRecords : public PredictInputsHarness {
    Q_OBJECT

private slots:
    void initTestCase() { prepare(); }

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
};

QTEST_GUILESS_MAIN(TstPredictRecords)
#include "tst_predict_records.moc"
