// How `bioforge run age clocks` and `evaluate` refuse or warn (docs/age.md): a row
// without a value says why; a table that gives no clock value, references that are
// missing, too small or do not fit the mapping, a column coded or measured otherwise
// than the mapping says, and a cohort of one sex or too few people are said, once,
// in the user's terms.
// The clock values themselves (BioAge's columns, chunking, `evaluate`'s
// comparison): tst_age_cli.cpp.

#include "age_cli_test_base.h"
#include "age_fixtures.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include <algorithm>

using namespace bioforge::test;
using namespace bioforge::age::test;

class TstAgeValidationCli : public AgeCliTestBase {
    Q_OBJECT

    // The header and the first `limit` rows of men (sex coded 1) of a fixture table; the header
    // alone when it has no sex column.
    static QByteArray menOf(const QString& table, qsizetype limit = -1)
    {
        const QList<QByteArray> lines = readAll(table).split('\n');
        const QList<QByteArray> header = lines.first().split(',');
        const qsizetype sex = std::max(header.indexOf("sex_1male_2female"), header.indexOf("\"sex_1male_2female\""));
        QByteArray men = lines.first() + '\n';
        for (qsizetype i = 1, taken = 0; sex >= 0 && i < lines.size() && taken != limit; ++i)
            if (lines[i].split(',').value(sex) == "1") {
                men += lines[i] + '\n';
                ++taken;
            }
        return men;
    }

private slots:
    void rowsWithoutAValueSayWhy()
    {
        const QString table = m_dir.filePath(QStringLiteral("small.csv"));
        writeAll(table, "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L,wbc_1000_cells_per_uL\n"
                        "a,50,1,45,80,5,0.1,30,90,13,70,6\n"
                        "b,55,2,,80,5,0.1,30,90,13,70,6\n"
                        "c,old,2,45,80,5,0.1,30,90,13,70,6\n"
                        "d,60,1,45,80,5,0.1,NA,#N/A,13,70,6\n");
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QHash<QString, Row> ours = clocksById(r.runDir, QStringLiteral("sample_id"));
        QCOMPARE(ours.size(), 4);
        QVERIFY(!ours.value(QStringLiteral("a")).value(QStringLiteral("phenoage")).isEmpty());
        QVERIFY(ours.value(QStringLiteral("b")).value(QStringLiteral("phenoage")).isEmpty());
        QVERIFY(ours.value(QStringLiteral("a")).value(QStringLiteral("kdm")).isEmpty()); // no KDM reference given
        const QByteArray notes = readAll(QDir(r.runDir).filePath(QStringLiteral("clock_notes.tsv")));
        QVERIFY2(notes.contains("b\t3\tphenoage\talbumin missing, not a number or out of range for its unit") && notes.contains("c\t4\tphenoage\tno usable age")
                     && notes.contains("d\t5\tphenoage\tlymphocyte_pct, mcv missing, not numbers or out of range for their units") // each one: trial 23 T23-3
                     && notes.contains("no KDM reference"),
                 notes.constData());
        QVERIFY(readAll(QDir(r.runDir).filePath(QStringLiteral("validation.tsv"))).contains("4\tage_years\t'old' is not a number"));
        QVERIFY2(r.err.contains(QStringLiteral("warning")), qPrintable(r.err)); // said on the terminal too
        QVERIFY2(r.err.contains(QStringLiteral("no value for 1 row: ")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("kdm: not computed, its columns are empty")), qPrintable(r.err)); // not only in clock_notes.tsv
        // The mapping the table was read with is among the run's inputs (its columns and units, hashed).
        const QByteArray provenance = readAll(QDir(r.runDir).filePath(QStringLiteral("provenance.json")));
        QVERIFY2(QRegularExpression(QStringLiteral("\"name\": \"column mapping '[^']+'\",\\s*\"path\": \"\",\\s*\"sha256\": \"[0-9a-f]{64}\""))
                     .match(QString::fromUtf8(provenance)).hasMatch(),
                 provenance.constData());
        // Its report: KDM's settings only where a KDM was computed; the run's title names its table, once.
        const QString html = m_dir.filePath(QStringLiteral("small.html"));
        const Result report = run({QStringLiteral("report"), QDir(r.runDir).dirName(), QStringLiteral("--html"), html});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        const QByteArray page = readAll(html);
        QVERIFY2(page.contains("KDM: not computed") && !page.contains("s2 over"), page.constData());
        const QByteArray body = page.mid(page.indexOf("<body"));
        QCOMPARE(body.count("Biological age: clocks \xe2\x80\x94 small.csv"), qsizetype(1));
        // A mapped column the table lacks is named only when a clock of the run reads it: this run
        // computes PhenoAge alone, so KDM's fev1 and sbp are no loss.
        QVERIFY2(!r.err.contains(QStringLiteral("fev1")) && !r.err.contains(QStringLiteral("'crp_mg_per_dL' (crp)")), qPrintable(r.err));
        const QString noWbc = m_dir.filePath(QStringLiteral("no-wbc.csv"));
        writeAll(noWbc, "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L\n"
                        "a,50,1,45,80,5,0.1,30,90,13,70\n");
        const Result lacking = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), noWbc});
        // (Its one row has no clock value — PhenoAge needs wbc, KDM a reference — so the run fails.)
        QVERIFY2(lacking.code == 1 && lacking.err.count(QStringLiteral("no column 'wbc_1000_cells_per_uL' (wbc)")) == 1 && !lacking.err.contains(QStringLiteral("fev1")),
                 qPrintable(lacking.err));
        // No clock has a value for anyone (albumin missing in every row): the run fails, it "finished" with every cell empty.
        const QString noAlbumin = m_dir.filePath(QStringLiteral("no-albumin.csv"));
        writeAll(noAlbumin, "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L,wbc_1000_cells_per_uL\n"
                            "a,50,1,,80,5,0.1,30,90,13,70,6\nb,55,2,,80,5,0.1,30,90,13,70,6\n");
        const Result empty = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), noAlbumin});
        QVERIFY2(empty.code == 1 && (empty.out + empty.err).contains(QStringLiteral("no clock has a value for any of the 2 rows")), qPrintable(empty.out + empty.err));
        // ... and says why in its own words (the window shows this message alone: trial 20).
        QVERIFY2((empty.out + empty.err).contains(QRegularExpression(QStringLiteral("any of the 2 rows \\(phenoage: [^;)]*albumin[^;)]* \\(2 rows\\)"))),
                 qPrintable(empty.out + empty.err));
        // A KDM reference without a pregnancy column trains on everyone in the age range, said once (it
        // trained on no one, men included: BioAge's filter keeps only people recorded as not pregnant).
        const QString noPregnancy = agePath(QStringLiteral("bioage_nhanes4_shared200.csv"));
        if (!readAll(noPregnancy).left(2000).split('\n').first().contains("pregnant")) {
            const Result trained = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), noPregnancy, QStringLiteral("--kdm_reference"), noPregnancy});
            QVERIFY2(trained.code == 0 && trained.err.count(QStringLiteral("no one's pregnancy status is recorded (the mapping's 'pregnant' column")) == 1,
                     qPrintable(trained.out + trained.err));
            qsizetype withKdm = 0;
            for (const Row& row : clocksById(trained.runDir, QStringLiteral("sample_id")))
                withKdm += row.value(QStringLiteral("kdm")).isEmpty() ? 0 : 1;
            QVERIFY2(withKdm > 0, qPrintable(trained.runDir));
            // A reference of a few hundred people: one sex at least has under 200, which is warned of
            // (25 men had trained KDM without a word: trial 23 T23-13).
            if (readAll(noPregnancy).count('\n') <= 301)
                QVERIFY2(trained.err.contains(QStringLiteral("people only: its regressions (one per marker against age) are unstable")), qPrintable(trained.err));
        }
        // Evaluated against mortality without follow-up: the run fails saying so (it "finished" with nothing).
        const Result evaluated = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), table, QStringLiteral("--bootstrap"), QStringLiteral("0")});
        // The error is said once: on the summary line (stdout, for scripts), not again as a log line on stderr.
        const QString both = evaluated.out + evaluated.err;
        QVERIFY2(evaluated.code == 1 && evaluated.out.contains(QStringLiteral(": failed: ")) && both.count(QStringLiteral("no row has follow-up time and vital status")) == 1
                     && evaluated.out.contains(QStringLiteral("'followup_months'")),
                 qPrintable(both));
        // Follow-up without a single death: every statistic would be empty in a run that "finished".
        const QString noDeaths = m_dir.filePath(QStringLiteral("no-deaths.csv"));
        writeAll(noDeaths, "sample_id,age_years,sex_1male_2female,albumin_g_per_L,followup_months,died_counted\n"
                           "a,50,1,45,120,0\nb,60,2,41,100,0\n");
        const Result alive = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), noDeaths, QStringLiteral("--bootstrap"), QStringLiteral("0")});
        QVERIFY2(alive.code == 1 && alive.out.contains(QStringLiteral("none of the 2 rows with follow-up records a death (column 'died_counted', death coded as 1)")),
                 qPrintable(alive.out + alive.err));
        // A KDM reference without a marker KDM is trained on: the column the mapping reads is named.
        const Result kdm = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table, QStringLiteral("--kdm_reference"), table});
        QVERIFY2(kdm.code == 1 && kdm.out.contains(QStringLiteral("the KDM reference has no columns 'fev1_mL' (fev1), 'sbp_mmHg' (sbp)"))
                     && kdm.out.contains(QStringLiteral(", which the mapping '")),
                 qPrintable(kdm.out + kdm.err));
        // A reference cohort that is not there: exit 6 before any run starts (docs/cli.md).
        for (const char* option : {"--kdm_reference", "--phenoage_reference", "--hd_reference"}) {
            const Result missing = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table, QLatin1String(option),
                                        m_dir.filePath(QStringLiteral("nosuch.csv"))});
            QVERIFY2(missing.code == 6 && missing.err.contains(QStringLiteral("no such file")) && missing.err.contains(QStringLiteral("nosuch.csv")),
                     qPrintable(missing.err));
            QVERIFY2(missing.runDir.isEmpty(), qPrintable(missing.err));
        }
        // A HENAW model folder that is not there, or holds no model.json: exit 6 before any run too.
        for (const QString& folder : {m_dir.filePath(QStringLiteral("nosuch-model")), m_dir.path()}) {
            const Result predict = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), QStringLiteral("--model"), folder,
                                        QStringLiteral("--table"), table});
            QVERIFY2(predict.code == 6 && predict.err.contains(folder) && predict.runDir.isEmpty(), qPrintable(predict.err));
        }
        const Result henaw = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), table, QStringLiteral("--henaw"),
                                  m_dir.filePath(QStringLiteral("nosuch-model"))});
        QVERIFY2(henaw.code == 6 && henaw.err.contains(QStringLiteral("--henaw")) && henaw.runDir.isEmpty(), qPrintable(henaw.err));
    }

    // An HD reference of one man: the run fails saying a standard deviation needs at least 2 values
    // ("has 1 values of 'albumin'" said neither "too few" nor how many).
    void anHdReferenceOfOnePersonIsTooFew()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        const QByteArray one = menOf(agePath(QStringLiteral("nhanes3_bioage_training.csv")), 1);
        QVERIFY(one.count('\n') == 2);
        const QString reference = m_dir.filePath(QStringLiteral("hd-one.csv"));
        QVERIFY(writeAll(reference, one));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), agePath(QStringLiteral("bioage_nhanes4_shared200.csv")),
                              QStringLiteral("--hd_reference"), reference});
        QVERIFY2(r.code == 1 && r.out.contains(QStringLiteral("for men: too few for a standard deviation (at least 2 are needed)")),
                 qPrintable(r.out + r.err));
    }

    // A sex coded M/F where the mapping says 1/2 is one line naming the codes and the fix, not a
    // warning per row (300 rows gave 200 lines and "100 more problems").
    void aColumnCodedOtherwiseIsSaidOnce()
    {
        const QString table = m_dir.filePath(QStringLiteral("sex-letters.csv"));
        QByteArray text = "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L,wbc_1000_cells_per_uL\n";
        for (int i = 0; i < 300; ++i)
            text += QStringLiteral("p%1,%2,%3,45,80,5,0.1,30,90,13,70,6\n").arg(i).arg(30 + i % 50).arg(i % 2 ? 'M' : 'F').toUtf8();
        QVERIFY(writeAll(table, text));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("column 'sex_1male_2female': 300 of 300 rows have a sex code the mapping")) &&
                     r.err.contains(QStringLiteral("\"male\": [\"M\"], \"female\": [\"F\"]")),
                 qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("is neither a male")), 0);
        QVERIFY(!r.err.contains(QStringLiteral("more problems")));
        // Every row is still in validation.tsv, and summary.json keeps the finding.
        QCOMPARE(readAll(QDir(r.runDir).filePath(QStringLiteral("validation.tsv"))).count("is neither a male"), 300);
        const QJsonObject summary = QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("summary.json")))).object();
        QCOMPARE(summary.value(QLatin1String("validation")).toObject().value(QLatin1String("column_problems")).toArray().size(), 1);
    }

    // A marker column in another unit than the mapping's (glucose in mg/dL read as mmol/L: most rows
    // out of range) stops the run before a value is written: the 2 rows that fell in range had given
    // a 26-year-old PhenoAge 128 (trial 23 T23-2). A column no clock of the run reads does not.
    void aColumnInAWrongUnitStopsTheRun()
    {
        const QString table = m_dir.filePath(QStringLiteral("glucose-mg.csv"));
        QByteArray text = "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,lymphocyte_percent,mcv_fL,rdw_percent,alp_U_per_L,wbc_1000_cells_per_uL\n";
        for (int i = 0; i < 300; ++i)
            text += QStringLiteral("p%1,%2,%3,45,80,%4,0.1,30,90,13,70,6\n").arg(i).arg(30 + i % 50).arg(1 + i % 2).arg(i < 2 ? 55 : 90).toUtf8();
        QVERIFY(writeAll(table, text));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table});
        QVERIFY2(r.code == 1 && (r.out + r.err).contains(QStringLiteral("column 'glucose_mmol_per_L': 298 of 300 rows are outside the plausible range"))
                     && (r.out + r.err).contains(QStringLiteral("no value is computed from a column read in a unit it is not in")),
                 qPrintable(r.out + r.err));
        QVERIFY(!r.runDir.isEmpty());
        QVERIFY(!QFileInfo::exists(QDir(r.runDir).filePath(QStringLiteral("clocks.csv"))));
    }

    // A reference table the mapping does not fit (no age column) fails the run as needing a new one:
    // a resume reads the same pinned table with the same mapping (it had offered one: trial 23 T23-17).
    void aReferenceTheMappingDoesNotFitNeedsANewRun()
    {
        const QString reference = m_dir.filePath(QStringLiteral("not-a-reference.csv"));
        QVERIFY(writeAll(reference, "person,years\np1,50\n"));
        const QString table = m_dir.filePath(QStringLiteral("table-for-reference.csv"));
        QVERIFY(writeAll(table, bioforge::age::test::syntheticCohort(50, 3)));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table, QStringLiteral("--kdm_reference"), reference});
        QVERIFY2(r.code == 1 && (r.out + r.err).contains(QStringLiteral("not-a-reference.csv: no column 'age_years'")), qPrintable(r.out + r.err));
        const QString id = QFileInfo(r.runDir).fileName();
        QVERIFY(!id.isEmpty());
        const Result listed = run({QStringLiteral("runs"), QStringLiteral("--json")});
        bool seen = false;
        for (const QJsonValue& v : QJsonDocument::fromJson(listed.out.toUtf8()).object().value(QLatin1String("runs")).toArray())
            if (v.toObject().value(QLatin1String("id")).toString() == id) {
                seen = true;
                QCOMPARE(v.toObject().value(QLatin1String("new_run_needed")), QJsonValue(true));
            }
        QVERIFY2(seen, qPrintable(listed.out));
    }

    // A men-only cohort: the hazard ratios are adjusted for age alone, and say so (they were empty,
    // "the information matrix is singular", in the CSV only). Too few people for any statistic: the
    // run fails, as one without deaths does (it "finished" with every figure empty).
    void evaluateOnOneSexOrTooFewPeople()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        const QList<QByteArray> lines = readAll(agePath(QStringLiteral("nhanes3_cohort.csv"))).split('\n');
        const QByteArray men = menOf(agePath(QStringLiteral("nhanes3_cohort.csv")));
        QVERIFY(men.count('\n') > 100);
        QByteArray few = lines.first() + '\n';
        const int diedColumn = int(lines.first().split(',').indexOf("\"died_counted\""));
        QVERIFY(diedColumn >= 0);
        int dead = 0, alive = 0; // three of each: deaths there are, too few people
        for (const QByteArray& line : lines.mid(1))
            if (const QList<QByteArray> f = line.split(','); f.size() > diedColumn && ((f[diedColumn] == "1" && dead < 3) || (f[diedColumn] == "0" && alive < 3))) {
                (f[diedColumn] == "1" ? dead : alive) += 1;
                few += line + '\n';
            }
        const QString menTable = m_dir.filePath(QStringLiteral("men.csv")), fewTable = m_dir.filePath(QStringLiteral("five.csv"));
        QVERIFY(writeAll(menTable, men) && writeAll(fewTable, few));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), menTable, QStringLiteral("--bootstrap"), QStringLiteral("0")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QList<Row> rows = readRows(QDir(r.runDir).filePath(QStringLiteral("evaluation.csv")));
        bool phenoAge = false;
        for (const Row& row : rows)
            if (row.value(QStringLiteral("clock")) == QLatin1String("phenoage")) {
                phenoAge = true;
                QVERIFY2(row.value(QStringLiteral("hazard_ratio_per_unit_acceleration")).toDouble() > 1.0, qPrintable(row.value(QStringLiteral("note"))));
                QVERIFY2(row.value(QStringLiteral("note")).contains(QStringLiteral("not adjusted for sex (everyone is male)")), qPrintable(row.value(QStringLiteral("note"))));
            }
        QVERIFY(phenoAge);
        QVERIFY2(r.err.contains(QStringLiteral("evaluate, phenoage: the hazard ratio is not adjusted for sex (everyone is male)")), qPrintable(r.err));
        const Result tooFew = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), fewTable, QStringLiteral("--bootstrap"), QStringLiteral("0")});
        QVERIFY2(tooFew.code == 1 && tooFew.out.contains(QStringLiteral("nothing could be evaluated")), qPrintable(tooFew.out + tooFew.err));
        QVERIFY(QFileInfo::exists(QDir(tooFew.runDir).filePath(QStringLiteral("evaluation.csv"))));
        // One resample is no 95 % interval (it printed one of width 0 beside the estimate): refused
        // before a run is recorded, saying the minimum.
        const Result one = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), menTable, QStringLiteral("--bootstrap"), QStringLiteral("1")});
        QVERIFY2(one.code == 2 && one.err.contains(QStringLiteral("bootstrap 1: a 95 % percentile interval needs at least 50 resamples"))
                     && !one.err.contains(QStringLiteral(" started in ")),
                 qPrintable(one.err));
    }
};

QTEST_GUILESS_MAIN(TstAgeValidationCli)
#include "tst_age_validation_cli.moc"
