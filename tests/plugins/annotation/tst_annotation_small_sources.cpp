// The smaller sources' bulk formats: HPO (with the kidney terms of hp.obo),
// MGI's human-mouse phenotypes, STRING's partners within the list,
// UniProt's features, PubTator3's publications and hyphenated symbols,
// Descartes' kidney tables joined by symbol.

#include "annotation_test_support.h"
#include "sources/pubtator_source.h"
#include "sources/uniprot_source.h"

#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

class TstAnnotationSmallSources : public QObject {
    Q_OBJECT
private slots:
    void hpoMgiStringUniprotPubtatorDescartes()
    {
        TestLibrary lib;
        QVERIFY(lib.importText(QStringLiteral("hpo"), QStringLiteral("genes_to_phenotype.txt"),
                               "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
                               "5310\tPKD1\tHP:0000113\tPolycystic kidney dysplasia\t-\tOMIM:173900\n"
                               "5310\tPKD1\tHP:0001407\tHepatic cysts\t5/12\tOMIM:173900\n"
                               "5310\tPKD1\tHP:0000113\tPolycystic kidney dysplasia\t-\tORPHA:730\n"));
        QVERIFY(lib.importText(QStringLiteral("hpo"), QStringLiteral("hp.obo"),
                               "format-version: 1.2\ndata-version: hp/releases/2025-05-06\n\n"
                               "[Term]\nid: HP:0000077\nname: Abnormality of the kidney\n\n"
                               "[Term]\nid: HP:0000107\nname: Renal cyst\nis_a: HP:0000077 ! Abnormality of the kidney\n\n"
                               "[Term]\nid: HP:0000113\nname: Polycystic kidney dysplasia\nis_a: HP:0000107 ! Renal cyst\n\n"
                               "[Term]\nid: HP:0001407\nname: Hepatic cysts\nis_a: HP:0001392 ! Abnormality of the liver\n"));
        const SourceValue hpo = annotate(*lib.library, QStringLiteral("hpo"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()));
        QCOMPARE(hpo.value.value(QStringLiteral("phenotype_count")).toInt(), 2);
        QCOMPARE(hpo.value.value(QStringLiteral("disease_count")).toInt(), 2);
        QCOMPARE(hpo.value.value(QStringLiteral("kidney_phenotype_count")).toInt(), 1);
        QVERIFY(hpo.releases.size() == 2);
        QVERIFY(!sourceById(QStringLiteral("hpo"))->listsNothing(hpo.value));
        // A gene an extract does not name is absent (not known); one a whole release (thousands of
        // genes) does not name: found with no phenotype (the file lists every annotated gene), a count
        // of 0 (trial 23 T23-16).
        const GeneRecord nphs1 = gene(QStringLiteral("NPHS1"), QStringLiteral("HGNC:7908"), QStringLiteral("4868"), QString());
        const SourceValue unknown = annotate(*lib.library, QStringLiteral("hpo"), nphs1);
        QCOMPARE(unknown.status, SourceValue::Status::Absent);
        QVERIFY2(unknown.error.contains(QStringLiteral("an extract of HPO's genes_to_phenotype")), qPrintable(unknown.error));
        QByteArray whole = "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
                           "5310\tPKD1\tHP:0000113\tPolycystic kidney dysplasia\t-\tOMIM:173900\n";
        for (qint64 i = 0; i < sourceById(QStringLiteral("hpo"))->wholeReleaseRows(QStringLiteral("genes_to_phenotype")); ++i)
            whole += QByteArray::number(900000 + i) + "\tFILLER" + QByteArray::number(i) + "\tHP:0001407\tHepatic cysts\t-\tOMIM:1\n";
        QVERIFY(lib.importText(QStringLiteral("hpo"), QStringLiteral("genes_to_phenotype.txt"), whole));
        const SourceValue none = annotate(*lib.library, QStringLiteral("hpo"), nphs1);
        QCOMPARE(none.status, SourceValue::Status::Found);
        QVERIFY(sourceById(QStringLiteral("hpo"))->listsNothing(none.value));

        QVERIFY(lib.importText(QStringLiteral("mgi"), QStringLiteral("HMD_HumanPhenotype.rpt"),
                               "PKD1\t5310\tPkd1\tMGI:97603\tMP:0005367 MP:0005385 MP:0010768\t\n"
                               "NPHS1\t4868\tNphs1\tMGI:1859637\tMP:0005385\t\n"));
        QVERIFY(annotate(*lib.library, QStringLiteral("mgi"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()))
                    .value.value(QStringLiteral("has_kidney_phenotype")).toBool());
        QVERIFY(!annotate(*lib.library, QStringLiteral("mgi"), gene(QStringLiteral("NPHS1"), QStringLiteral("HGNC:7908"), QStringLiteral("4868"), QString()))
                     .value.value(QStringLiteral("has_kidney_phenotype")).toBool());

        QVERIFY(lib.importText(QStringLiteral("string"), QStringLiteral("9606.protein.info.v12.0.txt"),
                               "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n"
                               "9606.ENSP00000262304\tPKD1\t4303\tPolycystin-1\n9606.ENSP00000237596\tPKD2\t968\tPolycystin-2\n"
                               "9606.ENSP00000000001\tOTHER\t100\tOther\n"));
        QVERIFY(lib.importText(QStringLiteral("string"), QStringLiteral("9606.protein.physical.links.v12.0.txt.gz"),
                               gzip("protein1 protein2 combined_score\n"
                                    "9606.ENSP00000262304 9606.ENSP00000237596 999\n9606.ENSP00000262304 9606.ENSP00000000001 500\n"
                                    "9606.ENSP00000262304 9606.ENSP00000000002 150\n9606.ENSP00000237596 9606.ENSP00000262304 999\n")));
        QVERIFY(lib.importText(QStringLiteral("string"), QStringLiteral("9606.protein.aliases.v12.0.txt"),
                               "#string_protein_id\talias\tsource\n9606.ENSP00000262304\tENSG00000008710\tEnsembl_gene\n9606.ENSP00000262304\tPBP\tBioMart_HUGO\n"));
        ListContext list;
        list.symbols = {QStringLiteral("PKD1"), QStringLiteral("PKD2")};
        const SourceValue string = annotate(*lib.library, QStringLiteral("string"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QStringLiteral("ENSG00000008710")), list);
        QCOMPARE(string.value.value(QStringLiteral("degree")).toInt(), 2); // the 150 link is below medium confidence
        QCOMPARE(string.value.value(QStringLiteral("partners_in_list_count")).toInt(), 1);
        QCOMPARE(string.value.value(QStringLiteral("list_ppi_score")).toDouble(), 0.999);
        QVERIFY(!string.symbolFallback);
        QVERIFY(annotate(*lib.library, QStringLiteral("string"), gene(QStringLiteral("PKD2"), QStringLiteral("HGNC:9009"), QStringLiteral("5311"), QStringLiteral("ENSG00000118762")), list)
                    .symbolFallback);

        QVERIFY(lib.importText(QStringLiteral("uniprot"), QStringLiteral("uniprotkb_human.tsv"),
                               "Entry\tEntry Name\tReviewed\tProtein names\tGene Names\tLength\tFunction [CC]\tDomain [FT]\tPfam\n"
                               "P98161\tPKD1_HUMAN\treviewed\tPolycystin-1\tPKD1\t4303\tFUNCTION: Component of a heteromeric calcium-permeable channel.\t"
                               "DOMAIN 24..67; /note=\"LRRNT\"; /evidence=\"ECO:0000255|PROSITE-ProRule:PRU00031\"; DOMAIN 272..359; /note=\"PKD 1\"\tPF00059;PF01477;\n"));
        const SourceValue uniprot = annotate(*lib.library, QStringLiteral("uniprot"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString(), {QStringLiteral("P98161")}));
        QCOMPARE(uniprot.value.value(QStringLiteral("length")).toInt(), 4303);
        QCOMPARE(uniprot.value.value(QStringLiteral("domain_count")).toInt(), 2);
        QCOMPARE(uniprot.value.value(QStringLiteral("pfam")).toArray(), (QJsonArray{QStringLiteral("PF00059"), QStringLiteral("PF01477")}));
        QVERIFY(uniprot.joinedOn.startsWith(QStringLiteral("UniProt P98161")));
        const QJsonArray features = parseUniprotFeatures(QStringLiteral("DOMAIN 24..67; /note=\"LRRNT\"; /evidence=\"x\"; TRANSMEM <1..?"));
        QCOMPARE(features.size(), 2);
        QCOMPARE(features.at(0).toObject().value(QStringLiteral("note")).toString(), QStringLiteral("LRRNT"));
        QCOMPARE(features.at(1).toObject().value(QStringLiteral("end")).toString(), QStringLiteral("?"));

        QVERIFY(lib.importText(QStringLiteral("pubtator"), QStringLiteral("gene2pubtator3"),
                               "30000001\tGene\t3106\tHLA-B|HLA B\tGNorm2\n30000002\tGene\t3106;5310\tHLA-B\tGNorm2\n12\tGene\t5310\tPKD1\tGNorm2\n"));
        const SourceValue pub = annotate(*lib.library, QStringLiteral("pubtator"), gene(QStringLiteral("HLA-B"), QStringLiteral("HGNC:4932"), QStringLiteral("3106"), QString()));
        QCOMPARE(pub.value.value(QStringLiteral("publication_count")).toInt(), 2);
        QCOMPARE(pub.value.value(QStringLiteral("top_mentions")).toArray().first().toObject().value(QStringLiteral("text")).toString(), QStringLiteral("HLA-B"));
        QCOMPARE(annotate(*lib.library, QStringLiteral("pubtator"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()))
                     .value.value(QStringLiteral("newest_pmids")).toArray(), (QJsonArray{30000002, 12}));
        const QList<PubtatorMention> m = parsePubtatorGeneHighlights(QStringLiteral("in @GENE_HLA-B @GENE_3106 @@@<m>HLA-B</m>@@@ and @GENE_NKX2-5 @GENE_1482 @@@NKX2-5@@@"));
        QCOMPARE(m.size(), 2);
        QCOMPARE(m.at(0).symbol, QStringLiteral("HLA-B"));
        QCOMPARE(m.at(0).text, QStringLiteral("HLA-B"));
        QCOMPARE(m.at(1).ncbiGeneId, QStringLiteral("1482"));

        QVERIFY(lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_tpm.csv"), "PKD1,12.5\nUMOD,4000\n"));
        QVERIFY(lib.importText(QStringLiteral("descartes"), QStringLiteral("kidney_percentage.csv"), "gene,kidney\nPKD1,0.31\n"));
        const SourceValue d = annotate(*lib.library, QStringLiteral("descartes"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()));
        QCOMPARE(d.value.value(QStringLiteral("kidney_tpm")).toDouble(), 12.5);
        QCOMPARE(d.value.value(QStringLiteral("kidney_percentage")).toDouble(), 0.31);
        QVERIFY(d.symbolFallback);
    }

};

QTEST_GUILESS_MAIN(TstAnnotationSmallSources)
#include "tst_annotation_small_sources.moc"
