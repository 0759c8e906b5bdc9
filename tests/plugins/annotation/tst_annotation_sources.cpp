// Each source's bulk format, as its provider documents it (small files made
// here, with the awkward rows the Kidney-Genetics-DB pipeline got wrong):
// several canonical gnomAD rows, GTEx tissue ids and truncation, ClinVar's
// classification terms, GRCh37/38 duplicates and multi-gene rows, exon
// numbers on the minus strand, STRING's partners, UniProt features,
// PubTator's hyphenated symbols. (The library's own behaviour:
// tst_annotation_library.)

#include "annotation_test_support.h"
#include "pipeline/bulk_import.h"
#include "sources/annotation_source.h"
#include "sources/clinvar_terms.h"
#include "sources/gtex_source.h"
#include "store/bulk_library.h"
#include "support/test_support.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

namespace {

// gnomAD v4.1 constraint_metrics columns we read, plus a few we do not.
const QStringList kGnomadColumns{QStringLiteral("gene"), QStringLiteral("gene_id"), QStringLiteral("transcript"), QStringLiteral("canonical"),
                                 QStringLiteral("mane_select"), QStringLiteral("lof.obs"), QStringLiteral("lof.exp"), QStringLiteral("lof.possible"),
                                 QStringLiteral("lof.oe"), QStringLiteral("lof.mu"), QStringLiteral("lof.pLI"), QStringLiteral("lof.pNull"), QStringLiteral("lof.pRec"),
                                 QStringLiteral("lof.oe_ci.lower"), QStringLiteral("lof.oe_ci.upper"), QStringLiteral("lof.z_score"), QStringLiteral("mis.obs"),
                                 QStringLiteral("mis.exp"), QStringLiteral("mis.oe"), QStringLiteral("mis.oe_ci.lower"), QStringLiteral("mis.oe_ci.upper"),
                                 QStringLiteral("mis.z_score"), QStringLiteral("syn.obs"), QStringLiteral("syn.exp"), QStringLiteral("syn.oe"),
                                 QStringLiteral("syn.oe_ci.lower"), QStringLiteral("syn.oe_ci.upper"), QStringLiteral("syn.z_score"),
                                 QStringLiteral("constraint_flags"), QStringLiteral("chromosome")};

QByteArray gnomadRow(const QString& g, const QString& id, const QString& tx, bool canonical, bool mane, double loeuf, const QString& flags = QStringLiteral("[]"))
{
    QStringList f;
    for (const QString& c : kGnomadColumns) {
        if (c == QLatin1String("gene")) f << g;
        else if (c == QLatin1String("gene_id")) f << id;
        else if (c == QLatin1String("transcript")) f << tx;
        else if (c == QLatin1String("canonical")) f << (canonical ? QStringLiteral("true") : QStringLiteral("false"));
        else if (c == QLatin1String("mane_select")) f << (mane ? QStringLiteral("true") : QStringLiteral("false"));
        else if (c == QLatin1String("lof.oe_ci.upper")) f << QString::number(loeuf);
        else if (c == QLatin1String("lof.pLI")) f << QStringLiteral("0.99");
        else if (c == QLatin1String("constraint_flags")) f << flags;
        else if (c == QLatin1String("chromosome")) f << QStringLiteral("chr16");
        else if (c == QLatin1String("syn.z_score")) f << QStringLiteral("NA");
        else f << QStringLiteral("1.5");
    }
    return f.join(QLatin1Char('\t')).toUtf8() + '\n';
}

} // namespace

