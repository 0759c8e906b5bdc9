// HENAW runs on tables a user gives, checked as a demanding user would: a
// cohort of one age is refused (the age head cannot learn, and its tiny
// "age error" looked best of all); a prediction on the model's own training
// table is recognised by its SHA-256 and called in-sample (the report said
// "people it was not trained on"), another table is not; predict and train
// write validation.tsv with the table's problems by line and column; the
// check puts the age error beside the SD of age.

#include "henaw_job_runner.h"
#include "io/json_file.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;
using bioforge::age::test::syntheticCohort;

using Attempt = bioforge::age::test::HenawAttempt;
using bioforge::age::test::runHenawJob;

class TstHenawRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_table, m_model;

    QJsonObject trainParameters(const QString& table) const
    {
        return {{QStringLiteral("table"), table}, {QStringLiteral("epochs"), 2}, {QStringLiteral("ensemble"), 2}, {QStringLiteral("batch_size"), 64},
                {QStringLiteral("seed"), 3}, {QStringLiteral("threads"), 1}};
    }
    QJsonObject predictParameters(const QString& table) const
    {
        return {{QStringLiteral("table"), table}, {QStringLiteral("model"), m_model}, {QStringLiteral("threads"), 1}};
    }

private slots:
    void initTestCase()
    {
        m_table = m_dir.filePath(QStringLiteral("cohort.csv"));
        QVERIFY(writeAll(m_table, syntheticCohort(400, 5)));
        const Attempt trained = runHenawJob<HenawTrainJob>(m_dir.filePath(QStringLiteral("train")), trainParameters(m_table));
        QVERIFY2(trained.failure.isEmpty() && trained.outcome == core::JobOutcome::Finished, qPrintable(trained.failure));
        m_model = trained.dir + QStringLiteral("/henaw-model");
        // The training table's SHA-256 is in model.json; its problems are in validation.tsv.
        const QJsonObject model = *core::readJsonObjectFile(m_model + QStringLiteral("/model.json"));
        QCOMPARE(model.value(QLatin1String("training")).toObject().value(QLatin1String("table_sha256")).toString().size(), 64);
        QVERIFY(readAll(trained.dir + QStringLiteral("/validation.tsv")).startsWith("line\tcolumn\tproblem\n"));
        const QJsonObject test = trained.summary().value(QLatin1String("test")).toObject();
        QVERIFY2(test.value(QLatin1String("age_sd_years")).toDouble() > 5, qPrintable(QJsonDocument(test).toJson()));
        QVERIFY(test.contains(QStringLiteral("c_index_acceleration")));
    }

    void aPredictionOnTheTrainingTableIsInSample()
    {
        const Attempt same = runHenawJob<HenawPredictJob>(m_dir.filePath(QStringLiteral("predict-same")), predictParameters(m_table));
        QVERIFY2(same.failure.isEmpty() && same.outcome == core::JobOutcome::Finished, qPrintable(same.failure));
        QVERIFY(same.warned(QStringLiteral("is the table the HENAW model was trained on (the same SHA-256)")));
        QCOMPARE(same.summary().value(QLatin1String("training_table")).toBool(), true);
        // Another file of the same people with one byte changed is another table: not called in-sample.
        QByteArray text = readAll(m_table);
        text.append("\n");
        const QString other = m_dir.filePath(QStringLiteral("other.csv"));
        QVERIFY(writeAll(other, text));
        const Attempt another = runHenawJob<HenawPredictJob>(m_dir.filePath(QStringLiteral("predict-other")), predictParameters(other));
        QVERIFY2(another.failure.isEmpty(), qPrintable(another.failure));
        QVERIFY(!another.warned(QStringLiteral("trained on")));
        QCOMPARE(another.summary().value(QLatin1String("training_table")).toBool(true), false);
        QVERIFY(another.summary().value(QLatin1String("check")).toObject().value(QLatin1String("age_sd_years")).toDouble() > 5);
    }

    // More threads than the machine has are capped and said (1000 on two cores ran 9x slower).
    void threadsBeyondTheMachineAreCapped()
    {
        QJsonObject parameters = predictParameters(m_table);
        parameters.insert(QStringLiteral("threads"), 1000);
        const Attempt a = runHenawJob<HenawPredictJob>(m_dir.filePath(QStringLiteral("predict-threads")), parameters);
        QVERIFY2(a.failure.isEmpty(), qPrintable(a.failure));
        QVERIFY(a.warned(QStringLiteral("1000 threads asked for, this machine has")));
    }

    void predictWritesTheTablesProblemsByLine()
    {
        QList<QByteArray> lines = readAll(m_table).split('\n');
        QList<QByteArray> fields = lines[2].split(',');
        fields[3] = "lots"; // albumin on line 3
        lines[2] = fields.join(',');
        const QString bad = m_dir.filePath(QStringLiteral("bad-value.csv"));
        QVERIFY(writeAll(bad, lines.join('\n')));
        const Attempt a = runHenawJob<HenawPredictJob>(m_dir.filePath(QStringLiteral("predict-bad")), predictParameters(bad));
        QVERIFY2(a.failure.isEmpty(), qPrintable(a.failure));
        const QByteArray validation = readAll(a.dir + QStringLiteral("/validation.tsv"));
        QVERIFY2(validation.contains("3\talbumin_g_per_L\t'lots' is not a number"), validation.constData());
        QVERIFY(std::any_of(a.record.outputs.begin(), a.record.outputs.end(), [](const core::FileRef& f) { return f.path == QLatin1String("validation.tsv"); }));
    }

    void aCohortOfOneAgeIsRefused()
    {
        QList<QByteArray> lines = readAll(m_table).split('\n');
        for (qsizetype l = 1; l < lines.size(); ++l) {
            QList<QByteArray> fields = lines[l].split(',');
            if (fields.size() > 1)
                fields[1] = "50";
            lines[l] = fields.join(',');
        }
        const QString oneAge = m_dir.filePath(QStringLiteral("age50.csv"));
        QVERIFY(writeAll(oneAge, lines.join('\n')));
        const Attempt a = runHenawJob<HenawTrainJob>(m_dir.filePath(QStringLiteral("train-age50")), trainParameters(oneAge));
        QVERIFY2(a.failure.contains(QStringLiteral("usable rows are all aged 50 years")) && a.failure.contains(QStringLiteral("cannot learn")),
                 qPrintable(a.failure));
        QVERIFY(!QFile::exists(a.dir + QStringLiteral("/henaw-model/model.json")));
    }
};

QTEST_GUILESS_MAIN(TstHenawRuns)
#include "tst_henaw_runs.moc"
