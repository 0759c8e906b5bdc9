// `bioforge cluster task` run by hand as Slurm runs it, without a cluster: a
// task stopped by SIGTERM (Slurm's time limit, a scancel) points at the cluster
// run's resume, and the next task of its shard continues it.

#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace bioforge::test;

class TstCliClusterTask : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QProcessEnvironment env() const { return isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))); }

private slots:
    // A cluster task stopped by Slurm (SIGTERM at its time limit, or a scancel) checkpoints, and its
    // log says the cluster run resumes it, not 'bioforge resume' in the task's own project (a run
    // resumed there would never join the cluster run). The next task of that shard continues it.
    // The work folder is written as a cluster run plans one (the self-test: no Slurm needed here).
    void aStoppedClusterTaskSaysTheClusterRunResumesIt()
    {
        const QDir work(m_dir.filePath(QStringLiteral("cluster-work")));
        QVERIFY(work.mkpath(QStringLiteral(".")));
        const QJsonObject plan{{QStringLiteral("schema"), QStringLiteral("bioforge-selftest-shards/1")},
                               {QStringLiteral("units"), 400},
                               {QStringLiteral("shards"), QJsonArray{QJsonArray{0, 200}, QJsonArray{200, 400}}}};
        const QJsonObject config{{QStringLiteral("schema"), QStringLiteral("bioforge-cluster-run/1")},
                                 {QStringLiteral("plugin"), QStringLiteral("workbench")},
                                 {QStringLiteral("verb"), QStringLiteral("selftest")},
                                 {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("units"), 400}, {QStringLiteral("values"), 2048}, {QStringLiteral("work"), 3000}}},
                                 {QStringLiteral("shards"), 2},
                                 {QStringLiteral("plan_file"), work.filePath(QStringLiteral("plan.json"))}};
        QVERIFY(writeAll(work.filePath(QStringLiteral("plan.json")), QJsonDocument(plan).toJson()));
        QVERIFY(writeAll(work.filePath(QStringLiteral("cluster.json")), QJsonDocument(config).toJson()));
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("cluster"), QStringLiteral("task"), work.path(), QStringLiteral("1")});
        QVERIFY(p.waitForStarted());
        QVERIFY(QTest::qWaitFor([&] { return checkpointManifestCount(work.filePath(QStringLiteral("tasks/1/project/checkpoints"))) >= 4; }, 60000));
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
        const QString said = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(said.contains(QLatin1String(": paused (shard 2 of 2 continues from its checkpoint if the cluster run is resumed)")) && !said.contains(QLatin1String("bioforge resume"))
                     && !said.contains(QLatin1String(" continues it")),
                 qPrintable(said));
        QProcess again;
        again.setProcessEnvironment(env());
        again.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("cluster"), QStringLiteral("task"), work.path(), QStringLiteral("1")});
        QVERIFY(again.waitForFinished(120000));
        const QString againErr = QString::fromUtf8(again.readAllStandardError());
        QVERIFY2(again.exitCode() == 0 && againErr.contains(QLatin1String("shard 2 of 2: run ")) && againErr.contains(QLatin1String(" resumed as run ")),
                 qPrintable(againErr));
        QVERIFY(QFileInfo::exists(work.filePath(QStringLiteral("tasks/1/result.json"))));
    }
};

QTEST_GUILESS_MAIN(TstCliClusterTask)
#include "tst_cli_cluster_task.moc"