class TstAnnotationSources : public QObject {
    Q_OBJECT
private slots:
    void gnomadChoosesOneCanonicalRowExplicitly()
    {
        for (bool maneFirst : {true, false}) {
            TestLibrary lib;
            QByteArray tsv = kGnomadColumns.join(QLatin1Char('\t')).toUtf8() + '\n';
            // PKD1: an Ensembl and a RefSeq canonical row (gene_id ENSG vs NCBI id); NPHS1: two canonical
            // Ensembl rows, the MANE one preferred whatever the order; a non-canonical row ignored.
            const QByteArray mane = gnomadRow(QStringLiteral("NPHS1"), QStringLiteral("ENSG00000161270"), QStringLiteral("ENST00000378910"), true, true, 0.41);
            const QByteArray other = gnomadRow(QStringLiteral("NPHS1"), QStringLiteral("ENSG00000161270"), QStringLiteral("ENST00000353632"), true, false, 0.77);
            tsv += maneFirst ? mane + other : other + mane;
            tsv += gnomadRow(QStringLiteral("NPHS1"), QStringLiteral("ENSG00000161270"), QStringLiteral("ENST00000999999"), false, false, 1.9);
            tsv += gnomadRow(QStringLiteral("PKD1"), QStringLiteral("ENSG00000008710"), QStringLiteral("ENST00000262304"), true, true, 0.11, QStringLiteral("[no_exp_lof]"));
            tsv += gnomadRow(QStringLiteral("PKD1"), QStringLiteral("5310"), QStringLiteral("NM_001009944.3"), true, true, 0.15);
            auto r = lib.importText(QStringLiteral("gnomad"), QStringLiteral("gnomad.v4.1.constraint_metrics.tsv"), tsv);
            QVERIFY2(r, errorText(r).constData());
            QVERIFY2(r->release.startsWith(QStringLiteral("gnomAD v4.1")), qPrintable(r->release));
            const SourceValue nphs1 = annotate(*lib.library, QStringLiteral("gnomad"), gene(QStringLiteral("NPHS1"), QStringLiteral("HGNC:7908"), QStringLiteral("4868"), QStringLiteral("ENSG00000161270")));
            QCOMPARE(nphs1.status, SourceValue::Status::Found);
            QCOMPARE(nphs1.value.value(QStringLiteral("loeuf")).toDouble(), 0.41);
            QCOMPARE(nphs1.value.value(QStringLiteral("canonical_rows")).toInt(), 2);
            QVERIFY(!nphs1.value.contains(QStringLiteral("syn_z"))); // NA is no value
            const SourceValue pkd1 = annotate(*lib.library, QStringLiteral("gnomad"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QStringLiteral("ENSG00000008710")));
            QCOMPARE(pkd1.value.value(QStringLiteral("transcript")).toString(), QStringLiteral("ENST00000262304"));
            QVERIFY(pkd1.joinedOn.startsWith(QStringLiteral("Ensembl gene")));
            QCOMPARE(pkd1.value.value(QStringLiteral("flags")).toArray(), QJsonArray{QStringLiteral("no_exp_lof")});
            // The RefSeq row answers by NCBI gene id when there is no Ensembl id; a gene in no row is absent, not failed.
            const SourceValue byNcbi = annotate(*lib.library, QStringLiteral("gnomad"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()));
            QCOMPARE(byNcbi.value.value(QStringLiteral("transcript")).toString(), QStringLiteral("NM_001009944.3"));
            const SourceValue missing = annotate(*lib.library, QStringLiteral("gnomad"), gene(QStringLiteral("COL4A5"), QStringLiteral("HGNC:2207"), QStringLiteral("1287"), QStringLiteral("ENSG00000188153")));
            QCOMPARE(missing.status, SourceValue::Status::Absent);
        }
    }

