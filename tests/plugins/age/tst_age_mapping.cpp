// How a mapping meets a table: its columns found by name (another case, no-break spaces, a name
// written twice), its units given and checked against a column's name, its codes for sex,
// pregnancy and death matched as written or in another case, its missing-value spellings.

#include "age_mapping_support.h"
#include "support/test_support.h"
#include "table/cohort_reader.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;

class TstAgeMapping : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    /// \p contents written as \p name in the test's folder and read with \p mapping.
    core::Expected<Cohort> read(const QString& name, const QByteArray& contents, const ColumnMapping& mapping, CohortReadReport* report)
    {
        const QString path = m_dir.filePath(name);
        writeAll(path, contents);
        return readCohort(path, mapping, BiomarkerSchema::builtIn(), report);
    }

private slots:
    // A pregnancy code the mapping does not know is said per line and kept apart from a blank cell:
    // KDM trains on everyone only where no status is recorded at all (a "yes"/"no" column read with
    // 1/0 codes looked empty, and pregnant women were trained on).
    void aPregnancyCodeTheMappingDoesNotKnowIsSaid()
    {
        const ColumnMapping m = ageMapping(R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
                                            "sex": {"column": "sex", "male": ["M"], "female": ["F"]},
                                            "pregnant": {"column": "preg", "yes": ["1"], "no": ["0"]}, "biomarkers": {}})");
        CohortReadReport report;
        auto c = read(QStringLiteral("pregnancy.csv"), "person,age,sex,preg\np1,31,F,yes\np2,33,F,\np3,35,M,0\np4,37,F,1\n", m, &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->pregnant, (std::vector<int>{-2, -1, 0, 1}));
        QCOMPARE(report.counts.value(QStringLiteral("unknown pregnancy code")), qint64(1));
        bool named = false;
        for (const TableIssue& i : report.issues)
            named = named || (i.line == 2 && i.column == QLatin1String("preg") && i.problem.contains(QStringLiteral("'yes' is neither a pregnant (1) nor a not-pregnant (0) code")));
        QVERIFY(named);
    }

    // What R, pandas and spreadsheets write for an empty cell is missing, not "not a number" (-,
    // n/a, #N/A and NULL were errors: trial 20); sex codes are matched in any case where that is
    // one side only, and an empty sex is said as such.
    void missingValueSpellingsAndSexCodes()
    {
        CohortReadReport report;
        auto c = read(QStringLiteral("spellings.csv"), "person,age,sex,alb\np1,50,m,-\np2,51,f,n/a\np3,52,F,#N/A\np4,53,,NULL\np5,54,M,None\np6,55,M,NA\n", ageMapping(kTestMapping()), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(report.counts.value(QStringLiteral("not a number")), qint64(0));
        QCOMPARE(report.missingByMarker.value(QStringLiteral("albumin")), qint64(6));
        QCOMPARE(c->sex, (std::vector<Sex>{Sex::Male, Sex::Female, Sex::Female, Sex::Unknown, Sex::Male, Sex::Male}));
        QCOMPARE(report.counts.value(QStringLiteral("unknown sex")), qint64(1));
        QVERIFY2(report.issues.last().problem.contains(QStringLiteral("no sex given")), qPrintable(report.issues.last().problem));
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
        const ColumnMapping m = ageMapping(R"js({"format": "bioforge-age-mapping/1", "name": "my lab", "age": {"column": "age"},
            "biomarkers": {"glucose": {"column": "Glucose (mg/dL)", "unit": "mg/dl"}, "creatinine": {"column": "Creat [\u03bcmol/L]", "unit": "\u03bcmol/L"},
                           "crp": {"column": "CRP (mg/L)", "unit": "mg/dL"}}})js");
        CohortReadReport report;
        auto c = read(QStringLiteral("units.csv"), "age,Glucose (mg/dL),Creat [\xce\xbcmol/L],CRP (mg/L)\n50,90,88.4017,5\n", m, &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QVERIFY(std::abs(c->value(QStringLiteral("glucose"), 0) - 90 * 0.0555) < 1e-9);
        QVERIFY(std::abs(c->value(QStringLiteral("creatinine"), 0) - 88.4017) < 1e-9);
        QCOMPARE(report.notes.size(), 1); // glucose and creatinine agree with their names
        QVERIFY2(report.notes.first().contains(QStringLiteral("column 'CRP (mg/L)' says mg/L in its name, but the mapping 'my lab' reads crp in mg/dL")),
                 qPrintable(report.notes.first()));
    }

    // u, the micro sign µ and the Greek mu μ are one letter, and case does not matter, for every
    // marker's every accepted unit (10^3/µL was refused for WBC while µmol/L was taken for
    // creatinine: trial 23 T23-1); the spellings labs print for WBC are taken; an unknown unit is
    // refused as written.
    void unitSpellingsAreReadAlikeForEveryMarker()
    {
        for (const BiomarkerSpec& b : BiomarkerSchema::builtIn().biomarkers())
            for (const QString& accepted : b.acceptedUnits()) {
                const auto expected = b.conversionFrom(accepted);
                QVERIFY2(expected, qPrintable(b.name + QLatin1Char(' ') + accepted));
                QString micro = accepted, greek = accepted, plain = accepted;
                micro.replace(QLatin1Char('u'), QChar(0x00B5));
                greek.replace(QLatin1Char('u'), QChar(0x03BC)).replace(QChar(0x00B5), QChar(0x03BC));
                plain.replace(QChar(0x00B5), QLatin1Char('u'));
                for (const QString& spelling : {accepted.toUpper(), accepted.toLower(), micro, greek, plain}) {
                    const auto read = b.conversionFrom(spelling);
                    QVERIFY2(read && read->factor == expected->factor && read->offset == expected->offset,
                             qPrintable(QStringLiteral("%1: '%2' for '%3': %4").arg(b.name, spelling, accepted, read ? QStringLiteral("another conversion") : read.error().message())));
                }
            }
        const BiomarkerSpec* wbc = BiomarkerSchema::builtIn().find(QStringLiteral("wbc"));
        QVERIFY(wbc);
        for (const char* spelling : {"10^3/\u00b5L", "10^3/\u03bcL", "x10^9/L", "10*3/uL", "K/uL", "k/\u00b5l", "10^9/l"})
            QVERIFY2(wbc->conversionFrom(QString::fromUtf8(spelling)), spelling);
        const auto unknown = wbc->conversionFrom(QStringLiteral("cells/\u03bcL"));
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message().startsWith(QStringLiteral("wbc: unit 'cells/\u03bcL' is not known; accepted: 10^3/uL, ")), qPrintable(unknown.error().message()));
    }

    // A header an export upper-cased (PERSON, AGE, ALB) is read as the mapping's columns; two
    // columns that differ only in case are ambiguous and neither is taken.
    void columnsThatDifferOnlyInCaseAreFound()
    {
        CohortReadReport report;
        auto c = read(QStringLiteral("upper.csv"), "PERSON,AGE,SEX,ALB,CREAT,A1C,YEARS_FOLLOWED,DEAD\np1,50,M,4.3,1.0,48,10,no\n", ageMapping(kTestMapping()), &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->ids, QStringList{QStringLiteral("p1")});
        QVERIFY(!report.absentMarkers.contains(QStringLiteral("albumin")));
        auto ambiguous = read(QStringLiteral("twice.csv"), "person,AGE,Age,sex\np1,50,51,M\n", ageMapping(kTestMapping()), nullptr);
        QVERIFY(!ambiguous && ambiguous.error().message().contains(QStringLiteral("no column 'age'")));
        // ... and the reason is said: two columns that differ from the mapping's only in case.
        QVERIFY2(ambiguous.error().message().contains(QStringLiteral("the header has 'AGE' (column 2), 'Age' (column 3), which 'age' names alike")),
                 qPrintable(ambiguous.error().message()));
        // A name written twice is as ambiguous (the first was taken silently: trial 20); a no-break
        // space, a zero-width character or a doubled space in a name is no other name.
        auto both = read(QStringLiteral("duplicate.csv"), "person,age,sex,age\np1,50,M,60\n", ageMapping(kTestMapping()), nullptr);
        QVERIFY2(!both && both.error().message().contains(QStringLiteral("the header has it 2 times: 'age' (column 2), 'age' (column 4); neither is taken: rename one of them")),
                 both ? "read" : qPrintable(both.error().message()));
        auto seen = read(QStringLiteral("spaced.csv"), "person,\xc2\xa0" "age\xe2\x80\x8b,sex,ALB  \nq1,50,M,4.3\n", ageMapping(kTestMapping()), nullptr);
        QVERIFY2(seen, seen ? "" : qPrintable(seen.error().message()));
        QCOMPARE(seen->age, std::vector<double>{50.0});
        QVERIFY(seen->has(QStringLiteral("albumin")));
    }

    // Event and pregnancy codes are matched as sex codes are: as written, else in any case where
    // only one side fits ("Yes" for "yes"; they were case-sensitive: review 63 A4); a code of both
    // sides in another case is neither, and said.
    void eventAndPregnancyCodesInAnotherCase()
    {
        const ColumnMapping m = ageMapping(R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
                                            "sex": {"column": "sex", "male": ["M"], "female": ["F"]},
                                            "pregnant": {"column": "preg", "yes": ["yes", "Y"], "no": ["no", "y"]},
                                            "event": {"column": "dead", "yes": ["yes"], "no": ["no"]}, "biomarkers": {}})");
        QCOMPARE(m.event.side(QStringLiteral("YES")), 1);
        QCOMPARE(m.event.side(QStringLiteral("nO")), 0);
        QCOMPARE(m.event.side(QStringLiteral("maybe")), -1);
        CohortReadReport report;
        auto c = read(QStringLiteral("cases.csv"), "person,age,sex,preg,dead\np1,31,F,Yes,YES\np2,33,F,NO,No\np3,35,f,y,no\np4,37,F,no,dead\n", m, &report);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message()));
        QCOMPARE(c->pregnant, (std::vector<int>{1, 0, 0, 0}));
        QCOMPARE(c->event, (std::vector<int>{1, 0, 0, -1}));
        QCOMPARE(c->sex[2], Sex::Female);
        // The event code matching neither side is said, as a sex or pregnancy code is (trial 23 T23-12).
        QCOMPARE(report.counts.value(QStringLiteral("unknown event code")), qint64(1));
        QVERIFY(std::any_of(report.issues.begin(), report.issues.end(), [](const TableIssue& i) {
            return i.line == 5 && i.problem == QLatin1String("'dead' is neither a death (yes) nor an alive (no) code");
        }));
        // A number written otherwise is the code of its value ("1.0", "2.00" as pandas writes codes;
        // trial 23 T23-19); a number of both sides, or of none, is neither.
        const ColumnMapping numeric = ageMapping(R"({"format": "bioforge-age-mapping/1", "age": {"column": "age"},
                                                  "sex": {"column": "sex", "male": ["1"], "female": ["2"]}, "event": {"column": "dead", "yes": [1], "no": [0]},
                                                  "biomarkers": {}})");
        QCOMPARE(numeric.sex.side(QStringLiteral("1.0")), 1);
        QCOMPARE(numeric.sex.side(QStringLiteral("2.00")), 0);
        QCOMPARE(numeric.sex.side(QStringLiteral("3.0")), -1);
        QCOMPARE(numeric.sex.side(QStringLiteral("1.5")), -1);
        QCOMPARE(numeric.event.side(QStringLiteral("0.0")), 0);
        QCOMPARE(numeric.event.side(QStringLiteral("1e0")), 1);
        // A cell that fits both sides only in another case ("yY" for "YY" and "yy") is neither.
        const ColumnMapping both = ageMapping(R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
                                               "sex": {"column": "sex", "male": ["M"], "female": ["F"]},
                                               "pregnant": {"column": "preg", "yes": ["YY"], "no": ["yy"]}, "biomarkers": {}})");
        CohortReadReport said;
        auto ambiguous = read(QStringLiteral("both-sides.csv"), "person,age,sex,preg\np1,31,F,yY\n", both, &said);
        QVERIFY(ambiguous);
        QCOMPARE(ambiguous->pregnant, std::vector<int>{-2});
        QCOMPARE(said.counts.value(QStringLiteral("unknown pregnancy code")), qint64(1));
    }
};

QTEST_MAIN(TstAgeMapping)
#include "tst_age_mapping.moc"
