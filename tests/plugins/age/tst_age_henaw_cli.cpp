// HENAW beside the published clocks in `bioforge run age evaluate`: a marker
// column without values refused as `predict` refuses it, the model's own
// training table called in-sample, HENAW listed among the clocks with what its
// encoder set to the training mean (the same in `predict`), and never the
// clocks' `--missing impute` medians.

#include "age_cli_test_base.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace bioforge::test;
using namespace bioforge::age::test;

class TstAgeHenawCli : public AgeCliTestBase {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // evaluate --henaw refuses a marker column without values as predict does, and calls the
    // model's own training table in-sample.
    void evaluateWithHenawChecksTheTableAsPredictDoes()
    {
        const QString table = m_dir.filePath(QStringLiteral("henaw-eval.csv"));
        QVERIFY(writeAll(table, bioforge::age::test::syntheticCohort(300, 11)));
        const Result trained = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--epochs"),
                                    QStringLiteral("1"), QStringLiteral("--ensemble"), QStringLiteral("1"), QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(trained.code == 0, qPrintable(trained.err));
        const QString model = QDir(trained.runDir).filePath(QStringLiteral("henaw-model"));
        const Result same = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), table, QStringLiteral("--henaw"), model});
        QVERIFY2(same.code == 0 && same.err.contains(QStringLiteral("is the table the HENAW model was trained on")), qPrintable(same.err));
        // A mapped column the table lacks is warned of only where a clock of the run or the model reads
        // it: PhenoAge's lymphocytes, not FEV1 (trial 23 T23-14).
        QVERIFY2(same.err.contains(QStringLiteral("'lymphocyte_percent' (lymphocyte_pct)")) && !same.err.contains(QStringLiteral("'fev1_mL'")), qPrintable(same.err));
        QVERIFY(QJsonDocument::fromJson(readAll(QDir(same.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("henaw_training_table")).toBool());
        // ... on HENAW's rows of the comparison too, beside the out-of-sample clocks.
        const QByteArray evaluation = readAll(QDir(same.runDir).filePath(QStringLiteral("evaluation.csv")));
        QVERIFY2(evaluation.contains("in-sample: this is the table the HENAW model was trained on"), evaluation.constData());
        // HENAW beside the published clocks in summary.json and the report's first line, with what its
        // encoder set to the training mean: the table's empty crp cells (every 17th person), if crp
        // is among the model's markers; the others are measured in every row.
        const QJsonObject summary = QJsonDocument::fromJson(readAll(QDir(same.runDir).filePath(QStringLiteral("summary.json")))).object();
        const QJsonObject henawClock = summary.value(QLatin1String("clocks")).toObject().value(QLatin1String("henaw")).toObject();
        QCOMPARE(henawClock.value(QLatin1String("computed")).toInt(), 300);
        QVERIFY(summary.value(QLatin1String("clocks")).toObject().contains(QLatin1String("phenoage")));
        const QJsonArray markers = QJsonDocument::fromJson(readAll(QDir(model).filePath(QStringLiteral("config.json")))).object().value(QLatin1String("markers")).toArray();
        QVERIFY(markers.contains(QStringLiteral("crp")));
        const qint64 emptyCrp = (300 + 16) / 17;
        const QJsonObject filled = summary.value(QLatin1String("henaw_imputed")).toObject();
        QCOMPARE(filled.value(QLatin1String("values")).toInteger(), emptyCrp);
        QCOMPARE(filled.value(QLatin1String("rows")).toInteger(), emptyCrp);
        QCOMPARE(filled.value(QLatin1String("by_marker")).toObject(), (QJsonObject{{QStringLiteral("crp"), double(emptyCrp)}}));
        QVERIFY(summary.value(QLatin1String("settings")).toString().contains(QStringLiteral("HENAW sets a missing marker to its training mean")));
        const QString html = m_dir.filePath(QStringLiteral("henaw-eval.html"));
        QVERIFY(run({QStringLiteral("report"), QDir(same.runDir).dirName(), QStringLiteral("--html"), html}).code == 0);
        const QByteArray page = readAll(html);
        QVERIFY2(page.contains(QStringLiteral("henaw for 300 (%1 of them with markers set to the training mean)").arg(emptyCrp).toUtf8()), page.constData());
        QVERIFY(page.contains(QStringLiteral("HENAW set %1 missing marker values of %1 people to the training mean (crp %1;").arg(emptyCrp).toUtf8()));
        // predict counts the same in its summary and report.
        const Result predicted = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), table, QStringLiteral("--model"), model});
        QVERIFY2(predicted.code == 0, qPrintable(predicted.err));
        QCOMPARE(QJsonDocument::fromJson(readAll(QDir(predicted.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("henaw_imputed")).toObject(), filled);
        QVERIFY(run({QStringLiteral("report"), QDir(predicted.runDir).dirName(), QStringLiteral("--html"), html}).code == 0);
        QVERIFY(readAll(html).contains(QStringLiteral("HENAW set %1 missing marker values").arg(emptyCrp).toUtf8()));
        // --missing impute fills the published clocks' markers with medians, never HENAW's: its values
        // and what it filled are those of --missing drop (HENAW read the medians: trial 16).
        const Result imputing = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), table, QStringLiteral("--henaw"), model,
                                     QStringLiteral("--missing"), QStringLiteral("impute")});
        QVERIFY2(imputing.code == 0, qPrintable(imputing.err));
        QCOMPARE(QJsonDocument::fromJson(readAll(QDir(imputing.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("henaw_imputed")).toObject(),
                 filled);
        const auto henawColumn = [](const QString& runDir) {
            const QList<QByteArray> lines = readAll(QDir(runDir).filePath(QStringLiteral("clocks.csv"))).trimmed().split('\n');
            const qsizetype at = lines.first().split(',').indexOf("henaw");
            QList<QByteArray> values;
            for (const QByteArray& line : lines.mid(1))
                values << line.split(',').value(at);
            return values;
        };
        const QList<QByteArray> dropped = henawColumn(same.runDir);
        QVERIFY(dropped.size() == 300 && !dropped.first().isEmpty());
        QCOMPARE(henawColumn(imputing.runDir), dropped);
        QList<QByteArray> lines = readAll(table).split('\n');
        for (qsizetype l = 1; l < lines.size(); ++l) {
            QList<QByteArray> fields = lines[l].split(',');
            if (fields.size() > 3)
                fields[3].clear(); // albumin, in every row
            lines[l] = fields.join(',');
        }
        const QString emptied = m_dir.filePath(QStringLiteral("henaw-eval-no-albumin.csv"));
        QVERIFY(writeAll(emptied, lines.join('\n')));
        const Result refused = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("evaluate"), emptied, QStringLiteral("--henaw"), model});
        QVERIFY2(refused.code != 0 && (refused.out + refused.err).contains(QStringLiteral("(column 'albumin_g_per_L') has no value in any of its 300 rows")),
                 qPrintable(refused.out + refused.err));
    }
};

QTEST_GUILESS_MAIN(TstAgeHenawCli)
#include "tst_age_henaw_cli.moc"