    void gtexTissueIdsAndTheDeclaredGeneCount()
    {
        QCOMPARE(gtexTissueId(QStringLiteral("Kidney - Cortex")), QStringLiteral("Kidney_Cortex"));
        QCOMPARE(gtexTissueId(QStringLiteral("Adipose - Visceral (Omentum)")), QStringLiteral("Adipose_Visceral_Omentum"));
        QCOMPARE(gtexTissueId(QStringLiteral("Brain - Spinal cord (cervical c-1)")), QStringLiteral("Brain_Spinal_cord_cervical_c-1"));
        QCOMPARE(gtexTissueId(QStringLiteral("Cells - EBV-transformed lymphocytes")), QStringLiteral("Cells_EBV-transformed_lymphocytes"));
        const QByteArray body = "Name\tDescription\tKidney - Cortex\tKidney - Medulla\tBrain - Spinal cord (cervical c-1)\n"
                                "ENSG00000008710.19\tPKD1\t80.1\t61.5\t12\n"
                                "ENSG00000002586.19\tCD99\t300\t280\t150\n"
                                "ENSG00000002586.19_PAR_Y\tCD99\t0\t0\t0\n";
        TestLibrary lib;
        auto r = lib.importText(QStringLiteral("gtex"), QStringLiteral("GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz"),
                                gzip("#1.2\n3\t3\n" + body));
        QVERIFY2(r, errorText(r).constData());
        QCOMPARE(r->release, QStringLiteral("GTEx v8 (2017-06-05)"));
        const SourceValue v = annotate(*lib.library, QStringLiteral("gtex"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QStringLiteral("ENSG00000008710")));
        QCOMPARE(v.value.value(QStringLiteral("kidney_cortex")).toDouble(), 80.1);
        QCOMPARE(v.value.value(QStringLiteral("median_tpm")).toObject().value(QStringLiteral("Brain_Spinal_cord_cervical_c-1")).toDouble(), 12.0);
        // The X copy of a PAR gene by its Ensembl id, not the _PAR_Y row that shares its symbol.
        const SourceValue cd99 = annotate(*lib.library, QStringLiteral("gtex"), gene(QStringLiteral("CD99"), QStringLiteral("HGNC:7082"), QStringLiteral("4267"), QStringLiteral("ENSG00000002586")));
        QCOMPARE(cd99.value.value(QStringLiteral("kidney_cortex")).toDouble(), 300.0);
        QVERIFY(!cd99.symbolFallback);
        // Declared 4 genes, 3 present: a truncated file, refused; the good release stays.
        auto cut = lib.importText(QStringLiteral("gtex"), QStringLiteral("GTEx_Analysis_v10_gene_median_tpm.gct"), "#1.2\n4\t3\n" + body);
        QVERIFY(!cut);
        QVERIFY2(cut.error().message().contains(QStringLiteral("truncated")), qPrintable(cut.error().message()));
        auto active = lib.library->activeRelease(QStringLiteral("gtex"), QStringLiteral("median_tpm"));
        QVERIFY(active && *active && (*active)->release == QStringLiteral("GTEx v8 (2017-06-05)"));
    }

    void clinvarTermsMappedExplicitly()
    {
        const std::pair<const char*, ClinvarClass> terms[] = {
            {"Pathogenic", ClinvarClass::Pathogenic},
            {"Pathogenic; risk factor", ClinvarClass::Pathogenic},
            {"Pathogenic/Likely pathogenic", ClinvarClass::PathogenicLikelyPathogenic},
            {"Likely pathogenic", ClinvarClass::LikelyPathogenic},
            {"Likely pathogenic, low penetrance", ClinvarClass::LikelyPathogenic},
            {"Conflicting classifications of pathogenicity", ClinvarClass::Conflicting},
            {"Conflicting interpretations of pathogenicity; other", ClinvarClass::Conflicting},
            {"Uncertain significance", ClinvarClass::UncertainSignificance},
            {"Benign/Likely benign", ClinvarClass::BenignLikelyBenign},
            {"Likely benign", ClinvarClass::LikelyBenign},
            {"Benign", ClinvarClass::Benign},
            {"not provided", ClinvarClass::NotProvided},
            {"no classifications from unflagged records", ClinvarClass::NotProvided},
            {"drug response", ClinvarClass::Other},
            {"risk factor", ClinvarClass::Other},
        };
        for (const auto& [text, cls] : terms)
            QVERIFY2(classifyClinicalSignificance(QByteArrayView(text)) == cls, text);
        QVERIFY(!isPathogenicOrLikely(ClinvarClass::Conflicting));
        QVERIFY(isPathogenicOrLikely(ClinvarClass::PathogenicLikelyPathogenic));
        QCOMPARE(clinvarReviewStars("practice guideline"), 4);
        QCOMPARE(clinvarReviewStars("reviewed by expert panel"), 3);
        QCOMPARE(clinvarReviewStars("criteria provided, multiple submitters, no conflicts"), 2);
        QCOMPARE(clinvarReviewStars("criteria provided, conflicting classifications"), 1);
        QCOMPARE(clinvarReviewStars("criteria provided, single submitter"), 1);
        QCOMPARE(clinvarReviewStars("no assertion criteria provided"), 0);
        QCOMPARE(clinvarReviewStars("something new"), -1);
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.12616C>T (p.Arg4206Trp)"), QStringLiteral("missense"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.5014_5015del (p.Arg1672fs)"), QStringLiteral("truncating"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.7288C>T (p.Arg2430Ter)"), QStringLiteral("truncating"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.3297G>A (p.Thr1099=)"), QStringLiteral("synonymous"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.2098-2A>G"), QStringLiteral("truncating"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.2098-5C>T"), QStringLiteral("splice_region"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.2098-50C>T"), QStringLiteral("intronic"));
        QCOMPARE(consequenceFromHgvs("NM_001009944.3(PKD1):c.100+99999999999G>A"), QStringLiteral("intronic")); // past int: not the splice site
    }

