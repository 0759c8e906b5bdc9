// Cluster runs against a real one-node Slurm cluster (slurm_cluster.sh,
// started by the ctest fixture slurm_up and stopped by slurm_down), through
// the real `bioforge` program: the demo's viral run split in 4 shards, and
// an age predict split by rows, give the single-machine outputs byte for byte; a task cancelled on the cluster
// fails the run naming it, and `bioforge resume` reruns that task alone; a
// task that fails cancels the merge and the run names the task, its node and
// the end of its log; Ctrl-C (pause) leaves nothing queued; a resume refuses
// an input edited since the plan before submitting; a moved project resumes
// where it is; a cancel of an interrupted run cancels its jobs; an option the
// cluster refuses is reported in Slurm's words.
// Held jobs (`--sbatch-line=--hold`) let the test act on the cluster before
// a task runs, without timing assumptions.

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
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace bioforge::test;

namespace {

const QStringList kOutputs = {QStringLiteral("prediction_results.txt"), QStringLiteral("frames.tsv"), QStringLiteral("chunks.tsv"),
                              QStringLiteral("contigs.tsv"), QStringLiteral("summary.json")};

} // namespace

class TstSlurmCluster : public QObject {
    Q_OBJECT
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
        for (const QString& f : kOutputs) {
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

    // Starts a held cluster run of `fasta` in 3 shards in `projectFolder` and pauses it (Ctrl-C) once
    // its jobs are queued; returns its id.
    QString pausedHeldRun(const QString& projectFolder, const QString& fasta)
    {
        QStringList args = predictArgs();
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

private slots:
    void initTestCase()
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

    void fourShardsGiveTheSingleMachineOutputs()
    {
        const Result r = run(predictArgs() + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString runId = runIdFrom(r.err);
        const QString runDir = QDir(project()).filePath(QStringLiteral("runs/") + runId);
        compareWithLocal(runDir);
        const QJsonObject cluster = provenance(runId).value(QLatin1String("cluster")).toObject();
        QCOMPARE(cluster.value(QLatin1String("backend")).toString(), QStringLiteral("slurm"));
        QCOMPARE(cluster.value(QLatin1String("cluster_name")).toString(), QStringLiteral("bioforge-test"));
        const QJsonArray tasks = cluster.value(QLatin1String("tasks")).toArray();
        QCOMPARE(tasks.size(), 4);
        for (const QJsonValue& t : tasks) {
            QVERIFY(!t.toObject().value(QLatin1String("node")).toString().isEmpty());
            QVERIFY(!t.toObject().value(QLatin1String("job_id")).toString().isEmpty());
        }
        const QJsonObject plan = cluster.value(QLatin1String("plan")).toObject();
        QCOMPARE(plan.value(QLatin1String("unit")).toString(), QStringLiteral("bases"));
        QVERIFY(plan.value(QLatin1String("largest_over_mean")).toDouble() < 2.0);
        const QJsonArray submissions = cluster.value(QLatin1String("submissions")).toArray();
        QCOMPARE(submissions.size(), 2);
        QVERIFY(submissions[1].toObject().value(QLatin1String("sbatch_arguments")).toVariant().toStringList().contains(QStringLiteral("--kill-on-invalid-dep=yes")));
        const QString script = QString::fromUtf8(readAll(QDir(runDir).filePath(QStringLiteral("cluster-task.sbatch"))));
        QVERIFY(script.startsWith(QLatin1String("#!/bin/sh\n")));
        QVERIFY(script.contains(QLatin1String(" cluster task '")));
        // `bioforge status` shows every task done on its node, and the merge.
        const Result status = run({QStringLiteral("status"), runId});
        QCOMPARE(status.code, 0);
        QCOMPARE(status.out.count(QRegularExpression(QStringLiteral("task \\d/4  done +\\S+"))), 4);
        QVERIFY2(status.out.contains(QLatin1String("merge     done")) && status.out.contains(QLatin1String("on cluster bioforge-test")), qPrintable(status.out));
        // The report of a cluster run is the viral report, with where it ran.
        QCOMPARE(run({QStringLiteral("report"), runId}).code, 0);
        const QString html = QString::fromUtf8(readAll(QDir(project()).filePath(QStringLiteral("reports/%1.html").arg(runId))));
        QVERIFY2(html.contains(QLatin1String("Cluster bioforge-test (Slurm): 4 shards")) && html.contains(QLatin1String("task 4")), qPrintable(html.left(2000)));
    }

    void agePredictShardsByRowsToTheSameBytes()
    {
        // A table of several prediction chunks: the demo's NHANES IV people four times, ids made unique.
        QDirIterator it(m_dir.filePath(QStringLiteral("home")), {QStringLiteral("nhanes4-demo.csv.gz")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        const Result csv = slurm(QStringLiteral("gzip"), {QStringLiteral("-dc"), it.next()});
        QStringList lines = csv.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() > 1000);
        QString table = lines.takeFirst() + QLatin1Char('\n');
        for (int copy = 1; copy <= 4; ++copy)
            for (const QString& line : lines)
                table += line.section(QLatin1Char(','), 0, 0) + QStringLiteral("_c%1,").arg(copy) + line.section(QLatin1Char(','), 1) + QLatin1Char('\n');
        const QString tableFile = m_dir.filePath(QStringLiteral("cohort x4.csv"));
        QFile f(tableFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(table.toUtf8());
        f.close();
        QDirIterator models(QDir(project()).filePath(QStringLiteral("runs")), {QStringLiteral("henaw-model")}, QDir::Dirs, QDirIterator::Subdirectories);
        QVERIFY(models.hasNext());
        const QStringList args = {QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("predict"), QStringLiteral("--model"), models.next(),
                                  QStringLiteral("--table"), tableFile};
        const Result local = run(args);
        QVERIFY2(local.code == 0, qPrintable(local.err));
        const Result cluster = run(args + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("3")});
        QVERIFY2(cluster.code == 0, qPrintable(cluster.err + cluster.out));
        const QString clusterId = runIdFrom(cluster.err);
        for (const QString& file : {QStringLiteral("henaw.csv"), QStringLiteral("summary.json"), QStringLiteral("validation.tsv")}) {
            const QByteArray a = readAll(QDir(project()).filePath(QStringLiteral("runs/%1/%2").arg(runIdFrom(local.err), file)));
            QVERIFY(!a.isEmpty());
            QVERIFY2(a == readAll(QDir(project()).filePath(QStringLiteral("runs/%1/%2").arg(clusterId, file))), qPrintable(file + QStringLiteral(" differs")));
        }
        const QJsonObject plan = provenance(clusterId).value(QLatin1String("cluster")).toObject().value(QLatin1String("plan")).toObject();
        QCOMPARE(plan.value(QLatin1String("unit")).toString(), QStringLiteral("rows"));
        QCOMPARE(plan.value(QLatin1String("shards")).toInt(), 3);
    }

    void cancelledTaskIsNamedAndResumedAlone()
    {
        QProcess p;
        startHeld(p, project(), predictArgs(), 4);
        QStringList held;
        waitForHeld(5, held); // 4 tasks and the merge
        QString arrayId, mergeId;
        for (const QString& line : held) {
            const QString id = line.section(QLatin1Char('|'), 0, 0);
            if (id.contains(QLatin1Char('_')))
                arrayId = id.section(QLatin1Char('_'), 0, 0);
            else
                mergeId = id;
        }
        QVERIFY(!arrayId.isEmpty() && !mergeId.isEmpty());
        QCOMPARE(slurm(QStringLiteral("scancel"), {arrayId + QStringLiteral("_2")}).code, 0);
        QCOMPARE(slurm(QStringLiteral("scontrol"), {QStringLiteral("release"), arrayId}).code, 0);
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError()) + QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QLatin1String("task 3 of 4")) && err.contains(QLatin1String("cancelled before it started")), qPrintable(err));
        const QString runId = runIdFrom(err);
        QVERIFY(!runId.isEmpty());
        const Result status = run({QStringLiteral("status"), runId});
        QVERIFY2(status.out.contains(QRegularExpression(QStringLiteral("task 3/4  not on the cluster"))), qPrintable(status.out));
        // The merge never runs, and nothing of this run stays queued once its tasks end.
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(mergeId).isEmpty() || queue().filter(mergeId).first().contains(QLatin1String("CANCELLED")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(arrayId + QLatin1Char('_')).isEmpty(), 60000);

        // A job of this run that its record does not name (as if the process died right after sbatch): resume cancels it.
        const Result orphan = slurm(QStringLiteral("sbatch"), {QStringLiteral("--parsable"), QStringLiteral("--hold"), QStringLiteral("--job-name=bioforge-") + runId.right(8),
                                                               QStringLiteral("--output=/dev/null"), QStringLiteral("--wrap=true")});
        QCOMPARE(orphan.code, 0);
        const QString orphanId = orphan.out.trimmed();
        // Resume: only task 3 is submitted again (held: released here), and the outputs are the single-machine ones.
        QProcess resume;
        resume.setProcessEnvironment(env());
        resume.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("resume"), runId});
        QStringList again;
        waitForHeld(2, again); // task 3 and a new merge
        for (const QString& line : again)
            QCOMPARE(slurm(QStringLiteral("scontrol"), {QStringLiteral("release"), line.section(QLatin1Char('|'), 0, 0).section(QLatin1Char('_'), 0, 0)}).code, 0);
        QVERIFY(resume.waitForFinished(120000));
        const QString resumeErr = QString::fromUtf8(resume.readAllStandardError());
        QVERIFY2(resumeErr.contains(QStringLiteral("Slurm job(s) %1 of this run were never recorded").arg(orphanId)), qPrintable(resumeErr));
        QVERIFY(queue().filter(orphanId + QLatin1Char('|')).isEmpty());
        QVERIFY2(resume.exitCode() == 0, qPrintable(resumeErr));
        const QString resumedId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumeErr).captured(1);
        compareWithLocal(QDir(project()).filePath(QStringLiteral("runs/") + resumedId));
        const QJsonArray submissions = provenance(resumedId).value(QLatin1String("cluster")).toObject().value(QLatin1String("submissions")).toArray();
        QJsonArray taskSubmissions;
        for (const QJsonValue& s : submissions)
            if (s.toObject().value(QLatin1String("kind")).toString() == QLatin1String("tasks"))
                taskSubmissions.append(s.toObject().value(QLatin1String("indices")));
        QCOMPARE(taskSubmissions, (QJsonArray{QJsonArray{0, 1, 2, 3}, QJsonArray{2}}));
    }

    void failedTaskCancelsTheMergeAndIsExplained()
    {
        QProcess p;
        startHeld(p, project(), predictArgs(), 4);
        QStringList held;
        waitForHeld(5, held);
        QString arrayId, mergeId;
        for (const QString& line : held) {
            const QString id = line.section(QLatin1Char('|'), 0, 0);
            (id.contains(QLatin1Char('_')) ? arrayId : mergeId) = id.section(QLatin1Char('_'), 0, 0);
        }
        // Task 2's project cannot be created: a file stands where its folder goes.
        const QString runId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!runId.isEmpty());
        const QString taskDir = QDir(project()).filePath(QStringLiteral("checkpoints/%1/cluster/tasks/1").arg(runId));
        QVERIFY(QDir().mkpath(taskDir));
        QFile blocker(QDir(taskDir).filePath(QStringLiteral("project")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QCOMPARE(slurm(QStringLiteral("scontrol"), {QStringLiteral("release"), arrayId}).code, 0);
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError()) + QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QLatin1String("task 2 of 4")) && err.contains(QLatin1String("FAILED")) && err.contains(QLatin1String("on node ")), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("the end of its log")) && err.contains(taskDir + QStringLiteral("/project")), qPrintable(err)); // the task's own message
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(mergeId + QLatin1Char('|')).isEmpty()
                                     || !queue().filter(mergeId + QLatin1Char('|')).first().contains(QLatin1String("PENDING")), 30000);
        const Result status = slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-j"), mergeId,
                                                               QStringLiteral("-o"), QStringLiteral("%T")});
        QVERIFY2(status.out.trimmed() == QLatin1String("CANCELLED") || status.code != 0, qPrintable(status.out + status.err));
    }

    void pauseLeavesNothingQueued()
    {
        QProcess p;
        startHeld(p, project(), predictArgs(), 3);
        QStringList held;
        waitForHeld(4, held);
        ::kill(pid_t(p.processId()), SIGINT); // Ctrl-C: pause
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(QStringLiteral("PENDING")).isEmpty() && queue().filter(QStringLiteral("RUNNING")).isEmpty(), 30000);
    }

    // A paused run is not under way (`status` lists none). An input edited in place while it waited
    // (one base: the size is the same) is refused by the resume before anything is submitted, naming
    // both checksums (tasks had computed from it, and a plan of the old content dropped a contig);
    // put back, the run resumes and ends as the single-machine run.
    void aResumeChecksTheInputsBeforeSubmitting()
    {
        const QString copy = m_fasta; // edited and put back: the outputs name their input file
        const QByteArray original = readAll(copy);
        const auto restore = qScopeGuard([&] { writeAll(copy, original); });
        const QString runId = pausedHeldRun(project(), copy);
        QVERIFY(!runId.isEmpty());
        const Result status = run({QStringLiteral("status")});
        QVERIFY2(status.code == 0 && status.out.contains(QLatin1String("no cluster run under way")), qPrintable(status.out));
        QByteArray edited = readAll(copy);
        const qsizetype base = edited.lastIndexOf('A');
        QVERIFY(base > edited.lastIndexOf('>'));
        edited[base] = 'C';
        QVERIFY(writeAll(copy, edited));
        const Result refused = run({QStringLiteral("resume"), runId});
        QVERIFY2(refused.code == 1 && refused.out.contains(QStringLiteral("the input %1 changed after the run was planned").arg(copy)), qPrintable(refused.out + refused.err));
        QVERIFY(queue().filter(QStringLiteral("JobHeldUser")).isEmpty()); // nothing was submitted
        const QString continuation = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(refused.err).captured(1);
        QVERIFY(writeAll(copy, original));
        const Result resumed = resumeReleasing(project(), continuation);
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        compareWithLocal(QDir(project()).filePath(QStringLiteral("runs/") + QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1)));
    }

    // A project moved while a cluster run was paused: the resume writes the scripts for where it is
    // now (they named the old folder: every task failed, or, in a copy, wrote into the original).
    void aMovedProjectResumesWhereItIsNow()
    {
        const QString before = m_dir.filePath(QStringLiteral("to-move")), after = m_dir.filePath(QStringLiteral("moved"));
        const QString runId = pausedHeldRun(before, m_fasta);
        QVERIFY(!runId.isEmpty());
        QVERIFY(QDir().rename(before, after));
        const Result resumed = resumeReleasing(after, runId);
        QVERIFY2(resumed.code == 0 && resumed.err.contains(QLatin1String("the project was moved or copied since this run was planned")),
                 qPrintable(resumed.err + resumed.out));
        compareWithLocal(QDir(after).filePath(QStringLiteral("runs/") + QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1)));
        QVERIFY(!QFileInfo::exists(before)); // nothing written where it was
    }

    // A cluster run whose process was killed, cancelled: its queued jobs are cancelled too (they ran
    // on, and the merge with them).
    void cancellingAnInterruptedRunCancelsItsJobs()
    {
        QProcess p;
        startHeld(p, project(), predictArgs(), 3);
        QStringList held;
        waitForHeld(4, held);
        p.kill();
        QVERIFY(p.waitForFinished(30000));
        const QString runId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!runId.isEmpty());
        const Result cancelled = run({QStringLiteral("cancel"), runId});
        QVERIFY2(cancelled.code == 0 && cancelled.out.contains(QLatin1String("its Slurm jobs ")) && cancelled.out.contains(QLatin1String(" were cancelled")), qPrintable(cancelled.out + cancelled.err));
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(QStringLiteral("JobHeldUser")).isEmpty(), 30000);
    }

    // A model given by its folder (no registry checksum): the tasks run it; the plan's model check
    // compares only registered models' checksums (every task failed "the model changed").
    void aModelGivenByPathRunsOnTheCluster()
    {
        QDirIterator it(m_dir.filePath(QStringLiteral("home")), {QStringLiteral("viral-test-esm2")}, QDir::Dirs | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        QStringList args = predictArgs();
        args[args.indexOf(QStringLiteral("viral-test-esm2"))] = it.next();
        const Result r = run(args + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("2")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString runDir = QDir(project()).filePath(QStringLiteral("runs/") + runIdFrom(r.err));
        QCOMPARE(readAll(QDir(runDir).filePath(QStringLiteral("prediction_results.txt"))), readAll(QDir(m_localRunDir).filePath(QStringLiteral("prediction_results.txt"))));
    }

    void refusedOptionIsReportedInSlurmsWords()
    {
        const Result r = run(predictArgs() + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--partition"), QStringLiteral("nosuchpartition")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QLatin1String("Slurm refused the job")) && r.out.contains(QLatin1String("invalid partition")), qPrintable(r.out + r.err));
        // Syntax Slurm would misread never reaches it.
        const Result bad = run(predictArgs() + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--time"), QStringLiteral("soon")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QLatin1String("cluster option time 'soon'")), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TstSlurmCluster)
#include "tst_slurm_cluster.moc"
