// Cluster runs against a real one-node Slurm cluster (slurm_cluster_test.h),
// through the real `bioforge` program: the demo's viral run split in 4 shards,
// and an age predict split by rows, give the single-machine outputs byte for
// byte; a task cancelled on the cluster fails the run naming it, and `bioforge
// resume` reruns that task alone; a task that fails cancels the merge and the
// run names the task, its node and the end of its log; a model given by its
// folder runs, and a task refuses it once it is edited in place; a cluster setting an older version saved with the flags'
// spelling is read as the options; an option the cluster refuses is reported
// in Slurm's words.
// Pausing, resuming, moving and cancelling: tst_cluster_resume.

#include "slurm_cluster_test.h"

#include <QSettings>

using namespace bioforge::test;

class TstSlurmCluster : public SlurmClusterTest {
    Q_OBJECT

private slots:
    void initTestCase() { setUpCluster(); }

    void fourShardsGiveTheSingleMachineOutputs()
    {
        const Result r = run(predictArgs() + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString runId = runIdFrom(r.err);
        const QString runDir = QDir(project()).filePath(QStringLiteral("runs/") + runId);
        compareWithLocal(runDir);
        // The run's statistics: the shards batch the single-machine run's frames, so the same tokens and padding.
        const QJsonObject localStats = QJsonDocument::fromJson(readAll(QDir(m_localRunDir).filePath(QStringLiteral("run_stats.json")))).object();
        const QJsonObject stats = QJsonDocument::fromJson(readAll(QDir(runDir).filePath(QStringLiteral("run_stats.json")))).object();
        for (const char* key : {"dnabert_real_tokens", "dnabert_padded_tokens", "esm_real_tokens", "esm_padded_tokens", "esm_padding_fraction"})
            QVERIFY2(stats.value(QLatin1String(key)).isDouble() && stats.value(QLatin1String(key)) == localStats.value(QLatin1String(key)), key);
        QCOMPARE(stats.value(QLatin1String("shard_elapsed_ms")).toArray().size(), 4);
        // The record warns as the single-machine run's does (a shard's counts were its own part's).
        const QJsonObject local = QJsonDocument::fromJson(readAll(QDir(m_localRunDir).filePath(QStringLiteral("provenance.json")))).object();
        QCOMPARE(provenance(runId).value(QLatin1String("warnings")).toArray(), local.value(QLatin1String("warnings")).toArray());
        qInfo("the local run's warnings: %s", QJsonDocument(local.value(QLatin1String("warnings")).toArray()).toJson(QJsonDocument::Compact).constData());
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
        // The same for a script: each task's state and node, the merge.
        const Result asJson = run({QStringLiteral("status"), runId, QStringLiteral("--json")});
        const QJsonArray runs = QJsonDocument::fromJson(asJson.out.toUtf8()).object().value(QLatin1String("runs")).toArray();
        QVERIFY2(asJson.code == 0 && runs.size() == 1, qPrintable(asJson.out + asJson.err));
        const QJsonObject shown = runs.first().toObject();
        QVERIFY2(shown.value(QLatin1String("id")).toString() == runId && shown.value(QLatin1String("cluster")).toString() == QLatin1String("bioforge-test")
                     && shown.value(QLatin1String("merge")).toString() == QLatin1String("done") && shown.value(QLatin1String("error")).isNull(),
                 qPrintable(asJson.out));
        const QJsonArray shownTasks = shown.value(QLatin1String("tasks")).toArray();
        QCOMPARE(shownTasks.size(), 4);
        for (const QJsonValue& t : shownTasks)
            QVERIFY2(t.toObject().value(QLatin1String("state")).toString() == QLatin1String("done") && !t.toObject().value(QLatin1String("node")).toString().isEmpty(),
                     qPrintable(asJson.out));
        // Each task's job in the array form squeue and the task logs use, here and in the report (trial 22 T22-9).
        const QString arrayJob = submissions[0].toObject().value(QLatin1String("job_id")).toString();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(shownTasks[i].toObject().value(QLatin1String("job_id")).toString(), QStringLiteral("%1_%2").arg(arrayJob).arg(i));
        // The report of a cluster run is the viral report, with where it ran.
        QCOMPARE(run({QStringLiteral("report"), runId}).code, 0);
        const QString html = QString::fromUtf8(readAll(QDir(project()).filePath(QStringLiteral("reports/%1.html").arg(runId))));
        QVERIFY2(html.contains(QLatin1String("Cluster bioforge-test (Slurm): 4 shards")) && html.contains(QLatin1String("task 4")), qPrintable(html.left(2000)));
        for (int i = 0; i < 4; ++i)
            QVERIFY2(html.contains(QStringLiteral(">%1_%2").arg(arrayJob).arg(i)), qPrintable(arrayJob));
    }

    // The self-test on the cluster (a check of a cluster setup with no model or data): the outputs
    // of the single-machine run, byte for byte; a unit that fails fails its shard alone.
    void selfTestOnTheClusterGivesTheSingleMachineBytes()
    {
        const QStringList args{QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("13"),
                               QStringLiteral("--values"), QStringLiteral("500"), QStringLiteral("--work"), QStringLiteral("10")};
        const Result local = run(args);
        QVERIFY2(local.code == 0, qPrintable(local.err));
        const Result cluster = run(args + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("3")});
        QVERIFY2(cluster.code == 0, qPrintable(cluster.err + cluster.out));
        for (const QString& file : {QStringLiteral("units.tsv"), QStringLiteral("values.safetensors"), QStringLiteral("summary.json")}) {
            const QByteArray a = readAll(QDir(project()).filePath(QStringLiteral("runs/%1/%2").arg(runIdFrom(local.err), file)));
            QVERIFY(!a.isEmpty());
            QVERIFY2(a == readAll(QDir(project()).filePath(QStringLiteral("runs/%1/%2").arg(runIdFrom(cluster.err), file))), qPrintable(file + QStringLiteral(" differs")));
        }
        const QJsonObject plan = provenance(runIdFrom(cluster.err)).value(QLatin1String("cluster")).toObject().value(QLatin1String("plan")).toObject();
        QCOMPARE(plan.value(QLatin1String("unit")).toString(), QStringLiteral("units"));
        QCOMPARE(plan.value(QLatin1String("weights")).toArray(), (QJsonArray{4, 4, 5}));
        const Result failing = run(args + QStringList{QStringLiteral("--fail_at_unit"), QStringLiteral("9"), QStringLiteral("--cluster"), QStringLiteral("slurm"),
                                                      QStringLiteral("--shards"), QStringLiteral("3")});
        const QString said = failing.err + failing.out;
        QVERIFY2(failing.code == 1 && said.contains(QLatin1String("task 3 of 3")) && said.contains(QLatin1String("failing at unit 9 as asked"))
                     && !said.contains(QLatin1String("task 1 of 3")) && !said.contains(QLatin1String("task 2 of 3")),
                 qPrintable(said));
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
        // Some rows of the first and last copies (other shards) without an age (column 4): no prediction, warned of.
        for (int copy = 1; copy <= 4; ++copy)
            for (qsizetype i = 0; i < lines.size(); ++i) {
                QStringList fields = lines[i].split(QLatin1Char(','));
                fields[0] += QStringLiteral("_c%1").arg(copy);
                if ((copy == 1 || copy == 4) && i % 401 == 7)
                    fields[3].clear();
                table += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
            }
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
        // The record warns as the single-machine run's does: rows without a prediction counted over the
        // whole table (each shard had counted its own).
        const QJsonArray localWarnings = provenance(runIdFrom(local.err)).value(QLatin1String("warnings")).toArray();
        QCOMPARE(provenance(clusterId).value(QLatin1String("warnings")).toArray(), localWarnings);
        QVERIFY2(QJsonDocument(localWarnings).toJson().contains("rows have no chronological age"), QJsonDocument(localWarnings).toJson().constData());
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
        QCOMPARE(slurm(QStringLiteral("scontrol"), {QStringLiteral("release"), arrayId + QStringLiteral("_1")}).code, 0); // task 2 alone
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
        // The other tasks wait on (held): `status` lists the failed run with them, and how to stop them.
        const Result underWay = run({QStringLiteral("status")});
        QVERIFY2(underWay.code == 0 && underWay.out.contains(QStringLiteral("run %1 (failed)").arg(runId))
                     && underWay.out.contains(QLatin1String("3 tasks are still on the cluster")) && underWay.out.contains(QStringLiteral("'scancel %1'").arg(arrayId)),
                 qPrintable(underWay.out + underWay.err));
        QCOMPARE(slurm(QStringLiteral("scancel"), {arrayId}).code, 0);
        QTRY_VERIFY_WITH_TIMEOUT(queue().filter(QStringLiteral("JobHeldUser")).isEmpty(), 30000);
        // Nothing of it on the cluster (once Slurm has let the cancelled jobs go): not under way.
        QTRY_VERIFY_WITH_TIMEOUT(run({QStringLiteral("status")}).out.contains(QLatin1String("no cluster run under way")), 30000);
        // The run's record names where the failed task ran and how it ended (its report's Cluster table).
        const QJsonObject failed = provenance(runId).value(QLatin1String("cluster")).toObject().value(QLatin1String("tasks")).toArray().at(1).toObject();
        QVERIFY2(failed.value(QLatin1String("slurm_state")).toString() == QLatin1String("FAILED") && !failed.value(QLatin1String("node")).toString().isEmpty(),
                 QJsonDocument(failed).toJson().constData());
        const QString html = m_dir.filePath(QStringLiteral("failed-run.html"));
        const Result report = run({QStringLiteral("report"), runId, QStringLiteral("--html"), html});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        QVERIFY2(readAll(html).contains("<td>failed</td>"), readAll(html).constData());
    }

