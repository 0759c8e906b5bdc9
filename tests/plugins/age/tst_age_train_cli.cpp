// `bioforge run age train` from the command line: a HENAW configuration file's
// keys checked and its training settings used (the command line wins where it
// is given), the mortality head said untrained without follow-up, and training
// killed with SIGKILL at random epochs resumes to identical weights.

#include "age_cli_test_base.h"
#include "age_fixtures.h"
#include "support/kill_resume.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QThread>
#include <QtTest>

using namespace bioforge::test;
using namespace bioforge::age::test;

class TstAgeTrainCli : public AgeCliTestBase {
    Q_OBJECT

private slots:
    // A HENAW configuration with a key the format does not have (a misspelt "epoch") is refused
    // before a run is recorded, naming the key and those taken; it was ignored and the run trained
    // with the default.
    void aHenawConfigurationWithAnUnknownKeyIsRefused()
    {
        const QString table = m_dir.filePath(QStringLiteral("henaw-config-table.csv"));
        QVERIFY(writeAll(table, "seqn,age,sex\n1,50,1\n"));
        const QString config = m_dir.filePath(QStringLiteral("henaw-config.json"));
        QVERIFY(writeAll(config, R"({"epoch": 3, "learning_rate": 0.01})"));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--config"), config});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(config + QStringLiteral(": \"epoch\" is no HENAW configuration key")) && r.err.contains(QStringLiteral("epochs"))
                     && !r.err.contains(QStringLiteral("\"learning_rate\" is")),
                 qPrintable(r.err));
        QVERIFY(r.runDir.isEmpty()); // nothing recorded
        // Values of the wrong type or out of range: refused before recording too, each naming its key
        // (they were failed runs, one message listing every range).
        const std::pair<const char*, const char*> values[] = {{R"({"dropout": 1.5})", "\"dropout\" 1.5 is out of range"},
                                                              {R"({"epochs": "ten"})", "\"epochs\" must be a whole number"},
                                                              {R"({"train_fraction": 0.99})", "\"train_fraction\" 0.99 and \"validation_fraction\""},
                                                              {R"({"markers": ["albumin", "crp"], "learning_rate": -1})", "\"learning_rate\" -1 is out of range"}};
        for (const auto& [json, said] : values) {
            QVERIFY(writeAll(config, json));
            const Result bad = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--config"), config});
            QVERIFY2(bad.code == 2 && bad.err.contains(QLatin1String(said)) && bad.runDir.isEmpty(), qPrintable(QLatin1String(json) + QStringLiteral(": ") + bad.err));
        }
        // A mapping that is not there (a mistyped shipped name) is 6, one that does not read as a mapping 2; nothing recorded.
        const Result noMap = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--map"),
                                  QStringLiteral("nhanes")});
        QVERIFY2(noMap.code == 6 && noMap.err.contains(QStringLiteral("no such mapping file (built-in mappings: nhanes-bioage")) && noMap.runDir.isEmpty(),
                 qPrintable(noMap.err));
        QVERIFY(writeAll(config, "{\"format\": "));
        const Result badMap = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), table, QStringLiteral("--map"), config});
        QVERIFY2(badMap.code == 2 && badMap.err.contains(QStringLiteral("--map ")) && badMap.runDir.isEmpty(), qPrintable(badMap.err));
    }

    // The --config file's epochs, ensemble and seed are used when the command line does not give
    // them (the command line's defaults took their place); a value out of range there is refused.
    void aHenawConfigurationsTrainingSettingsAreUsed()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        const QString config = m_dir.filePath(QStringLiteral("henaw-small.json"));
        QVERIFY(writeAll(config, R"({"epochs": 1, "ensemble": 1, "seed": 7})"));
        const QString table = agePath(QStringLiteral("bioage_nhanes4_shared200.csv"));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--config"),
                              config, QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject used = QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("henaw-model/config.json")))).object();
        QCOMPARE(used.value(QLatin1String("epochs")).toInt(), 1);
        QCOMPARE(used.value(QLatin1String("ensemble")).toInt(), 1);
        QCOMPARE(used.value(QLatin1String("seed")).toInt(), 7);
        QVERIFY(!QFileInfo::exists(QDir(r.runDir).filePath(QStringLiteral("henaw-model/member-1.safetensors"))));
        // The report says what the training used (the run's parameters hold only what was given: "(not given)").
        const QString html = m_dir.filePath(QStringLiteral("henaw-config-report.html"));
        const Result report = run({QStringLiteral("report"), QDir(r.runDir).dirName(), QStringLiteral("--html"), html});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        const QByteArray page = readAll(html);
        QVERIFY(page.contains("Configuration used") && page.contains("(not given)"));
        // A marker of two systems (wbc: inflammation and hematology) is marked where it is listed twice.
        QMap<QString, int> systemsOf;
        for (const QJsonValue& v : QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("marker_weights")).toArray())
            ++systemsOf[v.toObject().value(QLatin1String("marker")).toString()];
        QStringList shared;
        for (auto it = systemsOf.begin(); it != systemsOf.end(); ++it)
            if (it.value() > 1)
                shared << it.key();
        QVERIFY2(!shared.isEmpty() && page.contains("listed under each with its one weight (marked *): count it once"), qPrintable(shared.join(',')));
        for (const QString& marker : shared)
            QCOMPARE(page.count(QStringLiteral("<td>%1 *</td>").arg(marker).toUtf8()), qsizetype(systemsOf.value(marker)));
        // This table has no follow-up: the mortality head is said not to be trained, and the model records it.
        QVERIFY2(r.err.contains(QStringLiteral("the mortality head is not trained")), qPrintable(r.err));
        const QJsonObject saved = QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("henaw-model/model.json")))).object();
        QCOMPARE(saved.value(QLatin1String("training")).toObject().value(QLatin1String("mortality_head_trained")).toBool(true), false);
        // The table without an option name, as clocks, train and evaluate take it (the model's was the positional one).
        const Result applied = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), table, QStringLiteral("--model"),
                                    QDir(r.runDir).filePath(QStringLiteral("henaw-model"))});
        QVERIFY2(applied.code == 0, qPrintable(applied.err));
        const QList<QByteArray> predicted = readAll(QDir(applied.runDir).filePath(QStringLiteral("henaw.csv"))).trimmed().split('\n');
        QVERIFY(predicted.size() > 2 && predicted.first().endsWith(",henaw_log_hazard"));
        for (const QByteArray& line : predicted.mid(1))
            QVERIFY2(line.endsWith(','), line.constData()); // no log-hazard from an untrained head
        // The training table itself: said to be in-sample.
        QVERIFY2(applied.err.contains(QStringLiteral("is the table the HENAW model was trained on")), qPrintable(applied.err));
        // The model.json path `train` prints among its outputs stands for its folder; a copy without a
        // file model.json lists, or a file given as the folder, is refused before a run is recorded (6).
        const QString modelJson = QDir(r.runDir).filePath(QStringLiteral("henaw-model/model.json"));
        const Result byModelJson = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), table, QStringLiteral("--model"), modelJson});
        QVERIFY2(byModelJson.code == 0, qPrintable(byModelJson.err));
        QCOMPARE(readAll(QDir(byModelJson.runDir).filePath(QStringLiteral("henaw.csv"))), readAll(QDir(applied.runDir).filePath(QStringLiteral("henaw.csv"))));
        const QString partial = m_dir.filePath(QStringLiteral("partial-model"));
        QVERIFY(QDir().mkpath(partial));
        for (const char* f : {"model.json", "config.json", "member-0.safetensors"})
            QVERIFY(QFile::copy(QDir(r.runDir).filePath(QStringLiteral("henaw-model/") + QLatin1String(f)), QDir(partial).filePath(QLatin1String(f))));
        const Result lacking = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), table, QStringLiteral("--model"), partial});
        QVERIFY2(lacking.code == 6 && lacking.err.contains(QStringLiteral("lacks encoder.json, which its model.json lists")) && lacking.runDir.isEmpty(),
                 qPrintable(lacking.err));
        const Result aFile = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), table, QStringLiteral("--model"), config});
        QVERIFY2(aFile.code == 6 && aFile.err.contains(QStringLiteral("is a file, not a folder")) && aFile.runDir.isEmpty(), qPrintable(aFile.err));
        // The command line wins where it is given.
        const Result both = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--config"),
                                 config, QStringLiteral("--ensemble"), QStringLiteral("2"), QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(both.code == 0, qPrintable(both.err));
        const QJsonObject mixed = QJsonDocument::fromJson(readAll(QDir(both.runDir).filePath(QStringLiteral("henaw-model/config.json")))).object();
        QCOMPARE(mixed.value(QLatin1String("epochs")).toInt(), 1);
        QCOMPARE(mixed.value(QLatin1String("ensemble")).toInt(), 2);
        QVERIFY(writeAll(config, R"({"ensemble": 0})"));
        const Result zero = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table, QStringLiteral("--config"), config});
        QVERIFY2(zero.code != 0 && (zero.out + zero.err).contains(QStringLiteral("\"ensemble\" must be a whole number from 1")), qPrintable(zero.out + zero.err));
    }

    // A training resumed where another thread count would be "every core" (here: begun inside a
    // Slurm task given 1 CPU, resumed outside it on 2) goes on with the threads it began with:
    // LibTorch's sums split by thread, and another count changes the last bits of the weights.
    // People HENAW cannot use (here: no age) are said on the terminal and in the report; the split's
    // parts added up to less than the table without a word (trial 16).
    void peopleLeftOutOfTrainingAreSaid()
    {
        QList<QByteArray> lines = bioforge::age::test::syntheticCohort(300, 5).split('\n');
        constexpr int kNoAge = 7;
        for (int l = 1; l <= kNoAge; ++l) {
            QList<QByteArray> fields = lines[l].split(',');
            fields[1].clear(); // age_years
            lines[l] = fields.join(',');
        }
        const QString table = m_dir.filePath(QStringLiteral("some-without-age.csv"));
        QVERIFY(writeAll(table, lines.join('\n')));
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), table, QStringLiteral("--epochs"), QStringLiteral("1"),
                              QStringLiteral("--ensemble"), QStringLiteral("1"), QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(r.code == 0 && r.err.contains(QStringLiteral("%1 of 300 rows have no chronological age, no sex, or fewer than half").arg(kNoAge)), qPrintable(r.err));
        const QJsonObject rows = QJsonDocument::fromJson(readAll(QDir(r.runDir).filePath(QStringLiteral("summary.json")))).object().value(QLatin1String("rows")).toObject();
        QCOMPARE(rows.value(QLatin1String("usable")).toInt(), 300 - kNoAge);
        QCOMPARE(rows.value(QLatin1String("train")).toInt() + rows.value(QLatin1String("validation")).toInt() + rows.value(QLatin1String("test")).toInt(), 300 - kNoAge);
        const QString html = m_dir.filePath(QStringLiteral("left-out.html"));
        QVERIFY(run({QStringLiteral("report"), QDir(r.runDir).dirName(), QStringLiteral("--html"), html}).code == 0);
        QVERIFY(readAll(html).contains(QStringLiteral("%1 people were left out: no chronological age").arg(kNoAge).toUtf8()));
    }

    void aResumedTrainingKeepsItsThreads()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        if (QThread::idealThreadCount() < 2)
            QSKIP("one CPU: every count is 1, and the test could not fail");
        const QString project = m_dir.filePath(QStringLiteral("threads-project"));
        QProcessEnvironment oneCpu = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        oneCpu.insert(QStringLiteral("SLURM_CPUS_PER_TASK"), QStringLiteral("1"));
        QProcess p;
        p.setProcessEnvironment(oneCpu);
        p.start(binPath(QStringLiteral("bioforge")),
                {QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"),
                 agePath(QStringLiteral("bioage_nhanes4_shared200.csv")), QStringLiteral("--epochs"), QStringLiteral("400"), QStringLiteral("--ensemble"),
                 QStringLiteral("1"), QStringLiteral("--batch_size"), QStringLiteral("32")});
        QVERIFY(p.waitForStarted());
        // Killed once the training has checkpointed (its thread count among the first entries).
        QVERIFY(QTest::qWaitFor([&] { return checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))) >= 3; }, 120000));
        p.kill();
        QVERIFY(p.waitForFinished(30000));
        QProcess resume;
        QProcessEnvironment twoCpus = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        twoCpus.remove(QStringLiteral("SLURM_CPUS_PER_TASK"));
        resume.setProcessEnvironment(twoCpus);
        resume.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project, QStringLiteral("resume")});
        QVERIFY(resume.waitForFinished(600000));
        const QString said = QString::fromUtf8(resume.readAllStandardError()) + QString::fromUtf8(resume.readAllStandardOutput());
        QVERIFY2(resume.exitCode() == 0, qPrintable(said));
        const QString continuation = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(said).captured(1);
        QVERIFY2(!continuation.isEmpty(), qPrintable(said));
        const QJsonObject record = QJsonDocument::fromJson(readAll(QDir(project).filePath(QStringLiteral("runs/%1/provenance.json").arg(continuation)))).object();
        QCOMPARE(record.value(QLatin1String("libraries")).toObject().value(QLatin1String("LibTorch threads")).toString(), QStringLiteral("1"));
    }

    // kill -9 at seeded random points (support/kill_resume.h) of a HENAW training
    // run (2 members, checkpointed every epoch): the resumed run's model, history
    // and summary are byte-identical. BIOFORGE_KILL_ROUNDS rounds, 2 by default.
    void killDashNineDuringTrainingThenResumeIsByteIdentical()
    {
        if (!ageFixturesAvailable())
            QSKIP("../shared/fixtures/age is not present");
        KillResumeSpec spec;
        spec.name = QStringLiteral("age train");
        spec.workDir = m_dir.filePath(QStringLiteral("kill-property"));
        spec.environment = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        spec.start = [](const QString& project) {
            return QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"),
                               QStringLiteral("--table"), agePath(QStringLiteral("bioage_nhanes4_shared200.csv")), QStringLiteral("--epochs"),
                               QStringLiteral("10"), QStringLiteral("--ensemble"), QStringLiteral("2"), QStringLiteral("--batch_size"), QStringLiteral("32"),
                               QStringLiteral("--threads"), QStringLiteral("1")};
        };
        // Epochs checkpointed so far, over the members: each member's committed
        // state (the file its manifest lists as state.json) says its epoch.
        spec.progress = [](const QString& project) {
            int epochs = 0;
            for (QDirIterator it(QDir(project).filePath(QStringLiteral("checkpoints")), {QStringLiteral("manifest.json")}, QDir::Files,
                                 QDirIterator::Subdirectories);
                 it.hasNext();) {
                const QString manifest = it.next();
                for (const QJsonValue& f : QJsonDocument::fromJson(readAll(manifest)).object().value(QStringLiteral("files")).toArray())
                    if (f.toObject().value(QStringLiteral("role")).toString() == QLatin1String("state.json"))
                        epochs += QJsonDocument::fromJson(readAll(QFileInfo(manifest).dir().filePath(f.toObject().value(QStringLiteral("name")).toString())))
                                      .object()
                                      .value(QStringLiteral("epoch"))
                                      .toInt();
            }
            return epochs;
        };
        spec.outputs = [](const QString& project, const QString& runId) {
            QByteArray all;
            const QDir run(QDir(project).filePath(QStringLiteral("runs/") + runId));
            for (const char* name : {"henaw-model/model.json", "henaw-model/encoder.json", "henaw-model/config.json", "henaw-model/member-0.safetensors",
                                     "henaw-model/member-1.safetensors", "history.csv", "summary.json"})
                all += readAll(run.filePath(QLatin1String(name)));
            return all;
        };
        QString error;
        spec.expected = referenceOutputs(spec, &error);
        QVERIFY2(!spec.expected.isEmpty(), qPrintable(error));
        const int total = spec.progress(QDir(spec.workDir).filePath(QStringLiteral("reference")));
        QVERIFY2(total > 4, qPrintable(QString::number(total)));
        spec.maxStep = total / 2;
        const KillResumeOutcome outcome = killResumeProperty(spec);
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QVERIFY(outcome.kills >= outcome.rounds);
        qInfo("kill -9 property, age train: %d rounds, %d kills, every output identical (%d epochs a run)", outcome.rounds, outcome.kills, total);
    }
};

QTEST_GUILESS_MAIN(TstAgeTrainCli)
#include "tst_age_train_cli.moc"
