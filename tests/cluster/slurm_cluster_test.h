#pragma once

// What the tests on the local Slurm cluster (slurm_cluster.sh, started by the
// ctest fixture slurm_up and stopped by slurm_down) share: the real `bioforge`
// program in a project of its own, the demo's TEST models and contigs, one
// single-machine run to compare with, squeue and scontrol, and held jobs
// (`--sbatch-line=--hold`) that let a test act on the cluster before a task
// runs, without timing assumptions.

#include "support/test_support.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

namespace bioforge::test {

// The viral run's outputs, compared byte for byte with the single-machine run's.
inline const QStringList kClusterRunOutputs = {QStringLiteral("prediction_results.txt"), QStringLiteral("frames.tsv"), QStringLiteral("chunks.tsv"),
                                               QStringLiteral("contigs.tsv"), QStringLiteral("summary.json")};

class SlurmClusterTest : public QObject {
protected:
    QTemporaryDir m_dir;
    QString m_slurmConf;
    QString m_fasta;
    QString m_localRunDir;

    struct Result {
        int code = -1;
        QString out, err;
    };

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        e.insert(QStringLiteral("SLURM_CONF"), m_slurmConf);
        e.insert(QStringLiteral("BIOFORGE_CLUSTER_POLL_MS"), QStringLiteral("300"));
        return e;
    }
    QString project() const { return m_dir.filePath(QStringLiteral("project")); }

