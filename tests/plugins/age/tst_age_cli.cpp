// The scripted contract of `bioforge run age clocks` (docs/age.md): with the
// NHANES III training table as KDM reference and BioAge's defaults,
// clocks.csv for the fixture people equals BioAge's columns within 1e-6
// years, ids unchanged; the settings change what they should; a table read in
// chunks gives the same files; `evaluate` writes the comparison.
// Refusals and warnings (a row without a value, references and columns that do
// not fit, one sex or too few people): tst_age_validation_cli.cpp. HENAW
// training from the command line: tst_age_train_cli.cpp; HENAW beside the
// clocks in `evaluate`: tst_age_henaw_cli.cpp.

#include "age_cli_test_base.h"
#include "age_fixtures.h"
#include "table/column_mapping.h"
#include "support/test_support.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>

#include <cmath>

using namespace bioforge::test;
using namespace bioforge::age::test;

class TstAgeCli : public AgeCliTestBase {
    Q_OBJECT

private slots:
    void clocksContractReproducesBioAge()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), QStringLiteral("--table"), agePath(QStringLiteral("bioage_nhanes4_shared200.csv")),
                              QStringLiteral("--map"), QStringLiteral("nhanes-bioage"), QStringLiteral("--kdm_reference"), agePath(QStringLiteral("nhanes3_bioage_training.csv"))});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QList<Row> expected = readRows(agePath(QStringLiteral("bioage_nhanes4_shared200.csv")));
        const QHash<QString, Row> ours = clocksById(r.runDir, QStringLiteral("sample_id"));
        QCOMPARE(ours.size(), expected.size());
        const QStringList header = QString::fromUtf8(readAll(QDir(r.runDir).filePath(QStringLiteral("clocks.csv"))).split('\n').first()).split(QLatin1Char(','));
        QCOMPARE(header.mid(0, 5), (QStringList{QStringLiteral("sample_id"), QStringLiteral("phenoage"), QStringLiteral("phenoage_advance"), QStringLiteral("kdm"), QStringLiteral("kdm_advance")}));
        double worst = 0;
        for (const Row& e : expected) {
            const Row o = ours.value(e.value(QStringLiteral("sample_id")));
            QVERIFY2(!o.isEmpty(), qPrintable(e.value(QStringLiteral("sample_id"))));
            for (const char* column : {"phenoage", "phenoage_advance", "kdm", "kdm_advance"})
                worst = std::max(worst, std::abs(o.value(QLatin1String(column)).toDouble() - e.value(QLatin1String(column)).toDouble()));
        }
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        // The settings are in the run's provenance.
        const QJsonObject record = QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("provenance.json")))).object();
        QCOMPARE(record.value(QLatin1String("parameters")).toObject().value(QLatin1String("crp_transform")).toString(), QStringLiteral("log1p"));
        QCOMPARE(record.value(QLatin1String("parameters")).toObject().value(QLatin1String("phenoage_divisor")).toString(), QStringLiteral("0.090165"));

        // A table with its own mapping beside BioAge's NHANES III as the KDM reference: the
        // reference is read with --reference_map (it was read with the table's mapping and refused).
        QByteArray mine = readAll(agePath(QStringLiteral("bioage_nhanes4_shared200.csv")));
        mine.replace("age_years", "AgeInYears");
        const QString mineTable = m_dir.filePath(QStringLiteral("mine.csv")), mineMap = m_dir.filePath(QStringLiteral("mine.json"));
        QVERIFY(writeAll(mineTable, mine));
        QJsonObject mapping = bioforge::age::ColumnMapping::load(QStringLiteral("nhanes-bioage"))->toJson();
        mapping.insert(QStringLiteral("name"), QStringLiteral("mine"));
        mapping.insert(QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), QStringLiteral("AgeInYears")}, {QStringLiteral("unit"), QStringLiteral("years")}});
        QVERIFY(writeAll(mineMap, QJsonDocument(mapping).toJson()));
        const QStringList mineArgs{QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), mineTable, QStringLiteral("--map"), mineMap,
                                   QStringLiteral("--kdm_reference"), agePath(QStringLiteral("nhanes3_bioage_training.csv"))};
        const Result oneMapping = run(mineArgs);
        QVERIFY2(oneMapping.code != 0 && (oneMapping.out + oneMapping.err).contains(QStringLiteral("no column 'AgeInYears'")) &&
                     (oneMapping.out + oneMapping.err).contains(QStringLiteral("--reference_map gives theirs")),
                 qPrintable(oneMapping.out + oneMapping.err));
        const Result twoMappings = run(mineArgs + QStringList{QStringLiteral("--reference_map"), QStringLiteral("nhanes-bioage")});
        QVERIFY2(twoMappings.code == 0, qPrintable(twoMappings.err));
        const QHash<QString, Row> mineClocks = clocksById(twoMappings.runDir, QStringLiteral("sample_id"));
        for (const Row& e : expected)
            QVERIFY(std::abs(mineClocks.value(e.value(QStringLiteral("sample_id"))).value(QStringLiteral("kdm")).toDouble() - e.value(QStringLiteral("kdm")).toDouble()) < 1e-6);

        // kdm_variance_rows complete gives BioAge's shipped kdm0 (within its 0.0033 years, fixture README surprise 3).
        const Result complete = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), QStringLiteral("--table"), agePath(QStringLiteral("bioage_nhanes4_shared200.csv")),
                                     QStringLiteral("--kdm_reference"), agePath(QStringLiteral("nhanes3_bioage_training.csv")), QStringLiteral("--kdm_variance_rows"), QStringLiteral("complete"),
                                     QStringLiteral("--phenoage_divisor"), QStringLiteral("0.09165")});
        QVERIFY2(complete.code == 0, qPrintable(complete.err));
        const QHash<QString, Row> other = clocksById(complete.runDir, QStringLiteral("sample_id"));
        for (const Row& e : expected) {
            const Row o = other.value(e.value(QStringLiteral("sample_id")));
            QVERIFY(std::abs(o.value(QStringLiteral("kdm")).toDouble() - e.value(QStringLiteral("kdm0_shipped")).toDouble()) < 4e-3);
            const double pa = e.value(QStringLiteral("phenoage")).toDouble();
            QVERIFY(std::abs(o.value(QStringLiteral("phenoage")).toDouble() - (141.50225 + (pa - 141.50225) * 0.090165 / 0.09165)) < 1e-6);
        }
    }

    void theTableStreamsThroughInChunksToTheSameFiles()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        QStringList runs;
        for (const char* chunk : {"1000000", "997"}) {
            const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), agePath(QStringLiteral("nhanes3_cohort.csv")),
                                  QStringLiteral("--kdm_reference"), agePath(QStringLiteral("nhanes3_bioage_training.csv")), QStringLiteral("--hd_reference"),
                                  agePath(QStringLiteral("nhanes3_bioage_training.csv")), QStringLiteral("--rows_per_chunk"), QLatin1String(chunk)});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            // A whole adult cohort as HD's reference (ages 20 to 90): the run says HD wants the young healthy subset.
            QVERIFY2(r.err.contains(QStringLiteral("HD takes every row as its young healthy reference")), qPrintable(r.err));
            runs << r.runDir;
        }
        for (const char* file : {"clocks.csv", "clock_notes.tsv", "validation.tsv"}) {
            const QByteArray a = readAll(QDir(runs[0]).filePath(QLatin1String(file)));
            QVERIFY2(!a.isEmpty() && a == readAll(QDir(runs[1]).filePath(QLatin1String(file))), file);
        }
        QVERIFY(readAll(QDir(runs[0]).filePath(QStringLiteral("clocks.csv"))).count('\n') > 100);
        QVERIFY(readAll(QDir(runs[0]).filePath(QStringLiteral("clocks.csv"))).split('\n').first().endsWith(",hd,hd_log"));
    }

    void evaluateComparesTheClocksAgainstMortality()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), agePath(QStringLiteral("nhanes3_cohort.csv")),
                              QStringLiteral("--kdm_reference"), agePath(QStringLiteral("nhanes3_bioage_training.csv")), QStringLiteral("--bootstrap"), QStringLiteral("50")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QList<Row> rows = readRows(QDir(r.runDir).filePath(QStringLiteral("evaluation.csv")));
        QHash<QString, Row> byClock;
        for (const Row& row : rows)
            byClock.insert(row.value(QStringLiteral("clock")), row);
        QVERIFY(byClock.contains(QStringLiteral("phenoage")) && byClock.contains(QStringLiteral("chronological age")));
        const double cPheno = byClock.value(QStringLiteral("phenoage")).value(QStringLiteral("c_index")).toDouble();
        const double low = byClock.value(QStringLiteral("phenoage")).value(QStringLiteral("c_index_low")).toDouble();
        const double high = byClock.value(QStringLiteral("phenoage")).value(QStringLiteral("c_index_high")).toDouble();
        QVERIFY2(cPheno > 0.75 && low < cPheno && cPheno < high, qPrintable(QStringLiteral("%1 (%2-%3)").arg(cPheno).arg(low).arg(high)));
        QVERIFY(byClock.value(QStringLiteral("phenoage")).value(QStringLiteral("hazard_ratio_per_unit_acceleration")).toDouble() > 1.0); // older for one's age, more deaths
        // Chronological age has no acceleration (it is the baseline): no C-index of one, where a clock has it.
        const Row age = byClock.value(QStringLiteral("chronological age"));
        for (const char* column : {"c_index_acceleration", "c_index_acceleration_low", "c_index_acceleration_high"})
            QVERIFY2(age.value(QLatin1String(column)).isEmpty(), qPrintable(QLatin1String(column) + QStringLiteral(": ") + age.value(QLatin1String(column))));
        QVERIFY(!age.value(QStringLiteral("c_index")).isEmpty());
        const double advancePheno = byClock.value(QStringLiteral("phenoage")).value(QStringLiteral("c_index_acceleration")).toDouble();
        QVERIFY2(advancePheno > 0.5 && advancePheno < cPheno, qPrintable(QString::number(advancePheno)));
        const Result report = run({QStringLiteral("report"), QDir(r.runDir).dirName(), QStringLiteral("--html"), m_dir.filePath(QStringLiteral("age.html"))});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        const QByteArray html = readAll(m_dir.filePath(QStringLiteral("age.html")));
        QVERIFY(html.contains("Kaplan-Meier"));
        // A report sent on its own cites its methods and says when and by what it was exported, and
        // from which project (it cited nothing: trial 25 T25-8).
        QVERIFY(html.contains("Methods and references") && html.contains("doi:10.18632/aging.101414") && html.contains("Harrell FE"));
        QVERIFY2(html.contains("About this report") && html.contains("Exported 20") && html.contains("by BioForge Workbench ")
                     && html.contains(QStringLiteral("runs/%1/provenance.json").arg(QDir(r.runDir).dirName()).toUtf8()),
                 html.mid(html.indexOf("About this report"), 800).constData());
        // The figures a reader quotes, as clocks.csv gives them (the report held plots alone: trial 21).
        double sum = 0;
        int people = 0;
        for (const Row& row : readRows(QDir(r.runDir).filePath(QStringLiteral("clocks.csv")))) {
            bool ok = false, okAdvance = false;
            const double value = row.value(QStringLiteral("phenoage")).toDouble(&ok);
            row.value(QStringLiteral("phenoage_advance")).toDouble(&okAdvance);
            if (ok && okAdvance) {
                sum += value;
                ++people;
            }
        }
        QVERIFY(people > 0);
        QVERIFY2(html.contains(QStringLiteral("<td>phenoage</td><td>%1</td><td>%2</td>").arg(people).arg(sum / people, 0, 'f', 2).toUtf8()),
                 html.mid(html.indexOf("Each clock on these people"), 1500).constData());
        QVERIFY(html.contains("The first 20 people (years to 2 decimals; all of them, in full, in clocks.csv)"));
        // Its values to 2 decimals, as the first row of clocks.csv gives them (13 digits broke across
        // lines in the PDF's cells: trial 22).
        const Row first = readRows(QDir(r.runDir).filePath(QStringLiteral("clocks.csv"))).value(0);
        bool isNumber = false;
        const double firstPheno = first.value(QStringLiteral("phenoage")).toDouble(&isNumber);
        QVERIFY(isNumber);
        QVERIFY2(html.contains(QStringLiteral("<td>%1</td>").arg(firstPheno, 0, 'f', 2).toUtf8()), qPrintable(first.value(QStringLiteral("phenoage"))));
        if (const QString raw = first.value(QStringLiteral("phenoage")); raw.section(u'.', 1).size() > 2)
            QVERIFY2(!html.contains(raw.toUtf8()), qPrintable(raw));
        // Missing values are counted by marker in the report (empty cells are no problem validation.tsv
        // lists); validation.tsv is pointed at only when it lists something.
        const QJsonObject validation =
            QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("validation")).toObject();
        const QJsonObject missing = validation.value(QLatin1String("missing_by_marker")).toObject();
        const bool anyMissing = std::any_of(missing.begin(), missing.end(), [](const auto& v) { return v.toInt() > 0; });
        QCOMPARE(html.contains("Missing values by marker"), anyMissing);
        for (auto it = missing.begin(); it != missing.end(); ++it)
            if (it.value().toInt() > 0)
                QVERIFY2(html.contains(QStringLiteral("<td>%1</td><td>%2</td>").arg(it.key()).arg(it.value().toInt()).toUtf8()), qPrintable(it.key()));
        const bool listsProblems = readAll(QDir(r.runDir).filePath(QStringLiteral("validation.tsv"))).trimmed().count('\n') >= 1;
        QCOMPARE(html.contains("every problem by line and column in validation.tsv"), listsProblems);
    }
};

QTEST_GUILESS_MAIN(TstAgeCli)
#include "tst_age_cli.moc"