    // A model given by its folder (no registry entry): the tasks run it. Its checksum is in the plan,
    // as a registered model's is: edited in place after the plan, a task that starts then refuses it
    // (it would mix two models in one table) — shown by running task 1 again by hand, as Slurm runs it.
    void aModelGivenByPathRunsOnTheCluster()
    {
        const QString copy = copyOfRegisteredModel(QStringLiteral("viral-test-esm2"), m_dir.filePath(QStringLiteral("esm-by-path")));
        QVERIFY(!copy.isEmpty());
        const QDir byPath(copy);
        QStringList args = predictArgs();
        args[args.indexOf(QStringLiteral("viral-test-esm2"))] = byPath.path();
        const Result r = run(args + QStringList{QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("2")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString runDir = QDir(project()).filePath(QStringLiteral("runs/") + runIdFrom(r.err));
        QCOMPARE(readAll(QDir(runDir).filePath(QStringLiteral("prediction_results.txt"))), readAll(QDir(m_localRunDir).filePath(QStringLiteral("prediction_results.txt"))));

        const QString script = QString::fromUtf8(readAll(QDir(runDir).filePath(QStringLiteral("cluster-task.sbatch"))));
        const QRegularExpressionMatch task = QRegularExpression(QStringLiteral("cluster task '([^']+)' ")).match(script);
        QVERIFY2(task.hasMatch(), qPrintable(script));
        const QDir work(task.captured(1));
        const QJsonObject models = QJsonDocument::fromJson(readAll(work.filePath(QStringLiteral("plan.json"))))
                                       .object().value(QLatin1String("made_from")).toObject().value(QLatin1String("models")).toObject();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(models.value(QLatin1String("esm")).toString()).hasMatch(),
                 qPrintable(QJsonDocument(models).toJson()));
        QVERIFY(work.exists(QStringLiteral("tasks/1/project")));
        QVERIFY(QDir(work.filePath(QStringLiteral("tasks/1/project"))).removeRecursively()); // the second shard's task starts afresh, as one that had waited
        QFile config(byPath.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::Append));
        QVERIFY(config.write("\n") == 1); // still the same model to read, another file to checksum
        config.close();
        const Result again = slurm(binPath(QStringLiteral("bioforge")), {QStringLiteral("cluster"), QStringLiteral("task"), work.path(), QStringLiteral("1")});
        QVERIFY2(again.code != 0 && (again.err + again.out).contains(QLatin1String("the --esm model changed after the run was planned")),
                 qPrintable(again.err + again.out));
    }