    void clinvarCountsEachVariationOnceAndEveryGeneOfAMultiGeneRow()
    {
        const QByteArray header = "#AlleleID\tType\tName\tGeneID\tGeneSymbol\tHGNC_ID\tClinicalSignificance\tClinSigSimple\tLastEvaluated\tRS# (dbSNP)\t"
                                  "nsv/esv (dbVar)\tRCVaccession\tPhenotypeIDS\tPhenotypeList\tOrigin\tOriginSimple\tAssembly\tChromosomeAccession\tChromosome\t"
                                  "Start\tStop\tReferenceAllele\tAlternateAllele\tCytogenetic\tReviewStatus\tNumberSubmitters\tGuidelines\tTestedInGTR\tOtherIDs\t"
                                  "SubmitterCategories\tVariationID\tPositionVCF\tReferenceAlleleVCF\tAlternateAlleleVCF\n";
        auto row = [](const char* allele, const char* type, const char* name, const char* geneId, const char* symbol, const char* hgnc, const char* sig,
                      const char* phenotypes, const char* assembly, const char* review, const char* variation) {
            return QByteArray(allele) + '\t' + type + '\t' + name + '\t' + geneId + '\t' + symbol + '\t' + hgnc + '\t' + sig + "\t1\t-\t-1\t-\tRCV1\t-\t"
                   + phenotypes + "\tgermline\tgermline\t" + assembly + "\tNC_000016.10\t16\t1\t2\tna\tna\t16p13.3\t" + review + "\t1\t-\tN\t-\t1\t" + variation
                   + "\t1\tC\tT\n";
        };
        QByteArray file = header;
        // One variation on both assemblies: counted once.
        file += row("1", "single nucleotide variant", "NM_001009944.3(PKD1):c.12616C>T (p.Arg4206Trp)", "5310", "PKD1", "HGNC:9008", "Pathogenic",
                    "Polycystic kidney disease, adult type", "GRCh37", "criteria provided, multiple submitters, no conflicts", "100");
        file += row("1", "single nucleotide variant", "NM_001009944.3(PKD1):c.12616C>T (p.Arg4206Trp)", "5310", "PKD1", "HGNC:9008", "Pathogenic",
                    "Polycystic kidney disease, adult type", "GRCh38", "criteria provided, multiple submitters, no conflicts", "100");
        // Conflicting is not pathogenic; P/LP counts with P and LP.
        file += row("2", "single nucleotide variant", "NM_001009944.3(PKD1):c.100A>G (p.Lys34Glu)", "5310", "PKD1", "HGNC:9008",
                    "Conflicting classifications of pathogenicity", "not provided", "GRCh38", "criteria provided, conflicting classifications", "101");
        file += row("3", "Deletion", "NM_001009944.3(PKD1):c.5014_5015del (p.Arg1672fs)", "5310", "PKD1", "HGNC:9008", "Pathogenic/Likely pathogenic",
                    "Polycystic kidney disease, adult type|not specified", "GRCh38", "reviewed by expert panel", "102");
        // A GRCh37-only variation is counted (it has no GRCh38 row).
        file += row("4", "single nucleotide variant", "NM_001009944.3(PKD1):c.3297G>A (p.Thr1099=)", "5310", "PKD1", "HGNC:9008", "Benign",
                    "not provided", "GRCh37", "criteria provided, single submitter", "103");
        // A multi-gene deletion: to PKD1 and to TSC2.
        file += row("5", "copy number loss", "GRCh38/hg38 16p13.3(chr16:2000000-2200000)x1", "-1", "PKD1;TSC2", "-", "Pathogenic",
                    "Tuberous sclerosis 2", "GRCh38", "no assertion criteria provided", "104");
        TestLibrary lib;
        auto r = lib.importText(QStringLiteral("clinvar"), QStringLiteral("variant_summary.txt.gz"), gzip(file));
        QVERIFY2(r, errorText(r).constData());
        const SourceValue pkd1 = annotate(*lib.library, QStringLiteral("clinvar"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()));
        QCOMPARE(pkd1.status, SourceValue::Status::Found);
        const QJsonObject counts = pkd1.value.value(QStringLiteral("counts")).toObject();
        QCOMPARE(pkd1.value.value(QStringLiteral("total_variants")).toInt(), 5);
        QCOMPARE(counts.value(QStringLiteral("pathogenic")).toInt(), 2); // variation 100 once, plus the multi-gene deletion
        QCOMPARE(counts.value(QStringLiteral("pathogenic_likely_pathogenic")).toInt(), 1);
        QCOMPARE(counts.value(QStringLiteral("conflicting")).toInt(), 1);
        QCOMPARE(counts.value(QStringLiteral("benign")).toInt(), 1);
        QCOMPARE(pkd1.value.value(QStringLiteral("pathogenic_or_likely")).toInt(), 3);
        QCOMPARE(pkd1.value.value(QStringLiteral("via_multi_gene_rows")).toInt(), 1);
        QCOMPARE(pkd1.value.value(QStringLiteral("review_stars")).toArray(), (QJsonArray{1, 2, 1, 1, 0}));
        QCOMPARE(pkd1.value.value(QStringLiteral("consequences")).toObject().value(QStringLiteral("truncating")).toInt(), 1);
        const QJsonArray traits = pkd1.value.value(QStringLiteral("top_traits")).toArray();
        QCOMPARE(traits.first().toObject().value(QStringLiteral("trait")).toString(), QStringLiteral("Polycystic kidney disease, adult type"));
        QCOMPARE(traits.first().toObject().value(QStringLiteral("count")).toInt(), 2);
        // TSC2 appears only in the multi-gene row: found by symbol, marked as such.
        const SourceValue tsc2 = annotate(*lib.library, QStringLiteral("clinvar"), gene(QStringLiteral("TSC2"), QStringLiteral("HGNC:12363"), QStringLiteral("7249"), QString()));
        QCOMPARE(tsc2.value.value(QStringLiteral("total_variants")).toInt(), 1);
        QVERIFY(tsc2.symbolFallback);
        // A gene an extract of ClinVar does not name is absent, not a zero: it is not known (an online run
        // asks the API); the import says it is an extract (trial 23 T23-16).
        const GeneRecord umod = gene(QStringLiteral("UMOD"), QStringLiteral("HGNC:12559"), QStringLiteral("7369"), QString());
        const SourceValue unknown = annotate(*lib.library, QStringLiteral("clinvar"), umod);
        QCOMPARE(unknown.status, SourceValue::Status::Absent);
        QVERIFY2(unknown.error.contains(QStringLiteral("no variant names UMOD in variant_summary.txt.gz, an extract of ClinVar")), qPrintable(unknown.error));
        QVERIFY2(extractWarning(*r).contains(QStringLiteral("an extract (a whole release has over 10000)")), qPrintable(extractWarning(*r)));
        // In a whole release (thousands of genes), a gene ClinVar does not name has zero variants, not a gap.
        const qint64 whole = sourceById(QStringLiteral("clinvar"))->wholeReleaseRows(QStringLiteral("variant_summary"));
        for (qint64 i = 0; i < whole; ++i) {
            const QByteArray id = QByteArray::number(900000 + i), symbol = "FILLER" + QByteArray::number(i);
            file += row("9", "single nucleotide variant", "NC_000001.11:g.1A>G", id.constData(), symbol.constData(), "-", "Benign", "not provided", "GRCh38",
                        "criteria provided, single submitter", QByteArray::number(200000 + i).constData());
        }
        auto wholeRelease = lib.importText(QStringLiteral("clinvar"), QStringLiteral("variant_summary.txt.gz"), gzip(file));
        QVERIFY2(wholeRelease, errorText(wholeRelease).constData());
        QCOMPARE(extractWarning(*wholeRelease), QString());
        const SourceValue none = annotate(*lib.library, QStringLiteral("clinvar"), umod);
        QCOMPARE(none.status, SourceValue::Status::Found);
        QCOMPARE(none.value.value(QStringLiteral("total_variants")).toInt(), 0);
        QVERIFY(sourceById(QStringLiteral("clinvar"))->listsNothing(none.value)); // counted apart in the summary
        QVERIFY(!sourceById(QStringLiteral("clinvar"))->listsNothing(pkd1.value));
    }

