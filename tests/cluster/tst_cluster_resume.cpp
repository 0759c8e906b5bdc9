// Cluster runs paused, resumed, moved and cancelled, against the real one-node
// Slurm cluster (slurm_cluster_test.h): Ctrl-C (pause) leaves nothing queued; a
// resume refuses an input or a model edited since the plan before it submits anything; a
// moved project resumes where it is; a cancel of an interrupted run cancels its
// jobs.

#include "slurm_cluster_test.h"

#include "provenance/run_record.h"
#include "store/project_store.h"

#include <QScopeGuard>

using namespace bioforge::test;

class TstClusterResume : public SlurmClusterTest {
    Q_OBJECT

private slots:
    void initTestCase() { setUpCluster(); }

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

    // A run paused (or cancelled) while the controller did not answer keeps its jobs on the cluster:
    // scancel could not reach them. `status` lists it with them and how to follow or stop them (it
    // said "no cluster run under way" while they ran to the end: trial 22). Made here as such a
    // pause leaves it: a process killed with its jobs queued, its record then set paused.
    void aPausedRunWithJobsLeftOnTheClusterIsUnderWay()
    {
        QProcess p;
        startHeld(p, project(), predictArgs(), 3);
        QStringList held;
        waitForHeld(4, held);
        const QString runId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!runId.isEmpty());
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QStringList ids;
        for (const QString& line : held)
            if (const QString id = line.section(QLatin1Char('|'), 0, 0).section(QLatin1Char('_'), 0, 0); !ids.contains(id))
                ids << id;
        const auto cleanUp = qScopeGuard([&] { slurm(QStringLiteral("scancel"), ids); });
        // Its bioforge killed: interrupted, as `runs` says it (it read "running": trial 22).
        const Result killed = run({QStringLiteral("status")});
        QVERIFY2(killed.code == 0 && killed.out.contains(QStringLiteral("run %1 (interrupted)").arg(runId)), qPrintable(killed.out + killed.err));
        {
            auto store = bioforge::core::ProjectStore::open(QDir(project()).filePath(QStringLiteral("project.sqlite")));
            QVERIFY(store);
            auto record = (*store)->run(runId);
            QVERIFY(record);
            record->state = bioforge::core::RunState::Paused;
            QVERIFY((*store)->updateRun(*record));
        }
        const Result underWay = run({QStringLiteral("status")});
        QVERIFY2(underWay.code == 0 && underWay.out.contains(QStringLiteral("run %1 (paused)").arg(runId))
                     && underWay.out.contains(QLatin1String("3 tasks are still on the cluster (it was stopped while Slurm did not answer)"))
                     && underWay.out.contains(QStringLiteral("'bioforge resume %1' follows them").arg(runId)) && underWay.out.contains(QLatin1String("'scancel ")),
                 qPrintable(underWay.out + underWay.err));
        QCOMPARE(slurm(QStringLiteral("scancel"), ids).code, 0);
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(QStringLiteral("JobHeldUser")).isEmpty(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(run({QStringLiteral("status")}).out.contains(QLatin1String("no cluster run under way")), 30000);
        // Cancelled for good: what the run kept stays, nothing of it is left on the cluster.
        QCOMPARE(run({QStringLiteral("cancel"), runId}).code, 0);
    }

    // A model given by path and edited in place while the run was paused (its checksum is in the plan):
    // the resume refuses it before it submits anything, naming the model (each task would have refused
    // it after its wait in the queue); put back, the resume checksums it again, finds the plan's and the
    // run ends as the single-machine run.
    void aResumeChecksTheModelsBeforeSubmitting()
    {
        const QString esm = copyOfRegisteredModel(QStringLiteral("viral-test-esm2"), m_dir.filePath(QStringLiteral("esm-by-path")));
        QVERIFY(!esm.isEmpty());
        QStringList args = predictArgs();
        args[args.indexOf(QStringLiteral("viral-test-esm2"))] = esm;
        const QString runId = pausedHeldRun(project(), m_fasta, args);
        QVERIFY(!runId.isEmpty());
        const QString config = QDir(esm).filePath(QStringLiteral("config.json"));
        const QByteArray original = readAll(config);
        const auto restore = qScopeGuard([&] { writeAll(config, original); });
        QVERIFY(writeAll(config, original + '\n')); // still the same model to read, another file to checksum
        const Result refused = run({QStringLiteral("resume"), runId});
        QVERIFY2(refused.code == 1 && refused.out.contains(QLatin1String("the --esm model changed after the run was planned")), qPrintable(refused.out + refused.err));
        QVERIFY(queue().filter(QStringLiteral("JobHeldUser")).isEmpty()); // nothing was submitted
        const QString continuation = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(refused.err).captured(1);
        QVERIFY(writeAll(config, original));
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
        // Its record says where it was (the block had lived in the dead process only): the plan, the
        // submissions and a job per task.
        const QJsonObject cluster = provenance(runId).value(QLatin1String("cluster")).toObject();
        QCOMPARE(cluster.value(QLatin1String("plan")).toObject().value(QLatin1String("shards")).toInt(), 3);
        QCOMPARE(cluster.value(QLatin1String("submissions")).toArray().size(), 2); // the tasks and the merge
        const QJsonArray tasks = cluster.value(QLatin1String("tasks")).toArray();
        QCOMPARE(tasks.size(), 3);
        for (const QJsonValue& t : tasks)
            QVERIFY2(!t.toObject().value(QLatin1String("job_id")).toString().isEmpty(), QJsonDocument(cluster).toJson().constData());
    }
};

QTEST_GUILESS_MAIN(TstClusterResume)
#include "tst_cluster_resume.moc"
