// Cohort tables as users give them: a column mapping with units converted to
// the canonical ones; every bad value named by line and column (not a
// number, out of range, impossible age, unknown sex, repeated id) and kept
// out without losing its row; the shipped mapping and schema load; median
// imputation by age-sex stratum.

#include "age_mapping_support.h"
#include "pipeline/clock_run.h"
#include "table/cohort_reader.h"
#include "table/imputation.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;

class TstAgeTable : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void shippedSchemaAndMappingLoad()
    {
        const BiomarkerSchema& s = BiomarkerSchema::builtIn();
        QVERIFY(s.find(QStringLiteral("albumin")));
        QCOMPARE(s.requirement(QStringLiteral("phenoage")).required.size(), 9);
        QVERIFY(ColumnMapping::builtInNames().contains(QStringLiteral("nhanes-bioage")));
        auto m = ColumnMapping::load(QStringLiteral("nhanes-bioage"));
        QVERIFY2(m, m ? "" : qPrintable(m.error().message()));
        QCOMPARE(m->biomarkers.value(QStringLiteral("albumin")).column, QStringLiteral("albumin_g_per_L"));
        // A mapping written and read again is the same mapping.
        auto again = ColumnMapping::fromJson(m->toJson(), s, QStringLiteral("again"));
        QVERIFY(again);
        QCOMPARE(again->toJson(), m->toJson());
    }

    void unitsAreConvertedAndBadValuesNamed()
    {
        const QString path = m_dir.filePath(QStringLiteral("cohort.csv"));
        writeAll(path, "person,age,sex,alb,creat,a1c,years_followed,dead\n"
                       "p1,50,M,4.3,1.0,48,10,no\n"        // line 2: all good
                       "p2,abc,F,4.1,0.8,36,5,yes\n"       // line 3: age not a number
                       "p3,61,X,4.0,0.9,40,2,no\n"         // line 4: unknown sex
                       "p1,45,F,NA,12345,,7,no\n"          // line 5: repeated id, albumin missing, creatinine out of range
                       "p5,140,M,4.5,one,42,1,yes\n");     // line 6: impossible age, creatinine not a number
        CohortReadReport report;
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->rows(), 5); // no row lost
        QCOMPARE(c->ids, (QStringList{QStringLiteral("p1"), QStringLiteral("p2"), QStringLiteral("p3"), QStringLiteral("p1"), QStringLiteral("p5")}));
        QCOMPARE(c->value(QStringLiteral("albumin"), 0), 43.0);                       // g/dL -> g/L
        QVERIFY(std::abs(c->value(QStringLiteral("creatinine"), 0) - 88.4017) < 1e-12); // mg/dL -> umol/L
        QVERIFY(std::abs(c->value(QStringLiteral("hba1c"), 0) - (0.09148 * 48 + 2.152)) < 1e-12); // mmol/mol -> %
        QCOMPARE(c->followupMonths[0], 120.0);
        QCOMPARE(c->event[1], 1);
        QVERIFY(std::isnan(c->age[1]) && std::isnan(c->age[4]));
        QCOMPARE(c->sex[2], Sex::Unknown);
        QVERIFY(std::isnan(c->value(QStringLiteral("creatinine"), 3)) && std::isnan(c->value(QStringLiteral("creatinine"), 4)));
        QCOMPARE(report.counts.value(QStringLiteral("impossible age")), qint64(1)); // 140; "abc" counts as not a number
        QCOMPARE(report.counts.value(QStringLiteral("unknown sex")), qint64(1));
        QCOMPARE(report.counts.value(QStringLiteral("duplicate id")), qint64(1));
        QCOMPARE(report.counts.value(QStringLiteral("out of range")), qint64(1));
        QCOMPARE(report.counts.value(QStringLiteral("not a number")), qint64(2));
        QCOMPARE(report.missingByMarker.value(QStringLiteral("albumin")), qint64(1));
        // Empty cells are values, not rows: "N rows; M missing" was read as M rows.
        QVERIFY2(report.summary().contains(QStringLiteral("%1 missing values").arg(report.counts.value(QStringLiteral("missing")))), qPrintable(report.summary()));
        QCOMPARE(report.absentMarkers, QStringList{QStringLiteral("ggt")});
        auto issue = [&](qint64 line, const QString& column) {
            for (const TableIssue& i : report.issues)
                if (i.line == line && i.column == column)
                    return true;
            return false;
        };
        QVERIFY(issue(3, QStringLiteral("age")) && issue(4, QStringLiteral("sex")) && issue(5, QStringLiteral("person")) && issue(5, QStringLiteral("creat"))
                && issue(6, QStringLiteral("age")) && issue(6, QStringLiteral("creat")));
    }

    // A semicolon-separated table with decimal commas (a European spreadsheet's CSV) is read as R's
    // read.csv2 reads it, said once (every number was refused: trial 20); in a comma-separated
    // table a comma in a number stays an error naming it.
    void decimalCommasOfASemicolonTableAreRead()
    {
        const QString path = m_dir.filePath(QStringLiteral("comma.csv"));
        writeAll(path, "person;age;sex;alb;creat;a1c;years_followed;dead\r\n"
                       "p1;50,5;M;4,3;1,0;48;10;no\r\n"
                       "p2;61;F;3,9;0,85;1,5e1;2;no\r\n");
        CohortReadReport report;
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(report.counts.value(QStringLiteral("not a number")), qint64(0));
        QCOMPARE(c->age, (std::vector<double>{50.5, 61.0}));
        QCOMPARE(c->value(QStringLiteral("albumin"), 1), 39.0);
        QVERIFY(std::abs(c->value(QStringLiteral("creatinine"), 1) - 0.85 * 88.4017) < 1e-9);
        QVERIFY(std::abs(c->value(QStringLiteral("hba1c"), 1) - (0.09148 * 15 + 2.152)) < 1e-12);
        QCOMPARE(report.notes.size(), 1);
        QVERIFY2(report.notes.first().contains(QStringLiteral("decimal comma (line 2, column age: '50,5')")), qPrintable(report.notes.first()));
        const QString commaSeparated = m_dir.filePath(QStringLiteral("comma-separated.csv"));
        writeAll(commaSeparated, "person,age,sex,alb\np1,50,M,\"4,3\"\n");
        CohortReadReport refused;
        QVERIFY(readCohort(commaSeparated, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &refused));
        QCOMPARE(refused.counts.value(QStringLiteral("not a number")), qint64(1));
        QVERIFY2(refused.issues.first().problem.contains(QStringLiteral("is not a number (a comma in a number: write a decimal point")),
                 qPrintable(refused.issues.first().problem));
    }

    // What a lab export writes in a number column is said as such: a value beyond a limit of
    // detection ("<0.2"), a unit in the cell ("5.1 mmol/L"); a table without its header line says
    // so, not "no column 'age' … the header has: 61, 43, …" (trial 24 T24-8).
    void labTextAndAMissingHeaderAreSaidAsSuch()
    {
        const QString path = m_dir.filePath(QStringLiteral("lab-text.csv"));
        writeAll(path, "person,age,sex,alb,creat\np1,50,M,<0.2,1.0\np2,61,F,4.1 g/dL,0.9\n");
        CohortReadReport report;
        QVERIFY(readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report));
        QCOMPARE(report.counts.value(QStringLiteral("not a number")), qint64(2));
        QVERIFY2(report.issues.at(0).problem.contains(QStringLiteral("'<0.2' is not a number (a value beyond a limit of detection")),
                 qPrintable(report.issues.at(0).problem));
        QVERIFY2(report.issues.at(1).problem.contains(QStringLiteral("'4.1 g/dL' is not a number (a unit in the cell")), qPrintable(report.issues.at(1).problem));
        const QString headless = m_dir.filePath(QStringLiteral("headless.csv"));
        writeAll(headless, "p1,50,1,4.3,1.0\np2,61,2,3.9,0.9\n");
        auto refused = readCohort(headless, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("its first line holds numbers (4 of its 5 fields"))
                     && refused.error().message().contains(QStringLiteral("seems to have no header line")),
                 qPrintable(refused.error().message()));
    }

    // A byte that is not UTF-8 (a table saved as Windows-1252) costs the value it falls in, named by
    // line and column, and nothing in a column the mapping does not read, said once (the whole table
    // failed: trial 20).
    void bytesThatAreNotUtf8CostTheirValueOnly()
    {
        const QString path = m_dir.filePath(QStringLiteral("cp1252.csv"));
        writeAll(path, "person,age,sex,alb,note\n"
                       "p1,50,M,4.3,jamais fum\xe9\n"
                       "M\xfcller,51,F,4\xb7" "5,caf\xe9\n"
                       "p3,52,M,4.1,ok\n");
        CohortReadReport report;
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->rows(), 3);
        QCOMPARE(c->value(QStringLiteral("albumin"), 0), 43.0);
        QVERIFY(std::isnan(c->value(QStringLiteral("albumin"), 1)));
        QCOMPARE(c->value(QStringLiteral("albumin"), 2), 41.0);
        QCOMPARE(report.counts.value(QStringLiteral("not UTF-8")), qint64(2)); // the id and the albumin of line 3
        bool named = false;
        for (const TableIssue& i : report.issues)
            named = named || (i.line == 3 && i.column == QLatin1String("alb") && i.problem.contains(QStringLiteral("the line's first: byte 2 (0xfc) of line 3")));
        QVERIFY(named);
        QCOMPARE(report.notes.size(), 1);
        QVERIFY2(report.notes.first().contains(QStringLiteral("line 2, column note: a byte that is not valid UTF-8 (the line's first: byte 23 (0xe9) of line 2)")),
                 qPrintable(report.notes.first()));
        QCOMPARE(report.unreadNotUtf8, qint64(2));
        QVERIFY2(report.summary().contains(QStringLiteral("2 not UTF-8 in columns not read")), qPrintable(report.summary()));
    }

    // A row with a field lost or added keeps its place and id, none of its values used, and is
    // named in the issues; the rows after it are read (one bad row failed the whole table).
    void raggedRowsAreReportedAndTheRestRead()
    {
        const QString path = m_dir.filePath(QStringLiteral("ragged.csv"));
        writeAll(path, "person,age,sex,alb,creat,a1c,years_followed,dead\n"
                       "p1,50,M,4.3,1.0,48,10,no\n"
                       "p2,51,F,4.1,0.8,36,5\n"           // line 3: one field short
                       "p3,52,M,4.0,0.9,40,2,no,extra\n"  // line 4: one field too many
                       "p4,53,F,4.2,0.9,41,3,no\n"
                       ",60\n"                             // line 6: ragged, no id
                       ",61\n");                           // line 7: ragged, no id again
        CohortReadReport report;
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->ids, (QStringList{QStringLiteral("p1"), QStringLiteral("p2"), QStringLiteral("p3"), QStringLiteral("p4"), QString(), QString()}));
        QCOMPARE(c->lines, (std::vector<qint64>{2, 3, 4, 5, 6, 7}));
        QCOMPARE(report.counts.value(QStringLiteral("wrong number of fields")), qint64(4));
        QVERIFY(std::isnan(c->age[1]) && std::isnan(c->age[2]) && std::isnan(c->value(QStringLiteral("albumin"), 1)));
        QCOMPARE(c->age[3], 53.0);
        QCOMPARE(c->value(QStringLiteral("albumin"), 3), 42.0);
        bool named = false;
        for (const TableIssue& i : report.issues)
            named = named || (i.line == 3 && i.problem.contains(QStringLiteral("expected 8 fields as in the header, found 7")));
        QVERIFY(named);
        // Said once: not again as "no age" or an unknown sex code '' (the file holds a sex there).
        for (const TableIssue& i : report.issues)
            QVERIFY2(i.line == 2 || i.line == 5 || i.problem.contains(QStringLiteral("fields as in the header")), qPrintable(i.problem));
        QCOMPARE(report.counts.value(QStringLiteral("impossible age")), qint64(0));
        QCOMPARE(report.counts.value(QStringLiteral("unknown sex")), qint64(0));
        QCOMPARE(report.counts.value(QStringLiteral("duplicate id")), qint64(0)); // two rows without their id are not one id twice
        QCOMPARE(report.counts.value(QStringLiteral("missing id")), qint64(0));
        // A clock says such a row could not be read, not that its age is unusable (trial 24 T24-8);
        // a row that was read keeps its own reason.
        QCOMPARE(std::vector<char>(c->unread), (std::vector<char>{0, 1, 1, 0, 1, 1}));
        const QList<ClockValues> clocks = computeClocks(*c, ClockSettings{}, ClockReferences{});
        const ClockValues& phenoAge = clocks.first();
        for (size_t r : {1, 2, 4, 5})
            QVERIFY2(phenoAge.why[r].startsWith(QStringLiteral("the row could not be read")), qPrintable(phenoAge.why[r]));
        QVERIFY(!phenoAge.why[0].isEmpty() && !phenoAge.why[0].startsWith(QStringLiteral("the row could not be read")));
        QCOMPARE(phenoAge.reasons.value(phenoAge.why[1]), qint64(4));
        QVERIFY(!phenoAge.reasons.contains(QStringLiteral("no usable age")));
    }

    // A spreadsheet's blank rows (",,,,,,,", also in the middle, also with spaces) are not people.
    void blankRowsOfASpreadsheetAreSkippedOnce()
    {
        const QString path = m_dir.filePath(QStringLiteral("excel.csv"));
        writeAll(path, "person,age,sex,alb,creat,a1c,years_followed,dead\r\n"
                       "p1,50,M,4.3,1.0,48,10,no\r\n"
                       ",,,,,,,\r\n"
                       "p2,51,F,4.1,0.8,36,5,no\r\n"
                       ",,, ,,,,\r\n"
                       ",,,,,,,\r\n");
        CohortReadReport report;
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->ids, (QStringList{QStringLiteral("p1"), QStringLiteral("p2")}));
        QCOMPARE(c->lines, (std::vector<qint64>{2, 4}));
        QCOMPARE(report.rows, qint64(2));
        QCOMPARE(report.counts.value(QStringLiteral("empty row")), qint64(3));
        QCOMPARE(report.issues.size(), 1); // named once; no "no id", "no age", "unknown sex ''" besides
        QCOMPARE(report.issues[0].line, qint64(3));
    }

    // A column that fails the same way in most rows (a sex coded in words, a decimal comma, another
    // unit) is one finding with the values it holds and the fix; a few bad rows stay row problems.
    void aProblemThatFillsAColumnIsOneFinding()
    {
        const QString path = m_dir.filePath(QStringLiteral("words.csv"));
        QByteArray text = "person,age,sex,alb,creat,a1c,years_followed,dead\n";
        const int rows = 60;
        for (int i = 0; i < rows; ++i)
            text += QStringLiteral("p%1,%2,%3,%4,1.0,48,10,no\n")
                        .arg(i)
                        .arg(40 + i % 30)
                        .arg(i % 2 ? QStringLiteral("male") : QStringLiteral("female"))
                        .arg(i < 3 ? QStringLiteral("\"4,3\"") : QStringLiteral("4.3"))
                        .toUtf8();
        writeAll(path, text);
        CohortReadReport report;
        const ColumnMapping m = ageMapping(kTestMapping());
        auto c = readCohort(path, m, BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(report.counts.value(QStringLiteral("unknown sex")), qint64(rows));
        const auto wide = report.columnWide();
        QCOMPARE(wide.size(), 1); // the three decimal commas are rows' problems, not the column's
        QCOMPARE(wide.first(), (std::pair{QStringLiteral("unknown sex"), QStringLiteral("sex")}));
        const QString said = describeColumnWide(report, wide.first(), m);
        for (const QString& part : {QStringLiteral("column 'sex': 60 of 60 rows"), QStringLiteral("'female' (30), 'male' (30)"),
                                    QStringLiteral("reads M/1 as male and F/2 as female"), QStringLiteral("\"male\": [\"male\"], \"female\": [\"female\"]")})
            QVERIFY2(said.contains(part), qPrintable(said));
        QCOMPARE(columnWideProblems(report, m), QStringList{said});
        // A decimal comma throughout: said as such, once.
        const QString commas = m_dir.filePath(QStringLiteral("commas.csv"));
        text = "person,age,sex,alb,creat,a1c,years_followed,dead\n";
        for (int i = 0; i < rows; ++i)
            text += QStringLiteral("p%1,50,M,\"4,%2\",1.0,48,10,no\n").arg(i).arg(i % 9).toUtf8();
        writeAll(commas, text);
        CohortReadReport commaReport;
        QVERIFY(readCohort(commas, m, BiomarkerSchema::builtIn(), &commaReport));
        const QStringList problems = columnWideProblems(commaReport, m);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().contains(QStringLiteral("column 'alb': 60 of 60 rows are not numbers: '4,0' (")) &&
                     problems.first().contains(QStringLiteral("decimal comma")),
                 qPrintable(problems.first()));
        // A column failing in more rows than are kept does not crowd out the others' problems.
        const QString many = m_dir.filePath(QStringLiteral("many.csv"));
        text = "person,age,sex,alb,creat,a1c,years_followed,dead\n";
        const int manyRows = CohortReadReport::kMaxIssues + 100;
        for (int i = 0; i < manyRows; ++i)
            text += QStringLiteral("p%1,50,%2,%3,1.0,48,10,no\n").arg(i).arg(i % 2 ? QStringLiteral("male") : QStringLiteral("female"))
                        .arg(i == manyRows - 1 ? QStringLiteral("lots") : QStringLiteral("4.3")).toUtf8();
        writeAll(many, text);
        CohortReadReport manyReport;
        QVERIFY(readCohort(many, m, BiomarkerSchema::builtIn(), &manyReport));
        const ColumnTally sexTally = manyReport.byColumn.value({QStringLiteral("unknown sex"), QStringLiteral("sex")});
        QCOMPARE(sexTally.count, qint64(manyRows));
        QCOMPARE(sexTally.kept, qint64(CohortReadReport::kMaxIssues));
        QVERIFY(std::any_of(manyReport.issues.begin(), manyReport.issues.end(),
                            [&](const TableIssue& i) { return i.column == QLatin1String("alb") && i.line == manyRows + 1; }));
        // Fewer than kColumnWideMinimum rows: each row is named, no column finding.
        const QString few = m_dir.filePath(QStringLiteral("few.csv"));
        writeAll(few, "person,age,sex\np1,50,male\np2,51,female\n");
        CohortReadReport fewReport;
        QVERIFY(readCohort(few, m, BiomarkerSchema::builtIn(), &fewReport));
        QVERIFY(fewReport.columnWide().isEmpty());
        QCOMPARE(fewReport.issues.size(), 2);
    }

    void unusableTablesAndMappingsAreRefusedWithTheirName()
    {
        const QString noAge = m_dir.filePath(QStringLiteral("no-age.csv"));
        writeAll(noAge, "person,sex\np1,M\n");
        auto c = readCohort(noAge, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(!c && c.error().message().contains(noAge) && c.error().message().contains(QStringLiteral("'age'")));
        const QString headerOnly = m_dir.filePath(QStringLiteral("header-only.csv"));
        writeAll(headerOnly, "person,age,sex\n");
        QVERIFY(!readCohort(headerOnly, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), nullptr));
        for (const QByteArray& bad : {QByteArray(R"({"format": "bioforge-age-mapping/1", "age": {"column": "a"}, "biomarkers": {"albumen": {"column": "x"}}})"),
                                      QByteArray(R"({"format": "bioforge-age-mapping/1", "age": {"column": "a"}, "biomarkers": {"albumin": {"column": "x", "unit": "mg/L"}}})"),
                                      QByteArray(R"({"format": "bioforge-age-mapping/1", "biomarkers": {}})"),
                                      QByteArray(R"({"age": {"column": "a"}})"),
                                      QByteArray(R"({"format": "bioforge-age-mapping/1", "age": {"column": "a"}, "sex": {"column": "s", "male": ["1", "M"], "female": ["2", "M"]}, "biomarkers": {}})"),
                                      QByteArray(R"({"format": "bioforge-age-mapping/1", "age": {"column": "a"}, "event": {"column": "d", "yes": ["1"], "no": ["0", "1"]}, "biomarkers": {}})")}) {
            auto m = ColumnMapping::fromJson(QJsonDocument::fromJson(bad).object(), BiomarkerSchema::builtIn(), QStringLiteral("bad.json"));
            QVERIFY2(!m && m.error().message().startsWith(QStringLiteral("bad.json")), bad.constData());
        }
        auto twoSided = ColumnMapping::fromJson(QJsonDocument::fromJson(R"({"format": "bioforge-age-mapping/1", "age": {"column": "a"},
            "sex": {"column": "s", "male": ["1", "M"], "female": ["2", "M"]}, "biomarkers": {}})").object(), BiomarkerSchema::builtIn(), QStringLiteral("two.json"));
        QVERIFY2(!twoSided && twoSided.error().message().contains(QStringLiteral("the code 'M' is listed for both \"male\" and \"female\"")),
                 twoSided ? "accepted" : qPrintable(twoSided.error().message()));
        QVERIFY(!ColumnMapping::load(m_dir.filePath(QStringLiteral("absent.json"))));
    }

    // A group's median stands in for a missing value where the group has kMinimumDonors people or
    // more with it (one woman's glucose was another's: trial 20); else the sex's, else everyone's;
    // each row says what was filled and from whom.
    void missingValuesAreImputedByAgeSexStratum()
    {
        const QString path = m_dir.filePath(QStringLiteral("impute.csv"));
        writeAll(path, "person,age,sex,alb,creat\n"
                       "m1,40,M,4.0,1\nm2,41,M,4.1,1\nm3,42,M,4.2,1\nm4,43,M,4.3,1\nm5,44,M,4.4,1\nm6,44,M,4.5,1\n"
                       "c,43,M,,1\n"                                                      // row 6: men 40-44 (6 people)
                       "w1,71,F,3.0,1\nw2,20,F,3.5,1\nw3,21,F,3.6,1\nw4,22,F,3.7,1\nw5,23,F,3.8,1\n"
                       "e,72,F,,1\n"                                                      // row 12: 1 woman of 70-74: the women's
                       "u,50,,,1\n"                                                       // row 13: no sex: everyone's
                       "g,44,M,,\n");                                                     // row 14: nothing measured
        auto c = readCohort(path, ageMapping(kTestMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(c);
        qint64 sparse = -1;
        const QMap<QString, qint64> filled = imputeByAgeSexMedian(*c, {QStringLiteral("albumin"), QStringLiteral("creatinine")}, &sparse);
        QCOMPARE(filled.value(QStringLiteral("albumin")), qint64(3));
        QCOMPARE(c->value(QStringLiteral("albumin"), 6), 42.5);
        QCOMPARE(c->imputed[6], QStringLiteral("albumin: the median of 6 men aged 40-44"));
        QCOMPARE(c->value(QStringLiteral("albumin"), 12), 36.0);
        QCOMPARE(c->imputed[12], QStringLiteral("albumin: the median of 5 women (1 in the age band)"));
        QCOMPARE(c->value(QStringLiteral("albumin"), 13), 40.0); // 30, 35..38, 40..45: the median of 11
        QCOMPARE(c->imputed[13], QStringLiteral("albumin: the median of everyone, 11 people"));
        QVERIFY(c->imputed[0].isEmpty());
        // A person with no marker measured is not given medians for all of them.
        QCOMPARE(sparse, qint64(1));
        QVERIFY(std::isnan(c->value(QStringLiteral("albumin"), 14)) && std::isnan(c->value(QStringLiteral("creatinine"), 14)));
        QVERIFY(c->imputed[14].isEmpty());
        QCOMPARE(filled.value(QStringLiteral("creatinine")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TstAgeTable)
#include "tst_age_table.moc"