    void ensemblNumbersExonsInTranscriptOrder()
    {
        const QByteArray gtf =
            "#!genome-build GRCh38.p14\n#!genome-version GRCh38\n"
            // UMOD, minus strand: exon 1 has the highest coordinates; two transcripts, the MANE one chosen.
            "16\tensembl_havana\tgene\t20333000\t20356000\t.\t-\t.\tgene_id \"ENSG00000169344\"; gene_version \"16\"; gene_name \"UMOD\"; gene_source \"ensembl_havana\"; gene_biotype \"protein_coding\";\n"
            "16\tensembl_havana\ttranscript\t20333000\t20356000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000396138\"; transcript_version \"9\"; gene_name \"UMOD\"; transcript_name \"UMOD-201\"; transcript_biotype \"protein_coding\"; tag \"basic\"; tag \"Ensembl_canonical\"; tag \"MANE_Select\"; transcript_support_level \"1 (assigned to previous version 8)\";\n"
            "16\tensembl_havana\texon\t20355000\t20356000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000396138\"; exon_number \"1\"; exon_id \"ENSE1\";\n"
            "16\tensembl_havana\texon\t20340000\t20341000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000396138\"; exon_number \"2\"; exon_id \"ENSE2\";\n"
            "16\tensembl_havana\texon\t20333000\t20334000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000396138\"; exon_number \"3\"; exon_id \"ENSE3\";\n"
            "16\thavana\ttranscript\t20333500\t20357000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000570689\"; gene_name \"UMOD\"; transcript_name \"UMOD-202\"; transcript_biotype \"protein_coding\";\n"
            "16\thavana\texon\t20333500\t20357000\t.\t-\t.\tgene_id \"ENSG00000169344\"; transcript_id \"ENST00000570689\"; exon_number \"1\"; exon_id \"ENSE9\";\n"
            // A gene with no tag at all: the longest protein-coding transcript.
            "1\thavana\tgene\t1000\t9000\t.\t+\t.\tgene_id \"ENSG00000000001\"; gene_name \"TESTG\"; gene_biotype \"protein_coding\";\n"
            "1\thavana\ttranscript\t1000\t2000\t.\t+\t.\tgene_id \"ENSG00000000001\"; transcript_id \"ENST00000000011\"; transcript_biotype \"protein_coding\";\n"
            "1\thavana\texon\t1000\t2000\t.\t+\t.\tgene_id \"ENSG00000000001\"; transcript_id \"ENST00000000011\"; exon_number \"1\"; exon_id \"ENSEa\";\n"
            "1\thavana\ttranscript\t1000\t9000\t.\t+\t.\tgene_id \"ENSG00000000001\"; transcript_id \"ENST00000000012\"; transcript_biotype \"protein_coding\";\n"
            "1\thavana\texon\t1000\t1500\t.\t+\t.\tgene_id \"ENSG00000000001\"; transcript_id \"ENST00000000012\"; exon_number \"1\"; exon_id \"ENSEb\";\n"
            "1\thavana\texon\t8000\t9000\t.\t+\t.\tgene_id \"ENSG00000000001\"; transcript_id \"ENST00000000012\"; exon_number \"2\"; exon_id \"ENSEc\";\n";
        TestLibrary lib;
        auto r = lib.importText(QStringLiteral("ensembl"), QStringLiteral("Homo_sapiens.GRCh38.115.chr.gtf.gz"), gzip(gtf));
        QVERIFY2(r, errorText(r).constData());
        QCOMPARE(r->release, QStringLiteral("Ensembl 115 (GRCh38.p14)"));
        auto mane = lib.importText(QStringLiteral("ensembl"), QStringLiteral("MANE.GRCh38.v1.5.summary.txt.gz"),
                                   gzip("#NCBI_GeneID\tEnsembl_Gene\tHGNC_ID\tsymbol\tname\tRefSeq_nuc\tRefSeq_prot\tEnsembl_nuc\tEnsembl_prot\tMANE_status\tGRCh38_chr\tchr_start\tchr_end\tchr_strand\n"
                                        "GeneID:7369\tENSG00000169344.16\tHGNC:12559\tUMOD\turomodulin\tNM_003361.4\tNP_003352.2\tENST00000396138.9\tENSP00000379442.4\tMANE Select\tNC_000016.10\t20333000\t20356000\t-\n"));
        QVERIFY2(mane, errorText(mane).constData());
        QCOMPARE(mane->release, QStringLiteral("MANE v1.5"));
        const SourceValue umod = annotate(*lib.library, QStringLiteral("ensembl"), gene(QStringLiteral("UMOD"), QStringLiteral("HGNC:12559"), QStringLiteral("7369"), QStringLiteral("ENSG00000169344")));
        QCOMPARE(umod.status, SourceValue::Status::Found);
        const QJsonObject t = umod.value.value(QStringLiteral("canonical_transcript")).toObject();
        QCOMPARE(t.value(QStringLiteral("transcript_id")).toString(), QStringLiteral("ENST00000396138"));
        QCOMPARE(t.value(QStringLiteral("chosen_by")).toString(), QStringLiteral("MANE_Select tag"));
        QCOMPARE(t.value(QStringLiteral("refseq_transcript_id")).toString(), QStringLiteral("NM_003361.4"));
        const QJsonArray exons = t.value(QStringLiteral("exons")).toArray();
        QCOMPARE(exons.size(), 3);
        QCOMPARE(exons.at(0).toObject().value(QStringLiteral("exon_number")).toInt(), 1);
        QCOMPARE(exons.at(0).toObject().value(QStringLiteral("start")).toInt(), 20355000); // 5' exon of a minus-strand gene: highest coordinates
        QCOMPARE(umod.value.value(QStringLiteral("strand")).toString(), QStringLiteral("-"));
        QCOMPARE(umod.value.value(QStringLiteral("transcript_count")).toInt(), 2);
        const SourceValue testg = annotate(*lib.library, QStringLiteral("ensembl"), gene(QStringLiteral("TESTG"), QString(), QString(), QStringLiteral("ENSG00000000001")));
        QCOMPARE(testg.value.value(QStringLiteral("canonical_transcript")).toObject().value(QStringLiteral("transcript_id")).toString(), QStringLiteral("ENST00000000012"));
        // Rows of one gene after another gene's: refused (the grouping the import relies on).
        auto split = lib.importText(QStringLiteral("ensembl"), QStringLiteral("split.gtf"), gtf + gtf.mid(gtf.indexOf("16\tensembl_havana\texon")));
        QVERIFY(!split);
        QVERIFY2(split.error().message().contains(QStringLiteral("not grouped")), qPrintable(split.error().message()));
    }

