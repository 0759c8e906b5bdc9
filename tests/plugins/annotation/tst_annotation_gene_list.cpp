// Gene lists as users write them: parseGeneList and readGeneList over lists,
// tables with and without a header, columns apart by spaces, missing values,
// scores beside names, files of another kind (PDF, FASTA), bytes that are not
// UTF-8 and text copied from web pages or Word.
// The identity layer the entries are resolved against: tst_annotation_identity.cpp.

#include "annotation_test_support.h"
#include "identity/gene_list.h"

#include <QtTest>

#include <tuple>

using namespace bioforge::annotation;
using namespace bioforge::test;

class TstAnnotationGeneList : public QObject {
    Q_OBJECT
private slots:
    void geneListsAsUsersWriteThem()
    {
        const QList<GeneListEntry> e = parseGeneList(QStringLiteral("Gene\r\nPKD1, PKD2;NPHS1\tNPHS2  # podocyte\n\n\"HLA-B\"\n# a comment\nENSG00000008710\n"));
        QStringList texts;
        QList<qint64> lines;
        for (const GeneListEntry& x : e) {
            texts << x.text;
            lines << x.line;
        }
        QCOMPARE(texts, (QStringList{QStringLiteral("PKD1"), QStringLiteral("PKD2"), QStringLiteral("NPHS1"), QStringLiteral("NPHS2"), QStringLiteral("HLA-B"),
                                     QStringLiteral("ENSG00000008710")}));
        QCOMPARE(lines, (QList<qint64>{2, 2, 2, 2, 4, 6}));
        TestLibrary lib;
        // Tables: a differential-expression table with a header, a symbol and its score without
        // one: the genes only, never a score taken for an NCBI gene id.
        auto textsOf = [](const QList<GeneListEntry>& entries) {
            QStringList t;
            for (const GeneListEntry& x : entries)
                t << x.text;
            return t;
        };
        QString layout;
        auto table = readGeneList(lib.write(QStringLiteral("deg.tsv"), "gene\tlog2FC\tpadj\nPKD1\t2\t1\nUMOD\t1\t7\n"), &layout);
        QVERIFY(table);
        QCOMPARE(textsOf(*table), (QStringList{QStringLiteral("PKD1"), QStringLiteral("UMOD")}));
        QCOMPARE(table->last().line, 3);
        QVERIFY2(layout.contains(QStringLiteral("column 1 ('gene') of 3")), qPrintable(layout));
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("padj,symbol\n0.01,PKD2\nNA,\"NPHS1\"\n"))), (QStringList{QStringLiteral("PKD2"), QStringLiteral("NPHS1")}));
        // A missing value where a symbol should be ("NA" is also an alias of XK) is never looked up: it is said so.
        const QList<GeneListEntry> missing = parseGeneList(QStringLiteral("symbol,padj\nPKD2,0.01\nNA,0.2\nN/A,0.3\n"));
        QCOMPARE(textsOf(missing), (QStringList{QStringLiteral("PKD2"), QStringLiteral("NA"), QStringLiteral("N/A")}));
        QVERIFY(missing[0].problem.isEmpty());
        for (const GeneListEntry& e : missing.mid(1))
            QVERIFY2(e.problem.contains(QStringLiteral("a missing value, not a gene")), qPrintable(e.text));
        layout.clear();
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("# scores\nPKD1\t2\nUMOD\t-1.5\n5310\tNA\n"), &layout)),
                 (QStringList{QStringLiteral("PKD1"), QStringLiteral("UMOD"), QStringLiteral("5310")}));
        QVERIFY2(layout.contains(QStringLiteral("column 1 of 2")), qPrintable(layout));
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("symbol\nPKD1;3\nUMOD;4\n"))), (QStringList{QStringLiteral("PKD1"), QStringLiteral("UMOD")}));
        // Columns apart by spaces (a copy from a PDF table, a terminal): the same rule.
        layout.clear();
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("PKD1 2\nPKD2 3\n"), &layout)), (QStringList{QStringLiteral("PKD1"), QStringLiteral("PKD2")}));
        QVERIFY2(layout.contains(QStringLiteral("apart by spaces: the genes are column 1 of 2")), qPrintable(layout));
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("gene   score  padj\nPKD1   2.5    NA\nPKD2   3      0.01\n"))),
                 (QStringList{QStringLiteral("PKD1"), QStringLiteral("PKD2")}));
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("PKD1 PKD2\nUMOD NPHS1\n"))).size(), 4);
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("5310 5311\n7273 7274\n"))).size(), 4);
        // Not tables: NCBI ids two per line, symbols in columns, ragged lines: every token an id.
        layout.clear();
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("5310,5311\n7273,7274\n"), &layout)).size(), 4);
        QVERIFY(layout.isEmpty());
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("PKD1\tPKD2\nUMOD\tNPHS1\n"))).size(), 4);
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("PKD1\t2\nUMOD\n"))), (QStringList{QStringLiteral("PKD1"), QStringLiteral("2"), QStringLiteral("UMOD")}));
        // A name and a bare number on one line of a list (a results table's row pasted into it): the
        // number is listed, unknown, saying why — not NCBI gene 2 (A2M) beside the genes (trial 23 T23-9).
        // Ids on their own lines, or written NCBIGene:2, and lines of ids alone are ids.
        for (const QString& list : {QStringLiteral("PKD1\t2\nUMOD\n"), QStringLiteral("PKD1\nNPHS1\nCD2AP  2\nUMOD\n")}) {
            const QList<GeneListEntry> entries = parseGeneList(list);
            qsizetype flagged = 0;
            for (const GeneListEntry& e : entries) {
                const bool score = e.text == QLatin1String("2");
                QCOMPARE(e.problem.isEmpty(), !score);
                if (score) {
                    ++flagged;
                    QVERIFY2(e.problem.startsWith(QStringLiteral("'2' follows '%1' on line %2: a bare number beside a name is read as a score")
                                                      .arg(e.line == 1 ? QStringLiteral("PKD1") : QStringLiteral("CD2AP"))
                                                      .arg(e.line)),
                             qPrintable(e.problem));
                }
            }
            QCOMPARE(flagged, 1);
        }
        for (const GeneListEntry& e : parseGeneList(QStringLiteral("PKD1\n2\nNCBIGene:5310 UMOD\n5310 5311\n")))
            QVERIFY2(e.problem.isEmpty(), qPrintable(e.text + QLatin1String(": ") + e.problem));
        QVERIFY(!readGeneList(lib.write(QStringLiteral("empty.txt"), "# nothing\n\n")));
        // A file of another kind is refused by what it is, not looked up line by line ("1 0 obj" is NCBI gene 1).
        for (const auto& [name, bytes, kind] : {std::tuple{"paper.txt", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"},
                                                std::tuple{"contigs.txt", ">contig_1\nACGTACGT\n", "FASTA"}}) {
            const QString file = lib.write(QString::fromLatin1(name), bytes);
            auto refused = readGeneList(file);
            QVERIFY(!refused);
            QVERIFY2(refused.error().message().startsWith(file + QStringLiteral(":1: this looks like ") + QLatin1String(kind)), qPrintable(refused.error().message()));
        }
        // Bytes that are not UTF-8 (a list saved as Windows-1252) mark the entries they fall in;
        // the rest of the list, a comment's bad byte and a table's other columns cost nothing.
        auto latin1 = readGeneList(lib.write(QStringLiteral("latin1.txt"), "PKD1\nG\xe9ne UMOD\nNPHS1 # caf\xe9\n"));
        QVERIFY2(latin1, errorText(latin1).constData());
        QCOMPARE(latin1->size(), 4);
        QVERIFY2((*latin1)[1].problem.contains(QStringLiteral("byte 2 (0xe9) of line 2 is not valid UTF-8")), qPrintable((*latin1)[1].problem));
        for (int i : {0, 2, 3})
            QVERIFY2((*latin1)[i].problem.isEmpty(), qPrintable((*latin1)[i].text));
        QCOMPARE((*latin1)[3].text, QStringLiteral("NPHS1"));
        // Several bad bytes in a line: each named (it said the first only).
        auto several = readGeneList(lib.write(QStringLiteral("several.txt"), "G\xe9n\xe8\xfc\n"));
        QVERIFY2(several && several->first().problem.contains(QStringLiteral("bytes 2 (0xe9), 4 (0xe8), 5 (0xfc) of line 1 (3 in all) are not valid UTF-8")),
                 several ? qPrintable(several->first().problem) : errorText(several).constData());
        auto described = readGeneList(lib.write(QStringLiteral("described.tsv"), "gene\tnote\nPKD1\tr\xe9nal\n"));
        QVERIFY(described && described->size() == 1 && described->first().problem.isEmpty());
        QVERIFY(!parseGeneList(QStringLiteral("G\u00e9ne G\uFFFDne")).last().problem.isEmpty());
        QVERIFY(parseGeneList(QStringLiteral("G\u00e9ne G\uFFFDne")).first().problem.isEmpty());
        // Copied from a web page or Word: a no-break space separates, a zero-width space vanishes.
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("NPHS1\u00a0NPHS2\n\u200bUMOD\u200d\nPKD1\u202f\ufeff"))),
                 (QStringList{QStringLiteral("NPHS1"), QStringLiteral("NPHS2"), QStringLiteral("UMOD"), QStringLiteral("PKD1")}));
        // Column titles as databases write them are titles, not genes ("Gene stable ID" made "ID" the
        // gene ID1: trial 20); of several, the symbols' or names' column is read.
        for (const char* title : {"Gene stable ID", "ID", "Gene ID", "Gene name", "Gene names", "HGNC symbol", "gene_name", "GeneID", "Entrez", "Gene.symbol",
                                  "NCBI gene ID"})
            QCOMPARE(textsOf(parseGeneList(QString::fromLatin1(title) + QStringLiteral("\nPKD1\nUMOD\n"))), (QStringList{QStringLiteral("PKD1"), QStringLiteral("UMOD")}));
        layout.clear();
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("Gene stable ID\tGene name\nENSG00000008710\tPKD1\nENSG00000118762\tPKD2\n"), &layout)),
                 (QStringList{QStringLiteral("PKD1"), QStringLiteral("PKD2")}));
        QVERIFY2(layout.contains(QStringLiteral("column 2 ('Gene name') of 2")), qPrintable(layout));
        // A list's bullets and numbers are no entries; Word's hyphens and full-width letters are plain ones.
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("1. PKD2\n2) UMOD\n- WT1\n* LAMB2\n\u2022 NPHS1\nHLA\u2010B\n\uff37\uff34\uff11\n-\n"))),
                 (QStringList{QStringLiteral("PKD2"), QStringLiteral("UMOD"), QStringLiteral("WT1"), QStringLiteral("LAMB2"), QStringLiteral("NPHS1"),
                              QStringLiteral("HLA-B"), QStringLiteral("WT1"), QStringLiteral("-")}));
        // A table's missing gene is no bullet: its score is never read as an NCBI id (review 63).
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("gene\tscore\nPKD1\t2\n-\t12\n"))), (QStringList{QStringLiteral("PKD1"), QStringLiteral("-")}));
        QCOMPARE(textsOf(parseGeneList(QStringLiteral("PKD1 2.5\n- 12\nUMOD 3\n"))), (QStringList{QStringLiteral("PKD1"), QStringLiteral("-"), QStringLiteral("UMOD")}));
    }
};

QTEST_GUILESS_MAIN(TstAnnotationGeneList)
#include "tst_annotation_gene_list.moc"
