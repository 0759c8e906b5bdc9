// Cancel of a cluster run from the window's side (RunService::cancel, as the
// Jobs dock's Cancel): every queued job of the run is scancelled, the run
// ends cancelled, and nothing of it stays on the cluster. Runs in process
// against the test cluster (fixture slurm_up), with the demo's viral TEST
// models written by `bioforge demo`.

#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "plugin/plugin_manager.h"
#include "provenance/run_record.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"
#include "support/test_support.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstClusterCancel : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QStringList queue()
    {
        QProcess p;
        p.start(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-r"), QStringLiteral("-o"), QStringLiteral("%i|%j|%T|%r")});
        p.waitForFinished(60000);
        return QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }
    QString find(const QString& name, QDir::Filters filters) const
    {
        QDirIterator it(m_dir.filePath(QStringLiteral("home")), {name}, filters | QDir::Hidden, QDirIterator::Subdirectories);
        return it.hasNext() ? it.next() : QString();
    }

private slots:
    void cancelLeavesNothingQueued()
    {
        const QString state = QString::fromUtf8(readAll(QStringLiteral(BIOFORGE_BUILD_DIR "/slurm-test-cluster.state")));
        const QString conf = QRegularExpression(QStringLiteral("^SLURM_CONF=(.*)$"), QRegularExpression::MultilineOption).match(state).captured(1);
        if (conf.isEmpty()) {
            if (qEnvironmentVariableIsSet("BIOFORGE_REQUIRE_SLURM"))
                QFAIL("no test Slurm cluster");
            QSKIP("no test Slurm cluster (see tst_slurm_cluster)");
        }
        qputenv("SLURM_CONF", conf.toUtf8());
        qputenv("BIOFORGE_CLI", binPath(QStringLiteral("bioforge")).toUtf8());
        qputenv("BIOFORGE_CLUSTER_POLL_MS", "300");
        QProcess demo;
        demo.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        demo.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), m_dir.filePath(QStringLiteral("demo")), QStringLiteral("--quiet"), QStringLiteral("demo")});
        QVERIFY(demo.waitForFinished(300000));
        // What the demo said, when it fails: a run's error is on its summary lines (stdout) or stderr.
        QVERIFY2(demo.exitCode() == 0, (demo.readAllStandardOutput() + demo.readAllStandardError()).constData());
        const QString fasta = find(QStringLiteral("viral-demo-contigs.fa"), QDir::Files);
        const QString dnabert = find(QStringLiteral("viral-test-dnabert-s"), QDir::Dirs);
        const QString esm = find(QStringLiteral("viral-test-esm2"), QDir::Dirs);
        const QString classifier = find(QStringLiteral("classifier.safetensors"), QDir::Files);
        QVERIFY(!fasta.isEmpty() && !dnabert.isEmpty() && !esm.isEmpty() && !classifier.isEmpty());

        core::Session session(core::Session::Options{});
        QVERIFY(session.openProject(m_dir.filePath(QStringLiteral("project")), true));
        QVERIFY2(session.plugins().plugin(QStringLiteral("viral")), "the viral plugin is not loaded (BIOFORGE_PLUGIN_PATH)");
        const QJsonObject parameters{{QStringLiteral("inputs"), QJsonArray{fasta}}, {QStringLiteral("dnabert"), dnabert}, {QStringLiteral("esm"), esm},
                                     {QStringLiteral("classifier"), classifier}, {QStringLiteral("shard_frames"), 16},
                                     {QStringLiteral("cluster"), QJsonObject{{QStringLiteral("shards"), 3}, {QStringLiteral("sbatch_lines"), QJsonArray{QStringLiteral("--hold")}}}}};
        QSignalSpy ended(session.runs(), &core::RunService::runEnded);
        auto id = session.runs()->start(QStringLiteral("viral"), QStringLiteral("predict"), parameters);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message()));
        const QString jobName = QStringLiteral("bioforge-") + id->right(8);
        QTRY_COMPARE_WITH_TIMEOUT(queue().filter(QLatin1Char('|') + jobName).size(), 4, 60000); // 3 tasks and the merge, held
        // The Jobs dock's line says where the shards stand, with Slurm's reason for the wait.
        QTRY_VERIFY_WITH_TIMEOUT(session.scheduler().handle(*id)->snapshot().message.contains(QLatin1String("0 of 3 shards done, 0 running, 3 queued (Slurm: JobHeldUser)")), 30000);
        session.runs()->cancel(*id);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
        QCOMPARE(ended.first().at(1).toBool(), false);
        auto record = session.project()->store().run(*id);
        QVERIFY(record);
        QCOMPARE(record->state, core::RunState::Cancelled);
        QVERIFY2(queue().filter(jobName).isEmpty(), qPrintable(queue().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TstClusterCancel)
#include "tst_cluster_cancel.moc"
