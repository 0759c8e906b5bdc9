// Cohort tables as users give them: a column mapping with units converted to
// the canonical ones; every bad value named by line and column (not a
// number, out of range, impossible age, unknown sex, repeated id) and kept
// out without losing its row; the shipped mapping and schema load; median
// imputation by age-sex stratum.

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

    ColumnMapping mapping(const QByteArray& json)
    {
        auto m = ColumnMapping::fromJson(QJsonDocument::fromJson(json).object(), BiomarkerSchema::builtIn(), QStringLiteral("test mapping"));
        if (!m)
            qFatal("%s", qPrintable(m.error().message()));
        return *m;
    }

    static QByteArray kMapping()
    {
        return R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
                   "sex": {"column": "sex", "male": ["M", "1"], "female": ["F", "2"]},
                   "followup": {"column": "years_followed", "unit": "years"}, "event": {"column": "dead", "yes": ["yes"], "no": ["no"]},
                   "biomarkers": {"albumin": {"column": "alb", "unit": "g/dL"}, "creatinine": {"column": "creat", "unit": "mg/dL"},
                                  "hba1c": {"column": "a1c", "unit": "mmol/mol"}, "ggt": {"column": "ggt_not_in_table", "unit": "U/L"}}})";
    }

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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
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

    // A pregnancy code the mapping does not know is said per line and kept apart from a blank cell:
    // KDM trains on everyone only where no status is recorded at all (a "yes"/"no" column read with
    // 1/0 codes looked empty, and pregnant women were trained on).
    void aPregnancyCodeTheMappingDoesNotKnowIsSaid()
    {
        const QString path = m_dir.filePath(QStringLiteral("pregnancy.csv"));
        writeAll(path, "person,age,sex,preg\np1,31,F,yes\np2,33,F,\np3,35,M,0\np4,37,F,1\n");
        const ColumnMapping m = mapping(R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
                                            "sex": {"column": "sex", "male": ["M"], "female": ["F"]},
                                            "pregnant": {"column": "preg", "yes": ["1"], "no": ["0"]}, "biomarkers": {}})");
        CohortReadReport report;
        auto c = readCohort(path, m, BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->pregnant, (std::vector<int>{-2, -1, 0, 1}));
        QCOMPARE(report.counts.value(QStringLiteral("unknown pregnancy code")), qint64(1));
        bool named = false;
        for (const TableIssue& i : report.issues)
            named = named || (i.line == 2 && i.column == QLatin1String("preg") && i.problem.contains(QStringLiteral("'yes' is neither a pregnant (1) nor a not-pregnant (0) code")));
        QVERIFY(named);
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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
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
        QVERIFY(readCohort(commaSeparated, mapping(kMapping()), BiomarkerSchema::builtIn(), &refused));
        QCOMPARE(refused.counts.value(QStringLiteral("not a number")), qint64(1));
        QVERIFY2(refused.issues.first().problem.contains(QStringLiteral("is not a number (a comma in a number: write a decimal point")),
                 qPrintable(refused.issues.first().problem));
    }

    // What R, pandas and spreadsheets write for an empty cell is missing, not "not a number" (-,
    // n/a, #N/A and NULL were errors: trial 20); sex codes are matched in any case where that is
    // one side only, and an empty sex is said as such.
    void missingValueSpellingsAndSexCodes()
    {
        const QString path = m_dir.filePath(QStringLiteral("spellings.csv"));
        writeAll(path, "person,age,sex,alb\np1,50,m,-\np2,51,f,n/a\np3,52,F,#N/A\np4,53,,NULL\np5,54,M,None\np6,55,M,NA\n");
        CohortReadReport report;
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(report.counts.value(QStringLiteral("not a number")), qint64(0));
        QCOMPARE(report.missingByMarker.value(QStringLiteral("albumin")), qint64(6));
        QCOMPARE(c->sex, (std::vector<Sex>{Sex::Male, Sex::Female, Sex::Female, Sex::Unknown, Sex::Male, Sex::Male}));
        QCOMPARE(report.counts.value(QStringLiteral("unknown sex")), qint64(1));
        QVERIFY2(report.issues.last().problem.contains(QStringLiteral("no sex given")), qPrintable(report.issues.last().problem));
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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
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

    // A mapping gives every marker's unit (a unit left out was read as the canonical one: a column
    // in mg/L read as mg/dL, PhenoAge off by over a year without a word: trial 20); a unit is
    // matched in another case or with the Greek mu where one accepted unit fits; a column whose
    // name gives another unit than the mapping is said.
    void unitsAreGivenAndCheckedAgainstTheColumnsName()
    {
        auto noUnit = ColumnMapping::fromJson(QJsonDocument::fromJson(R"js({"format": "bioforge-age-mapping/1", "age": {"column": "a"},
            "biomarkers": {"crp": {"column": "CRP (mg/L)"}}})js").object(), BiomarkerSchema::builtIn(), QStringLiteral("lab.json"));
        QVERIFY2(!noUnit && noUnit.error().message().contains(QStringLiteral("lab.json: biomarker 'crp' (column 'CRP (mg/L)') gives no \"unit\"")),
                 noUnit ? "accepted" : qPrintable(noUnit.error().message()));
        const ColumnMapping m = mapping(R"js({"format": "bioforge-age-mapping/1", "name": "my lab", "age": {"column": "age"},
            "biomarkers": {"glucose": {"column": "Glucose (mg/dL)", "unit": "mg/dl"}, "creatinine": {"column": "Creat [\u03bcmol/L]", "unit": "\u03bcmol/L"},
                           "crp": {"column": "CRP (mg/L)", "unit": "mg/dL"}}})js");
        const QString path = m_dir.filePath(QStringLiteral("units.csv"));
        writeAll(path, "age,Glucose (mg/dL),Creat [\xce\xbcmol/L],CRP (mg/L)\n50,90,88.4017,5\n");
        CohortReadReport report;
        auto c = readCohort(path, m, BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QVERIFY(std::abs(c->value(QStringLiteral("glucose"), 0) - 90 * 0.0555) < 1e-9);
        QVERIFY(std::abs(c->value(QStringLiteral("creatinine"), 0) - 88.4017) < 1e-9);
        QCOMPARE(report.notes.size(), 1); // glucose and creatinine agree with their names
        QVERIFY2(report.notes.first().contains(QStringLiteral("column 'CRP (mg/L)' says mg/L in its name, but the mapping 'my lab' reads crp in mg/dL")),
                 qPrintable(report.notes.first()));
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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->ids, (QStringList{QStringLiteral("p1"), QStringLiteral("p2")}));
        QCOMPARE(c->lines, (std::vector<qint64>{2, 4}));
        QCOMPARE(report.rows, qint64(2));
        QCOMPARE(report.counts.value(QStringLiteral("empty row")), qint64(3));
        QCOMPARE(report.issues.size(), 1); // named once; no "no id", "no age", "unknown sex ''" besides
        QCOMPARE(report.issues[0].line, qint64(3));
    }

    // A header an export upper-cased (PERSON, AGE, ALB) is read as the mapping's columns; two
    // columns that differ only in case are ambiguous and neither is taken.
    void columnsThatDifferOnlyInCaseAreFound()
    {
        const QString path = m_dir.filePath(QStringLiteral("upper.csv"));
        writeAll(path, "PERSON,AGE,SEX,ALB,CREAT,A1C,YEARS_FOLLOWED,DEAD\np1,50,M,4.3,1.0,48,10,no\n");
        CohortReadReport report;
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->ids, QStringList{QStringLiteral("p1")});
        QVERIFY(!report.absentMarkers.contains(QStringLiteral("albumin")));
        const QString twice = m_dir.filePath(QStringLiteral("twice.csv"));
        writeAll(twice, "person,AGE,Age,sex\np1,50,51,M\n");
        auto ambiguous = readCohort(twice, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(!ambiguous && ambiguous.error().message().contains(QStringLiteral("no column 'age'")));
        // ... and the reason is said: two columns that differ from the mapping's only in case.
        QVERIFY2(ambiguous.error().message().contains(QStringLiteral("the header has 'AGE' (column 2), 'Age' (column 3), which 'age' names alike")),
                 qPrintable(ambiguous.error().message()));
        // A name written twice is as ambiguous (the first was taken silently: trial 20); a no-break
        // space, a zero-width character or a doubled space in a name is no other name.
        const QString duplicate = m_dir.filePath(QStringLiteral("duplicate.csv"));
        writeAll(duplicate, "person,age,sex,age\np1,50,M,60\n");
        auto both = readCohort(duplicate, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY2(!both && both.error().message().contains(QStringLiteral("the header has it 2 times: 'age' (column 2), 'age' (column 4); neither is taken: rename one of them")),
                 both ? "read" : qPrintable(both.error().message()));
        const QString spaced = m_dir.filePath(QStringLiteral("spaced.csv"));
        writeAll(spaced, "person,\xc2\xa0" "age\xe2\x80\x8b,sex,ALB  \nq1,50,M,4.3\n");
        auto seen = readCohort(spaced, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY2(seen, seen ? "" : qPrintable(seen.error().message()));
        QCOMPARE(seen->age, std::vector<double>{50.0});
        QVERIFY(seen->has(QStringLiteral("albumin")));
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
        const ColumnMapping m = mapping(kMapping());
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
        auto c = readCohort(noAge, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(!c && c.error().message().contains(noAge) && c.error().message().contains(QStringLiteral("'age'")));
        const QString headerOnly = m_dir.filePath(QStringLiteral("header-only.csv"));
        writeAll(headerOnly, "person,age,sex\n");
        QVERIFY(!readCohort(headerOnly, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr));
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
        auto c = readCohort(path, mapping(kMapping()), BiomarkerSchema::builtIn(), nullptr);
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