    // A cluster setting saved by an older version spells the options as the flags do (cpus-per-task,
    // mem): a run reads it as the options, a flag of the same option replaces it (not "given twice"),
    // and the batch script and the provenance carry the result.
    void anOlderSavedClusterSettingIsReadAsTheOptions()
    {
        const QString conf = m_dir.filePath(QStringLiteral("home/.config/BioForge/Workbench.conf"));
        {
            QSettings saved(conf, QSettings::IniFormat);
            saved.setValue(QStringLiteral("cluster/options"), QByteArray(R"({"backend":"slurm","shards":2,"cpus-per-task":2,"mem":"300M"})"));
        }
        const Result r = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("4"),
                              QStringLiteral("--values"), QStringLiteral("10"), QStringLiteral("--work"), QStringLiteral("1"), QStringLiteral("--cluster"),
                              QStringLiteral("slurm"), QStringLiteral("--cpus_per_task"), QStringLiteral("1")});
        {
            QSettings saved(conf, QSettings::IniFormat);
            saved.remove(QStringLiteral("cluster/options")); // the other tests' defaults
        }
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString runId = runIdFrom(r.err);
        const QJsonObject options = provenance(runId).value(QLatin1String("cluster")).toObject().value(QLatin1String("options")).toObject();
        QCOMPARE(options.value(QLatin1String("shards")).toInt(), 2);
        QCOMPARE(options.value(QLatin1String("cpus_per_task")).toInt(), 1);
        QCOMPARE(options.value(QLatin1String("memory")).toString(), QStringLiteral("300M"));
        QVERIFY2(!options.contains(QLatin1String("cpus-per-task")) && !options.contains(QLatin1String("mem")), qPrintable(QJsonDocument(options).toJson()));
        const QString script = QString::fromUtf8(readAll(QDir(project()).filePath(QStringLiteral("runs/%1/cluster-task.sbatch").arg(runId))));
        QVERIFY2(script.contains(QLatin1String("#SBATCH --cpus-per-task=1\n")) && script.contains(QLatin1String("#SBATCH --mem=300M\n"))
                     && !script.contains(QLatin1String("--cpus-per-task=2")),
                 qPrintable(script));
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