    // An identity without an HGNC id (--identity orgdb: NCBI Gene's records) is joined to HGNC's
    // record of the same NCBI Gene id, else Ensembl gene (it was "absent: HGNC's complete set is not
    // imported" while it was: trial 17); a gene HGNC lacks, or a library without HGNC, said so.
    void hgncJoinsAnIdentityWithoutAnHgncIdOnItsIds()
    {
        TestLibrary lib;
        auto imported = lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt")));
        QVERIFY2(imported, errorText(imported).constData());
        const SourceValue byNcbi = annotate(*lib.library, QStringLiteral("hgnc"), gene(QStringLiteral("PKD1"), QString(), QStringLiteral("5310"), QString()));
        QCOMPARE(byNcbi.status, SourceValue::Status::Found);
        QCOMPARE(byNcbi.value.value(QLatin1String("hgnc_id")).toString(), QStringLiteral("HGNC:9008"));
        QCOMPARE(byNcbi.joinedOn, QStringLiteral("NCBI Gene id 5310"));
        const SourceValue byEnsembl = annotate(*lib.library, QStringLiteral("hgnc"), gene(QStringLiteral("PKD1"), QString(), QString(), QStringLiteral("ENSG00000008710")));
        QCOMPARE(byEnsembl.status, SourceValue::Status::Found);
        QCOMPARE(byEnsembl.value.value(QLatin1String("hgnc_id")).toString(), QStringLiteral("HGNC:9008"));
        QCOMPARE(byEnsembl.joinedOn, QStringLiteral("Ensembl gene ENSG00000008710"));
        // An NCBI gene HGNC lacks, whose Ensembl id HGNC gives to another NCBI gene: not that gene's record.
        const SourceValue other = annotate(*lib.library, QStringLiteral("hgnc"), gene(QStringLiteral("LOC2"), QString(), QStringLiteral("999999998"), QStringLiteral("ENSG00000008710")));
        QCOMPARE(other.status, SourceValue::Status::Absent);
        QVERIFY2(other.error.contains(QStringLiteral("is HGNC:9008 (PKD1, NCBI Gene id 5310), another gene")), qPrintable(other.error));
        const SourceValue none = annotate(*lib.library, QStringLiteral("hgnc"), gene(QStringLiteral("LOC1"), QString(), QStringLiteral("999999999"), QString()));
        QCOMPARE(none.status, SourceValue::Status::Absent);
        QVERIFY2(none.error.contains(QStringLiteral("has no gene with NCBI Gene id 999999999")), qPrintable(none.error));
        TestLibrary empty;
        const SourceValue notImported = annotate(*empty.library, QStringLiteral("hgnc"), gene(QStringLiteral("PKD1"), QStringLiteral("HGNC:9008"), QStringLiteral("5310"), QString()));
        QCOMPARE(notImported.status, SourceValue::Status::Absent);
        QVERIFY2(notImported.error.startsWith(QStringLiteral("HGNC's complete set is not imported")), qPrintable(notImported.error));
    }

    // A header that lacks a column says how many columns it has past those it lists, and names one
    // spelt another way wherever it is (the list stopped at the 12th of 34: trial 17).
    void aMissingColumnSpeltOtherwiseIsNamed()
    {
        TestLibrary lib;
        QStringList columns = kGnomadColumns;
        columns.replace(columns.indexOf(QStringLiteral("lof.oe_ci.upper")), QStringLiteral("lof_oe_ci_upper"));
        const QByteArray tsv = columns.join(QLatin1Char('\t')).toUtf8() + '\n';
        auto r = lib.importText(QStringLiteral("gnomad"), QStringLiteral("gnomad.v4.1.constraint_metrics.tsv"), tsv, QStringLiteral("constraint"));
        QVERIFY(!r);
        const QString message = r.error().message();
        QVERIFY2(message.contains(QStringLiteral("the header lacks lof.oe_ci.upper")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral(" and %1 more)").arg(columns.size() - 12)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("it has 'lof_oe_ci_upper' for lof.oe_ci.upper, spelt otherwise")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TstAnnotationSources)
#include "tst_annotation_sources.moc"