    Result run(const QStringList& args, int timeoutMs = 240000)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
        p.waitForFinished(timeoutMs);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }
    Result slurm(const QString& program, const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(program, args);
        p.waitForFinished(60000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }
    QStringList predictArgs() const
    {
        return {QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), m_fasta, QStringLiteral("--dnabert"), QStringLiteral("viral-test-dnabert-s"),
                QStringLiteral("--esm"), QStringLiteral("viral-test-esm2"), QStringLiteral("--classifier"), QStringLiteral("viral-test-classifier"),
                QStringLiteral("--shard_frames"), QStringLiteral("16"), QStringLiteral("--no-reuse_results")};
    }
    // Held jobs of the cluster: "id|name|state|reason" lines.
    QStringList queue()
    {
        const Result r = slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-r"), QStringLiteral("-o"), QStringLiteral("%i|%j|%T|%r")});
        return r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }
    // Waits (polling squeue) until `count` held jobs are queued.
    void waitForHeld(int count, QStringList& held)
    {
        QTRY_VERIFY_WITH_TIMEOUT((held = queue().filter(QStringLiteral("JobHeldUser"))).size() >= count, 60000);
    }
    static QString runIdFrom(const QString& text)
    {
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text);
        return m.captured(1);
    }
    void compareWithLocal(const QString& runDir)
    {
        for (const QString& f : kClusterRunOutputs) {
            const QByteArray local = readAll(QDir(m_localRunDir).filePath(f)), cluster = readAll(QDir(runDir).filePath(f));
            QVERIFY2(!local.isEmpty(), qPrintable(f));
            QVERIFY2(local == cluster, qPrintable(QStringLiteral("%1 differs from the single-machine run's").arg(f)));
        }
    }
    QJsonObject provenance(const QString& runId)
    {
        return QJsonDocument::fromJson(readAll(QDir(project()).filePath(QStringLiteral("runs/%1/provenance.json").arg(runId)))).object();
    }

    // Releases every held job of the cluster (an array once).
    void releaseHeld(const QStringList& held)
    {
        QStringList ids;
        for (const QString& line : held)
            if (const QString id = line.section(QLatin1Char('|'), 0, 0).section(QLatin1Char('_'), 0, 0); !ids.contains(id))
                ids << id;
        for (const QString& id : ids)
            QCOMPARE(slurm(QStringLiteral("scontrol"), {QStringLiteral("release"), id}).code, 0);
    }

    // Starts `args` (a run's command) in `projectFolder` as a cluster run of `shards` shards whose
    // jobs are held.
    void startHeld(QProcess& p, const QString& projectFolder, const QStringList& args, int shards)
    {
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), projectFolder} + args
                                                         + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"),
                                                                       QString::number(shards), QStringLiteral("--sbatch-line=--hold")});
    }

    // Starts a held cluster run of `fasta` in 3 shards in `projectFolder` (with `args`, predictArgs()
    // where empty) and pauses it (Ctrl-C) once its jobs are queued; returns its id.
    QString pausedHeldRun(const QString& projectFolder, const QString& fasta, QStringList args = {})
    {
        if (args.isEmpty())
            args = predictArgs();
        args[args.indexOf(m_fasta)] = fasta;
        QProcess p;
        startHeld(p, projectFolder, args, 3);
        QStringList held;
        waitForHeld(4, held);
        ::kill(pid_t(p.processId()), SIGINT);
        if (!p.waitForFinished(60000) || p.exitCode() != 3)
            return QString();
        for (QDeadlineTimer left(30000); !queue().filter(QStringLiteral("JobHeldUser")).isEmpty();) { // the pause cancels them
            if (left.hasExpired())
                return QString();
            QThread::msleep(200);
        }
        return runIdFrom(QString::fromUtf8(p.readAllStandardError()));
    }

    // Resumes `runId` in `projectFolder`, releases the jobs it submits, and returns what it said.
    Result resumeReleasing(const QString& projectFolder, const QString& runId)
    {
        QProcess resume;
        resume.setProcessEnvironment(env());
        resume.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), projectFolder, QStringLiteral("resume"), runId});
        QStringList again;
        waitForHeld(4, again); // 3 tasks and the merge
        releaseHeld(again);
        const bool finished = resume.waitForFinished(180000);
        return {finished && resume.exitStatus() == QProcess::NormalExit ? resume.exitCode() : -1, QString::fromUtf8(resume.readAllStandardOutput()),
                QString::fromUtf8(resume.readAllStandardError())};
    }

    // A copy of the registered model `name`'s folder at `folder` (the registered one stays as it is),
    // to give by path; empty when it could not be made.
    QString copyOfRegisteredModel(const QString& name, const QString& folder)
    {
        QDirIterator it(m_dir.filePath(QStringLiteral("home")), {name}, QDir::Dirs | QDir::Hidden, QDirIterator::Subdirectories);
        if (!it.hasNext())
            return QString();
        const QDir registered(it.next()), copy(folder);
        if (!copy.mkpath(QStringLiteral(".")) || !registered.entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty()) // a flat folder: copied whole
            return QString();
        for (const QFileInfo& f : registered.entryInfoList(QDir::Files | QDir::Hidden))
            if (!QFile::copy(f.filePath(), copy.filePath(f.fileName())))
                return QString();
        return copy.path();
    }

    // The whole of initTestCase: skipped (failed under BIOFORGE_REQUIRE_SLURM) without a cluster;
    // the demo's models and contigs, and the single-machine run the cluster runs are compared with.
    void setUpCluster()
    {
        QVERIFY(m_dir.isValid());
        const QString stateFile = QStringLiteral(BIOFORGE_BUILD_DIR "/slurm-test-cluster.state");
        const QString state = QString::fromUtf8(readAll(stateFile));
        m_slurmConf = QRegularExpression(QStringLiteral("^SLURM_CONF=(.*)$"), QRegularExpression::MultilineOption).match(state).captured(1);
        if (m_slurmConf.isEmpty()) {
            const QString skip = QRegularExpression(QStringLiteral("^SKIP=(.*)$"), QRegularExpression::MultilineOption).match(state).captured(1);
            const QString why = QStringLiteral("no test Slurm cluster: %1").arg(skip.isEmpty() ? stateFile + QStringLiteral(" names none (the fixture slurm_up starts it)") : skip);
            if (qEnvironmentVariableIsSet("BIOFORGE_REQUIRE_SLURM"))
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        // The demo registers the viral TEST models and writes its contigs.
        const Result demo = run({QStringLiteral("--quiet"), QStringLiteral("demo")});
        QVERIFY2(demo.code == 0, qPrintable(demo.err));
        QDirIterator it(m_dir.filePath(QStringLiteral("home")), {QStringLiteral("viral-demo-contigs.fa")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        m_fasta = it.next();
        const Result local = run(predictArgs());
        QVERIFY2(local.code == 0, qPrintable(local.err));
        m_localRunDir = QDir(project()).filePath(QStringLiteral("runs/") + runIdFrom(local.err));
    }
};

} // namespace bioforge::test
