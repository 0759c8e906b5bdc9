// The identity layer: HGNC's complete set (TSV and JSON, real rows of a
// 2025 export for a kidney panel), withdrawn symbols, the resolver's order
// and its refusal to guess, and org.Hs.eg.db as real data (Debian's
// r-bioc-org.hs.eg.db): every alias it gives to several genes is refused.
// Reading the gene lists resolved here: tst_annotation_gene_list.cpp.

#include "annotation_test_support.h"
#include "identity/gene_resolver.h"
#include "identity/hgnc_reader.h"
#include "identity/orgdb.h"

#include <QSqlQuery>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QFile>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

namespace {

QHash<QString, GeneRecord> readAllRecords(const QString& path)
{
    QHash<QString, GeneRecord> out;
    auto st = readHgncCompleteSet(path, [&](const GeneRecord& g) {
        out.insert(g.symbol, g);
        return core::okStatus();
    });
    return st ? out : QHash<QString, GeneRecord>();
}

Resolution resolved(const GeneResolver& r, const QString& input)
{
    auto x = r.resolve(input);
    return x ? *x : Resolution{};
}

} // namespace

class TstAnnotationIdentity : public QObject {
    Q_OBJECT
private slots:
    void hgncTsvAndJsonGiveTheSameRecords()
    {
        const auto tsv = readAllRecords(annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt")));
        const auto json = readAllRecords(annotationDataPath(QStringLiteral("hgnc_complete_set.json")));
        QVERIFY(!tsv.isEmpty());
        QVERIFY(!json.isEmpty());
        for (auto it = json.begin(); it != json.end(); ++it) {
            QVERIFY2(tsv.contains(it.key()), qPrintable(it.key()));
            QCOMPARE(it->toJson(), tsv.value(it.key()).toJson());
        }
        const GeneRecord pkd1 = tsv.value(QStringLiteral("PKD1"));
        QCOMPARE(pkd1.hgncId, QStringLiteral("HGNC:9008"));
        QCOMPARE(pkd1.ncbiGeneId, QStringLiteral("5310"));
        QCOMPARE(pkd1.ensemblGeneId, QStringLiteral("ENSG00000008710"));
        QCOMPARE(pkd1.maneSelectEnsembl, QStringLiteral("ENST00000262304.9"));
        QCOMPARE(pkd1.maneSelectRefseq, QStringLiteral("NM_001009944.3"));
        QCOMPARE(pkd1.aliasSymbols, (QStringList{QStringLiteral("PBP"), QStringLiteral("Pc-1"), QStringLiteral("TRPP1")}));
        // UTF-8 in a list field survives (HNF1B's alias HNF1β).
        QVERIFY(tsv.value(QStringLiteral("HNF1B")).aliasSymbols.contains(QStringLiteral("HNF1\u03B2")));
    }

    void hgncRefusesWhatIsNotItsFile()
    {
        TestLibrary lib;
        auto html = lib.importText(QStringLiteral("hgnc"), QStringLiteral("page.json"), "<!DOCTYPE html><html><body>captcha</body></html>\n");
        QVERIFY(!html);
        // Not recognised: what its first line is and what was looked for; genenames.org's custom
        // download (columns chosen by hand) said to be one, and what to download instead.
        auto custom = lib.importText(QStringLiteral("hgnc"), QStringLiteral("custom.txt"), "HGNC ID\tApproved symbol\tApproved name\nHGNC:9008\tPKD1\tpolycystin 1\n");
        QVERIFY(!custom);
        for (const char* said : {"custom.txt: not a file HGNC imports; it takes: genes — ", "Its first line starts 'HGNC ID\\tApproved symbol",
                                 "a header starting 'hgnc_id'", "genenames.org custom download", "hgnc_complete_set.txt"})
            QVERIFY2(custom.error().message().contains(QString::fromUtf8(said)), qPrintable(custom.error().message()));
        auto wrongJson = lib.importText(QStringLiteral("hgnc"), QStringLiteral("other.json"), "{\"response\": {\"docs\": [{\"name\": \"x\"}]}}\n", QStringLiteral("genes"));
        QVERIFY(!wrongJson);
        QVERIFY2(wrongJson.error().message().contains(QStringLiteral("hgnc_id")), qPrintable(wrongJson.error().message()));
        auto truncated = lib.importText(QStringLiteral("hgnc"), QStringLiteral("cut.json"), "{\"response\": {\"docs\": [{\"hgnc_id\": \"HGNC:1\", \"symbol\": \"A\"}, {\"hgnc_", QStringLiteral("genes"));
        QVERIFY(!truncated);
        QVERIFY2(truncated.error().message().contains(QStringLiteral("not valid JSON")), qPrintable(truncated.error().message()));
        // A number beyond a double: the parser's out_of_range, not its parse_error (found by fuzz_annotation_import).
        auto overflow = lib.importText(QStringLiteral("hgnc"), QStringLiteral("big.json"), "{\"response\": {\"docs\": [{\"hgnc_id\": \"HGNC:1\", \"symbol\": \"A\", \"x\": 37e777}]}}\n", QStringLiteral("genes"));
        QVERIFY(!overflow);
        QVERIFY2(overflow.error().message().contains(QStringLiteral("big.json: not valid JSON")) && overflow.error().message().contains(QStringLiteral("37e777")),
                 qPrintable(overflow.error().message()));
        // Nothing half-imported became the active release.
        auto active = lib.library->activeRelease(QStringLiteral("hgnc"), QStringLiteral("genes"));
        QVERIFY(active && !*active);
    }

    void resolverFollowsHgncPrecedenceAndNeverGuesses()
    {
        TestLibrary lib;
        QVERIFY(lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt"))));
        QVERIFY(lib.import(QStringLiteral("hgnc"), annotationDemoPath(QStringLiteral("withdrawn.panel.txt"))));
        // A file that states no release is named by its modification date, said as such (no nested parentheses).
        auto withdrawn = lib.library->activeRelease(QStringLiteral("hgnc"), QStringLiteral("withdrawn"));
        QVERIFY(withdrawn && *withdrawn);
        QVERIFY2(QRegularExpression(QStringLiteral("^HGNC withdrawn symbols \\(withdrawn\\.panel\\.txt, modified \\d{4}-\\d{2}-\\d{2}\\)$"))
                     .match((*withdrawn)->release).hasMatch(),
                 qPrintable((*withdrawn)->release));
        auto resolver = GeneResolver::open(*lib.library);
        QVERIFY2(resolver, errorText(resolver).constData());
        struct Case {
            const char* input;
            ResolutionStatus status;
            const char* symbol;
            const char* via;
        };
        const Case cases[] = {
            {"PKD1", ResolutionStatus::Resolved, "PKD1", "approved symbol"},
            {"pkd1", ResolutionStatus::Resolved, "PKD1", "approved symbol"},
            {"FSGS1", ResolutionStatus::Resolved, "ACTN4", "previous symbol"},
            {"TRPP1", ResolutionStatus::Resolved, "PKD1", "alias"},
            {"HGNC:9009", ResolutionStatus::Resolved, "PKD2", "HGNC id"},
            {"ENSG00000008710.21", ResolutionStatus::Resolved, "PKD1", "Ensembl gene id"},
            {"5310", ResolutionStatus::Resolved, "PKD1", "NCBI gene id"},
            {"HLA-B", ResolutionStatus::Resolved, "HLA-B", "approved symbol"},
            {"A1S9T", ResolutionStatus::Withdrawn, "", ""},
            {"A12M1", ResolutionStatus::Withdrawn, "", ""},
            {"NOTAGENE1", ResolutionStatus::Unknown, "", ""},
            {"HGNC:999999", ResolutionStatus::Unknown, "", "HGNC id"},
        };
        for (const Case& c : cases) {
            const Resolution r = resolved(*resolver, QLatin1String(c.input));
            QVERIFY2(r.status == c.status, c.input);
            QCOMPARE(r.symbol, QLatin1String(c.symbol));
            if (*c.via)
                QCOMPARE(r.via, QLatin1String(c.via));
            if (r.status != ResolutionStatus::Resolved)
                QVERIFY2(!r.reason.isEmpty(), c.input);
        }
        QVERIFY(resolved(*resolver, QStringLiteral("A1S9T")).reason.contains(QStringLiteral("UBA1")));

        // An alias two genes share is refused, not guessed; an approved symbol wins over another gene's alias.
        TestLibrary small;
        QVERIFY(small.importText(QStringLiteral("hgnc"), QStringLiteral("hgnc_complete_set.txt"),
                                 "hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\n"
                                 "HGNC:12482\tUBE2G1\tubiquitin conjugating enzyme E2 G1\tApproved\t\"UBC7|E217K\"\t\t\t\n"
                                 "HGNC:12483\tUBE2G2\tubiquitin conjugating enzyme E2 G2\tApproved\t\"UBC7\"\t\t\t\n"
                                 "HGNC:333\tAGT\tangiotensinogen\tApproved\t\t\t183\t\n"
                                 "HGNC:341\tAGXT\talanine--glyoxylate aminotransferase\tApproved\t\"AGT|PH1\"\t\t189\t\n"));
        auto smallResolver = GeneResolver::open(*small.library);
        QVERIFY(smallResolver);
        const Resolution ubc7 = resolved(*smallResolver, QStringLiteral("UBC7"));
        QCOMPARE(ubc7.status, ResolutionStatus::Ambiguous);
        QCOMPARE(ubc7.candidates.size(), 2);
        QVERIFY(ubc7.reason.contains(QStringLiteral("UBE2G1")) && ubc7.reason.contains(QStringLiteral("UBE2G2")));
        QCOMPARE(resolved(*smallResolver, QStringLiteral("AGT")).symbol, QStringLiteral("AGT"));
        QCOMPARE(resolved(*smallResolver, QStringLiteral("PH1")).symbol, QStringLiteral("AGXT"));
    }

    // A symbol a spreadsheet turned into a date is not resolved on a guess, but the reason names it.
    void spreadsheetDatesAreNamedNotGuessed()
    {
        QCOMPARE(GeneResolver::spreadsheetDateSymbol(QStringLiteral("1-Mar")), QStringLiteral("MARCH1"));
        QCOMPARE(GeneResolver::spreadsheetDateSymbol(QStringLiteral("Sep-2")), QStringLiteral("SEPT2"));
        QCOMPARE(GeneResolver::spreadsheetDateSymbol(QStringLiteral("02-SEP-2024")), QStringLiteral("SEPT2"));
        QCOMPARE(GeneResolver::spreadsheetDateSymbol(QStringLiteral("1-Dec")), QStringLiteral("DEC1"));
        for (const char* notDate : {"2-Dec", "MARCH1", "1-May", "0-Mar", "12-Mar", "15-Sep", "Mar", "A-Mar", "1-Mar-2024x"})
            QVERIFY2(GeneResolver::spreadsheetDateSymbol(QLatin1String(notDate)).isEmpty(), notDate);
        TestLibrary lib;
        QVERIFY(lib.importText(QStringLiteral("hgnc"), QStringLiteral("hgnc_complete_set.txt"),
                               "hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\n"
                               "HGNC:26077\tMARCHF1\tmembrane associated ring-CH-type finger 1\tApproved\t\t\"MARCH1\"\t55016\t\n"
                               "HGNC:7729\tSEPTIN2\tseptin 2\tApproved\t\t\"SEPT2\"\t4735\t\n"));
        auto resolver = GeneResolver::open(*lib.library);
        QVERIFY(resolver);
        const Resolution march = resolved(*resolver, QStringLiteral("1-Mar"));
        QCOMPARE(march.status, ResolutionStatus::Unknown);
        QVERIFY2(march.reason.endsWith(QStringLiteral("; it looks like the date a spreadsheet made of the symbol MARCH1 (now MARCHF1): "
                                                      "format the column as text, or give the approved symbol")),
                 qPrintable(march.reason));
        QVERIFY2(resolved(*resolver, QStringLiteral("Sep-2")).reason.contains(QStringLiteral("symbol SEPT2 (now SEPTIN2)")),
                 qPrintable(resolved(*resolver, QStringLiteral("Sep-2")).reason));
        // A date whose symbol this release lacks still says what it was.
        QVERIFY(resolved(*resolver, QStringLiteral("1-Dec")).reason.contains(QStringLiteral("symbol DEC1: format")));
        QCOMPARE(resolved(*resolver, QStringLiteral("MARCH1")).symbol, QStringLiteral("MARCHF1"));
    }

    // Identifiers of transcripts, proteins and GENCODE's PAR_Y copies are not genes: the reason says
    // what they look like (and which gene id a PAR_Y one stands for).
    void otherIdentifiersAreNamedInTheReason()
    {
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("ENSG00000116218.13_PAR_Y")).contains(QStringLiteral("pseudoautosomal gene ENSG00000116218: give ENSG00000116218")));
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("ENST00000379180.5")).contains(QStringLiteral("Ensembl transcript id")));
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("ensp00000368479")).contains(QStringLiteral("Ensembl protein id")));
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("NM_000296.4")).contains(QStringLiteral("RefSeq mRNA accession")));
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("XP_011520817.1")).contains(QStringLiteral("RefSeq predicted protein accession")));
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("NR_046018")).contains(QStringLiteral("non-coding RNA")));
        // An NCBI id written as a decimal, a UniProt accession (trial 20).
        QVERIFY(GeneResolver::accessionHint(QStringLiteral("5310.0")).contains(QStringLiteral("NCBI Gene id 5310 written as a decimal")));
        for (const char* accession : {"P98161", "Q9NQA5", "A0A024R161", "P98161-2"})
            QVERIFY2(GeneResolver::accessionHint(QLatin1String(accession)).contains(QStringLiteral("the form of a UniProt accession")), accession);
        for (const char* gene : {"PKD1", "ENSG00000008710", "NM", "NMT1", "NPHS1", "ENSG00000116218_PAR_X", "5310.5", "C1QTNF1", "A2M", "COL4A5", "H2AC6"})
            QVERIFY2(GeneResolver::accessionHint(QLatin1String(gene)).isEmpty(), gene);
        TestLibrary lib;
        QVERIFY(lib.importText(QStringLiteral("hgnc"), QStringLiteral("hgnc_complete_set.txt"),
                               "hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\n"
                               "HGNC:9008\tPKD1\tpolycystin 1\tApproved\t\t\t5310\tENSG00000008710\n"));
        auto resolver = GeneResolver::open(*lib.library);
        QVERIFY(resolver);
        const Resolution transcript = resolved(*resolver, QStringLiteral("NM_000296.4"));
        QCOMPARE(transcript.status, ResolutionStatus::Unknown);
        QVERIFY2(transcript.reason.contains(QStringLiteral("is no symbol")) && transcript.reason.contains(QStringLiteral("; it looks like a RefSeq mRNA accession")),
                 qPrintable(transcript.reason));
        // A one-gene set is an extract: the reason says so (APOL1 "is no symbol … in HGNC complete set" of a 33-gene panel).
        QVERIFY2(transcript.reason.contains(QStringLiteral("(an extract of 1 gene: genes outside it are 'unknown')")), qPrintable(transcript.reason));
    }

    void aFileThatIsNoDatabaseIsSaidSoInSQLitesWords()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("org.Hs.eg.sqlite"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(QByteArray(4096, 'x')) == 4096);
        f.close();
        for (const auto& opened : {OrgDb::open(path).error().message(), SqliteDb::open(path, SqliteDb::Schema{}).error().message()})
            QVERIFY2(opened.contains(QStringLiteral("not an SQLite database (file is not a database)")) && !opened.contains(QStringLiteral("Unable to fetch row")),
                     qPrintable(opened));
    }

    void orgDbAliasesNamingSeveralGenesAreRefused()
    {
        const QString path = OrgDb::findInstalled();
        if (path.isEmpty())
            QSKIP("org.Hs.eg.db is not installed (Debian: r-bioc-org.hs.eg.db; installer/install-deps.sh installs it)");
        TestLibrary lib;
        auto release = lib.import(QStringLiteral("orgdb"), path);
        QVERIFY2(release, errorText(release).constData());
        QVERIFY(release->release.contains(QStringLiteral("NCBI Gene")));
        auto resolver = GeneResolver::open(*lib.library, QStringLiteral("orgdb"));
        QVERIFY(resolver);
        // Straight from the OrgDb: every alias that names several genes, and the approved symbols.
        auto db = OrgDb::open(path);
        QVERIFY(db);
        auto raw = SqliteDb::openReadOnly(path);
        QVERIFY(raw);
        QHash<QString, int> approved; // approved symbol -> genes that carry it (NCBI has a few shared ones)
        QSqlQuery q((*raw)->database());
        QVERIFY(q.exec(QStringLiteral("SELECT upper(symbol) FROM gene_info")));
        while (q.next())
            ++approved[q.value(0).toString()];
        QVERIFY(q.exec(QStringLiteral("SELECT a.alias_symbol, count(DISTINCT a._id) FROM alias a JOIN gene_info i ON i._id = a._id"
                                      " WHERE a.alias_symbol <> i.symbol GROUP BY a.alias_symbol HAVING count(DISTINCT a._id) > 1")));
        int ambiguous = 0, approvedWins = 0;
        while (q.next()) {
            const QString alias = q.value(0).toString();
            const Resolution r = resolved(*resolver, alias);
            if (approved.value(alias.toUpper()) == 1) {
                QVERIFY2(r.status == ResolutionStatus::Resolved && r.via == QLatin1String("approved symbol"), qPrintable(alias));
                ++approvedWins;
            } else if (approved.value(alias.toUpper()) > 1) {
                QVERIFY2(r.status == ResolutionStatus::Ambiguous && r.via == QLatin1String("approved symbol"), qPrintable(alias));
            } else {
                QVERIFY2(r.status == ResolutionStatus::Ambiguous, qPrintable(alias + QStringLiteral(": ") + r.reason));
                QVERIFY2(r.candidates.size() >= 2, qPrintable(alias));
                ++ambiguous;
            }
        }
        QVERIFY(ambiguous > 100);
        qInfo("org.Hs.eg.db: %d shared aliases refused, %d resolved as another gene's approved symbol", ambiguous, approvedWins);
        // PKD4: NCBI lists it for PKD2 and PKHD1.
        const Resolution pkd4 = resolved(*resolver, QStringLiteral("PKD4"));
        QCOMPARE(pkd4.status, ResolutionStatus::Ambiguous);
        QCOMPARE(resolved(*resolver, QStringLiteral("5310")).symbol, QStringLiteral("PKD1"));
        // An HGNC id under org.Hs.eg.db: not "no such gene" (the id is PKD1's) but what the identity lacks.
        const Resolution hgncId = resolved(*resolver, QStringLiteral("HGNC:9008"));
        QCOMPARE(hgncId.status, ResolutionStatus::Unknown);
        QVERIFY2(hgncId.reason.contains(QStringLiteral("carries no HGNC ids")) && hgncId.reason.contains(QStringLiteral("import-bulk hgnc")),
                 qPrintable(hgncId.reason));
    }

    // A summary names an HGNC extract as one (it read "Identities from HGNC complete set, …" of a
    // 33-gene panel); a complete set and org.Hs.eg.db by their release alone.
    void theSummaryNamesAnExtractAsOne()
    {
        ReleaseInfo hgnc;
        hgnc.source = QStringLiteral("hgnc");
        hgnc.release = QStringLiteral("HGNC complete set, records modified up to 2025-07-22");
        hgnc.rows = 33;
        QCOMPARE(GeneResolver::describeIdentity(hgnc.toJson()), hgnc.release + QStringLiteral(" (an extract of 33 genes: genes outside it are 'unknown')"));
        hgnc.rows = 43000;
        QCOMPARE(GeneResolver::describeIdentity(hgnc.toJson()), hgnc.release);
        ReleaseInfo orgdb = hgnc;
        orgdb.source = QStringLiteral("orgdb");
        orgdb.rows = 33;
        QCOMPARE(GeneResolver::describeIdentity(orgdb.toJson()), orgdb.release);
    }
};

QTEST_GUILESS_MAIN(TstAnnotationIdentity)
#include "tst_annotation_identity.moc"
