// The parts of a cluster run that need no cluster: the balanced split, the
// Slurm options and their checks, shell quoting (through a real /bin/sh),
// the batch scripts (run by /bin/sh with a stand-in program), and squeue
// output parsing.

#include "cluster/batch_scripts.h"
#include "cluster/cluster_state.h"
#include "cluster/cluster_work.h"
#include "cluster/shard_split.h"
#include "cluster/slurm_client.h"
#include "cluster/slurm_options.h"
#include "cluster/task_inputs.h"
#include "provenance/provenance_recorder.h"
#include "runs/run_service.h"
#include "support/test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

using namespace bioforge::core;
using bioforge::test::writeAll;

class TstClusterParts : public QObject {
    Q_OBJECT

    static QString sh(const QString& script, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput());
    }

private slots:
    void splitCoversInOrderAndCutsOnlyWhereAllowed()
    {
        std::mt19937 rng(12);
        for (int round = 0; round < 200; ++round) {
            const int n = 1 + int(rng() % 60);
            const int shards = 1 + int(rng() % 12);
            std::vector<ShardUnit> units{size_t(n), ShardUnit{}};
            for (ShardUnit& u : units)
                u = {qint64(rng() % 5000), rng() % 3 != 0};
            const std::vector<ShardRange> ranges = splitBalanced(units, shards);
            QVERIFY(!ranges.empty());
            QVERIFY(int(ranges.size()) <= shards);
            qint64 next = 0, total = 0, covered = 0;
            for (const ShardRange& r : ranges) {
                QCOMPARE(r.begin, next);
                QVERIFY(r.end > r.begin);
                if (r.end < n)
                    QVERIFY2(units[size_t(r.end - 1)].cutAfter, "a shard ends where no cut is allowed");
                next = r.end;
                covered += r.weight;
            }
            QCOMPARE(next, qint64(n));
            for (const ShardUnit& u : units)
                total += u.weight;
            QCOMPARE(covered, total);
            int allowed = 0;
            for (int i = 0; i + 1 < n; ++i)
                allowed += units[size_t(i)].cutAfter ? 1 : 0;
            QCOMPARE(int(ranges.size()), std::min(shards, allowed + 1)); // as many shards as asked when the cuts allow
        }
    }

    void equalUnitsSplitEvenly()
    {
        const std::vector<ShardUnit> units(100, ShardUnit{1000, true});
        const std::vector<ShardRange> ranges = splitBalanced(units, 4);
        QCOMPARE(ranges.size(), size_t(4));
        for (const ShardRange& r : ranges)
            QCOMPARE(r.weight, qint64(25000));
        QCOMPARE(shardImbalance(ranges), 1.0);
        QVERIFY(splitBalanced({}, 4).empty());
        // One huge unit among small ones: it is a shard of its own.
        std::vector<ShardUnit> skewed(10, ShardUnit{10, true});
        skewed[5].weight = 1000;
        const std::vector<ShardRange> r = splitBalanced(skewed, 3);
        QCOMPARE(r.size(), size_t(3));
        QVERIFY(shardImbalance(r) > 2.5);
    }

    void optionsAreCheckedBeforeSlurmSeesThem()
    {
        auto ok = SlurmOptions::fromJson({{QStringLiteral("shards"), 8}, {QStringLiteral("partition"), QStringLiteral("gpu")},
                                          {QStringLiteral("account"), QStringLiteral("lab-1")}, {QStringLiteral("time"), QStringLiteral("1-12:00:00")},
                                          {QStringLiteral("cpus_per_task"), 4}, {QStringLiteral("memory"), QStringLiteral("16G")},
                                          {QStringLiteral("gpus_per_task"), 1}, {QStringLiteral("sbatch_lines"), QJsonArray{QStringLiteral("--qos=long")}}});
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message()));
        QCOMPARE(ok->directives(), (QStringList{QStringLiteral("--partition=gpu"), QStringLiteral("--account=lab-1"), QStringLiteral("--time=1-12:00:00"),
                                                QStringLiteral("--cpus-per-task=4"), QStringLiteral("--mem=16G"), QStringLiteral("--gres=gpu:1"),
                                                QStringLiteral("--qos=long")}));
        auto again = SlurmOptions::fromJson(ok->toJson());
        QVERIFY(again);
        QCOMPARE(again->directives(), ok->directives());
        // Keys spelt as the command line's options: hyphens and underscores alike, mem for memory.
        auto spelt = SlurmOptions::fromJson({{QStringLiteral("cpus-per-task"), 2}, {QStringLiteral("mem"), QStringLiteral("4G")}, {QStringLiteral("gpus-per-task"), 1}});
        QVERIFY2(spelt, spelt ? "" : qPrintable(spelt.error().message()));
        QCOMPARE(spelt->directives(), (QStringList{QStringLiteral("--cpus-per-task=2"), QStringLiteral("--mem=4G"), QStringLiteral("--gres=gpu:1")}));
        auto unlimited = SlurmOptions::fromJson({{QStringLiteral("time"), QStringLiteral("unlimited")}}); // as sbatch's manual spells it
        QVERIFY2(unlimited, unlimited ? "" : qPrintable(unlimited.error().message()));
        QCOMPARE(unlimited->directives(), QStringList{QStringLiteral("--time=UNLIMITED")});
        const std::pair<QJsonObject, const char*> bad[] = {
            {{{QStringLiteral("partition"), QStringLiteral("gpu nodes")}}, "partition 'gpu nodes'"},
            {{{QStringLiteral("time"), QStringLiteral("soon")}}, "time 'soon'"},
            {{{QStringLiteral("memory"), QStringLiteral("lots")}}, "memory 'lots'"},
            {{{QStringLiteral("shards"), 0}}, "shards: 0"},
            {{{QStringLiteral("shards"), 4294967299.0}}, "shards: 4294967299"}, // 2^32 + 3: checked before narrowing, not taken as 3
            {{{QStringLiteral("shards"), -4294967295.0}}, "shards: -4294967295"},
            {{{QStringLiteral("shards"), 2.5}}, "shards: 2.5"},   // present but not a whole number: an error, not the default 4
            {{{QStringLiteral("shards"), 1e19}}, "shards: 1e+19"},
            {{{QStringLiteral("shards"), QStringLiteral("8")}}, "shards: \"8\""},
            {{{QStringLiteral("cpus_per_task"), 4294967300.0}}, "cpus_per_task: 4294967300"},
            {{{QStringLiteral("gpus_per_task"), -1}}, "gpus_per_task: -1"},
            {{{QStringLiteral("sbatch_lines"), QJsonArray{QStringLiteral("--qos=a\n#SBATCH --x")}}}, "one sbatch option on one line"},
            {{{QStringLiteral("sbatch_lines"), QJsonArray{QStringLiteral("rm -rf /")}}}, "one sbatch option"},
            {{{QStringLiteral("sbatch_lines"), QStringLiteral("--qos=x")}}, "sbatch_lines: \"--qos=x\" is not a list"}, // was dropped without a word
            {{{QStringLiteral("sbatch_lines"), QJsonArray{7}}}, "sbatch_lines: 7 is not text"},
            {{{QStringLiteral("partition"), 5}}, "partition: 5 is not text"}, // was read as no partition
            {{{QStringLiteral("backend"), 5}}, "backend: 5 is not text"},
            {{{QStringLiteral("nodes"), 3}}, "'nodes' is unknown"},
            {{{QStringLiteral("memory"), QStringLiteral("4G")}, {QStringLiteral("mem"), QStringLiteral("8G")}}, "is given twice"},
            {{{QStringLiteral("backend"), QStringLiteral("pbs")}}, "'pbs' is not supported"}};
        for (const auto& [json, expected] : bad) {
            auto r = SlurmOptions::fromJson(json);
            QVERIFY(!r);
            QVERIFY2(r.error().message().contains(QLatin1String(expected)), qPrintable(r.error().message()));
        }
    }

    // The shard counts a checkpoint or a task's run description give back are bounded like the
    // option: a huge or wrapped-around count never becomes a loop bound.
    void recordedShardCountsAreBounded()
    {
        for (const auto& [value, expected] : {std::pair<double, int>{8, 8}, {10000, 10000}, {10001, 0}, {4294967299.0, 0}, {-1, 0}, {0, 0}}) {
            ClusterState state;
            state.plan.insert(QStringLiteral("shards"), value);
            QCOMPARE(state.shards(), expected);
            const QJsonObject config{{QStringLiteral("schema"), QStringLiteral("bioforge-cluster-run/1")}, {QStringLiteral("plugin"), QStringLiteral("p")},
                                     {QStringLiteral("verb"), QStringLiteral("v")}, {QStringLiteral("shards"), value}};
            auto c = ClusterRunConfig::fromJson(config, QStringLiteral("run.json"));
            QCOMPARE(bool(c), expected > 0);
            if (c)
                QCOMPARE(c->shards, expected);
            else
                QVERIFY2(c.error().message().startsWith(QStringLiteral("run.json: ")), qPrintable(c.error().message()));
        }
    }

    void shellQuoteSurvivesTheShell()
    {
        for (const QString& text : {QStringLiteral("plain"), QStringLiteral("with space"), QStringLiteral("it's"), QStringLiteral("'; rm -rf / #"),
                                    QStringLiteral("$HOME `id` \"q\" \\ *"), QStringLiteral(""), QStringLiteral("ünïcode ✓")})
            QCOMPARE(sh(QStringLiteral("printf %s ") + shellQuote(text)), text);
    }

    void batchScriptsRunTheCliWithTheirPaths()
    {
        QTemporaryDir dir;
        const QString work = dir.filePath(QStringLiteral("project with 'quotes' $x/cluster"));
        SlurmOptions options;
        options.partition = QStringLiteral("debug");
        options.gpusPerTask = 2;
        const QString task = taskBatchScript(options, QStringLiteral("/bin/echo"), work, QStringLiteral("20261130-000000-abcdef01"));
        QVERIFY(task.startsWith(QLatin1String("#!/bin/sh\n#SBATCH --partition=debug\n#SBATCH --gres=gpu:2\n")));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_ARRAY_TASK_ID"), QStringLiteral("3"));
        QCOMPARE(sh(task, env), QStringLiteral("--quiet cluster task %1 3\n").arg(work));
        const QString merge = mergeBatchScript(options, QStringLiteral("/bin/echo"), work, QStringLiteral("20261130-000000-abcdef01"));
        QVERIFY(!merge.contains(QLatin1String("--gres"))); // merging needs no GPU
        QCOMPARE(sh(merge), QStringLiteral("--quiet cluster merge %1\n").arg(work));
    }

    void squeueLinesParse()
    {
        auto jobs = SlurmClient::parseSqueue(QStringLiteral("12_0|12|0|COMPLETED|node7|None\n12_3|12|3|PENDING||JobHeldUser\n13|13|N/A|RUNNING|node1|None\n"));
        QVERIFY(jobs);
        QCOMPARE(jobs->size(), 3);
        QCOMPARE((*jobs)[0].arrayTask, 0);
        QVERIFY((*jobs)[0].completed() && !(*jobs)[0].active());
        QCOMPARE((*jobs)[1].reason, QStringLiteral("JobHeldUser"));
        QVERIFY((*jobs)[1].active());
        QCOMPARE((*jobs)[2].arrayTask, -1);
        QCOMPARE((*jobs)[2].nodes, QStringLiteral("node1"));
        for (const char* malformed : {"12_-3|12|-3|PENDING||None", "x|12|0|RUNNING|n|None", "12|12|+1|RUNNING|n|None", "12|12|N/A||n|None"})
            QVERIFY2(!SlurmClient::parseSqueue(QString::fromLatin1(malformed)), malformed); // found by fuzz_cluster_files: a negative index was taken
        auto bad = SlurmClient::parseSqueue(QStringLiteral("12_0|12|0|COMPLETED|node7|None\nslurm_load_jobs error\n"));
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QLatin1String("line 2")), qPrintable(bad.error().message()));
    }

    // A cluster run's tasks that read one input at different contents: refused before their parts
    // make one result; the same contents, other files and pasted data (no path) pass.
    void tasksThatReadAnInputAtDifferentContentsAreRefused()
    {
        const QString a(64, QLatin1Char('a')), b(64, QLatin1Char('b'));
        const FileRef fastaA{QStringLiteral("FASTA"), QStringLiteral("/data/x.fa"), a, 10};
        const FileRef fastaB{QStringLiteral("FASTA"), QStringLiteral("/data/x.fa"), b, 10};
        const FileRef other{QStringLiteral("FASTA"), QStringLiteral("/data/y.fa"), b, 10};
        const FileRef pasted{QStringLiteral("gene list"), QString(), b, 3};
        const FileRef pastedOther{QStringLiteral("gene list"), QString(), a, 3};
        QVERIFY(checkTaskInputsAgree({{fastaA, other, pasted}, {fastaA, pastedOther}, {other}}));
        QVERIFY(checkTaskInputsAgree({}));
        const Status refused = checkTaskInputsAgree({{fastaA}, {other}, {fastaB}});
        QVERIFY(!refused);
        QCOMPARE(refused.error().message(), QStringLiteral("the input /data/x.fa changed while the cluster's tasks ran: task 1 read SHA-256 aaaaaaaaaaaa…, "
                                                           "task 3 bbbbbbbbbbbb…; start the run again"));
    }

    // A cluster run's tasks that recorded one model (by name) at different checksums — re-imported or
    // edited while the tasks ran — are refused as an input would be; the same model, other models and
    // unnamed ones pass.
    void tasksThatUsedAModelAtDifferentChecksumsAreRefused()
    {
        const QString a(64, QLatin1Char('a')), b(64, QLatin1Char('b'));
        const ModelRef esmA{QStringLiteral("esm2 (esm)"), QStringLiteral("r1"), a, QStringLiteral("/m/esm")};
        const ModelRef esmB{QStringLiteral("esm2 (esm)"), QStringLiteral("r1"), b, QStringLiteral("/m/esm")};
        const ModelRef mlp{QStringLiteral("mlp (classifier)"), QString(), b, QStringLiteral("/m/mlp.safetensors")};
        const ModelRef unnamed{QString(), QString(), a, QString()}, unnamedOther{QString(), QString(), b, QString()};
        QVERIFY(checkTaskModelsAgree({{esmA, mlp, unnamed}, {esmA, unnamedOther}, {mlp}}));
        QVERIFY(checkTaskModelsAgree({}));
        const Status refused = checkTaskModelsAgree({{mlp}, {esmA, mlp}, {esmB}});
        QVERIFY(!refused);
        QCOMPARE(refused.error().message(), QStringLiteral("the model esm2 (esm) changed while the cluster's tasks ran: task 2 read SHA-256 aaaaaaaaaaaa…, "
                                                           "task 3 bbbbbbbbbbbb…; start the run again"));
    }

    // An input edited in place after the plan was made (the same size, so that its path and size
    // agree): each task compares the plan's checksum with the file's, naming both; unchanged, or
    // another file, passes. (A task once computed a range of the old content and dropped a contig.)
    void anInputEditedAfterThePlanIsRefused()
    {
        QTemporaryDir dir;
        const QString fasta = dir.filePath(QStringLiteral("x.fa"));
        QFile f(fasta);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(">a\nACGTACGT\n") > 0);
        f.close();
        const QJsonArray planned{plannedInput(fasta)};
        QCOMPARE(planned.first().toObject().value(QLatin1String("sha256")).toString().size(), 64);
        QVERIFY(checkInputsUnchangedSincePlan(planned, QJsonArray{plannedInput(fasta)}, QStringLiteral("plan.json")));
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(">a\nACGTACGA\n") > 0); // one base, the same size
        f.close();
        const QJsonArray now{plannedInput(fasta)};
        QCOMPARE(now.first().toObject().value(QLatin1String("size")), planned.first().toObject().value(QLatin1String("size")));
        const Status refused = checkInputsUnchangedSincePlan(planned, now, QStringLiteral("plan.json"));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().startsWith(QStringLiteral("the input %1 changed after the run was planned (plan.json was made from SHA-256 %2…, 12 bytes; it is %3…")
                                                          .arg(QFileInfo(fasta).absoluteFilePath(), planned.first().toObject().value(QLatin1String("sha256")).toString().left(12),
                                                               now.first().toObject().value(QLatin1String("sha256")).toString().left(12))),
                 qPrintable(refused.error().message()));
        QVERIFY(checkInputsUnchangedSincePlan(planned, QJsonArray{plannedInput(dir.filePath(QStringLiteral("other.fa")))}, QStringLiteral("plan.json")));
    }

    // A task checks the plan's inputs with the digests its run computed as it pinned them (S12: each
    // input read once per task, not twice): a digest known for the file's size and time is taken as
    // it is; the file changed since, it is read again. addInputFile makes what it hashes known.
    void aTaskChecksThePlanWithTheDigestsItsRunKnows()
    {
        QTemporaryDir dir;
        const QString fasta = dir.filePath(QStringLiteral("x.fa"));
        QVERIFY(writeAll(fasta, ">a\nACGT\n"));
        const QString read = plannedInput(fasta).value(QLatin1String("sha256")).toString();
        QCOMPARE(read.size(), 64);
        ProvenanceRecorder run(dir.path());
        const QFileInfo info(fasta);
        const QString pinned(64, QLatin1Char('c')); // not the file's: seen only if taken without reading
        run.knownDigest(info.absoluteFilePath(), pinned, info.size(), info.lastModified());
        QCOMPARE(run.knownSha256(fasta), pinned);
        QCOMPARE(plannedInput(fasta, &run).value(QLatin1String("sha256")).toString(), pinned);
        QVERIFY(writeAll(fasta, ">a\nACGTA\n")); // another size: no longer known
        QCOMPARE(run.knownSha256(fasta), QString());
        const QString now = plannedInput(fasta, &run).value(QLatin1String("sha256")).toString();
        QVERIFY(now.size() == 64 && now != read && now != pinned);

        ProvenanceRecorder other(dir.path());
        QVERIFY(other.addInputFile(QStringLiteral("FASTA"), fasta));
        QCOMPARE(other.knownSha256(fasta), now);
        QFile touched(fasta);
        QVERIFY(touched.open(QIODevice::ReadWrite) && touched.setFileTime(info.lastModified().addSecs(-60), QFileDevice::FileModificationTime));
        touched.close();
        QCOMPARE(other.knownSha256(fasta), QString()); // another time: read again
    }

    void missingClientIsAClearError()
    {
        const SlurmClient slurm(QStringLiteral("/nonexistent/slurm/bin"), 5000);
        auto r = slurm.submit({}, QStringLiteral("/dev/null"));
        QVERIFY(!r);
        QVERIFY2(r.error().message().contains(QLatin1String("sbatch could not be started")), qPrintable(r.error().message()));
    }

    // Whether a Slurm cluster answers (asked as a cluster run starts): a "no" is kept 10 s (several
    // resumes wait once: review 67 R67-2) but a page's Run asks again, so a controller started
    // meanwhile is seen at once (trial 22 T22-12); a "yes" is kept a minute. A
    // stand-in scontrol on PATH answers as a file says.
    void aClusterThatDidNotAnswerIsAskedAgain()
    {
        QTemporaryDir bin;
        QVERIFY(bin.isValid());
        const QString scontrol = bin.filePath(QStringLiteral("scontrol"));
        QVERIFY(writeAll(scontrol, QStringLiteral("#!/bin/sh\n[ -f '%1' ] && { echo 'ClusterName = stand-in'; exit 0; }\n"
                                                  "echo 'slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n")
                                       .arg(bin.filePath(QStringLiteral("up")))
                                       .toUtf8()));
        QVERIFY(QFile::setPermissions(scontrol, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString conf = bin.filePath(QStringLiteral("slurm.conf")); // its own answer (kept per SLURM_CONF)
        QVERIFY(writeAll(conf, QByteArray("ClusterName=stand-in\n")));
        const QByteArray path = qgetenv("PATH"), slurmConf = qgetenv("SLURM_CONF");
        const auto restore = qScopeGuard([&] {
            qputenv("PATH", path);
            slurmConf.isNull() ? qunsetenv("SLURM_CONF") : qputenv("SLURM_CONF", slurmConf);
        });
        qputenv("PATH", bin.path().toLocal8Bit() + ':' + path);
        qputenv("SLURM_CONF", conf.toLocal8Bit());
        const Status down = RunService::slurmClusterAnswers();
        QVERIFY(!down);
        QVERIFY2(down.error().message().startsWith(QLatin1String("no Slurm cluster answers on this machine (scontrol show config failed: "))
                     && down.error().message().contains(QLatin1String("connect failure")),
                 qPrintable(down.error().message()));
        QVERIFY(writeAll(bin.filePath(QStringLiteral("up")), QByteArray()));
        QVERIFY(!RunService::slurmClusterAnswers()); // a "no" is kept a while: resuming several runs waits once
        const Status up = RunService::slurmClusterAnswers(true);
        QVERIFY2(up, up ? "" : qPrintable(up.error().message())); // asked again (a page's Run): it answers now
        QVERIFY(QFile::remove(bin.filePath(QStringLiteral("up"))));
        QVERIFY(RunService::slurmClusterAnswers()); // a "yes" is kept
    }
};

QTEST_GUILESS_MAIN(TstClusterParts)
#include "tst_cluster_parts.moc"
