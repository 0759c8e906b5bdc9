// What the command line refuses before any run is recorded, and with which
// exit code (docs/cli.md), through the real program: a model that is not
// registered (6) or registered as another kind (2), a model folder of an
// unknown kind (2) or lacking its kind's files (6), a CUDA device this build's
// LibTorch cannot have (6), a report of no such run (6); and what it shows: a
// run's title naming its input; options spelled with hyphens or underscores alike; a
// gzipped model named as gzip; /reset in a terminal chat answered.
// (The new-user trial's findings D9, D12, D14, D16, D17, D23, D24; docs/new-user-findings.md.)

#include "cli_test_base.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace bioforge::test;

class TstCliRefusals : public CliTestBase {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeAll(path("contigs.fa"), ">c1\nACGTACGTACGTACGTACGTACGTACGTACGT\n"));
        // A project with nothing in it yet: every refusal below must leave it so.
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("list")}).code, 0);
    }

    // Every command's --help is its usage, exit 0; an empty --project is refused, not the default project.
    void everyCommandAnswersHelpAndAnEmptyProjectIsRefused()
    {
        for (const char* command : {"resume", "show", "report", "status", "runs", "plugins", "devices", "inspect", "demo", "cluster", "cancel", "models"}) {
            const Result help = run({QLatin1String(command), QStringLiteral("--help")});
            QVERIFY2(help.code == 0 && help.out.startsWith(QStringLiteral("usage: bioforge %1").arg(QLatin1String(command))),
                     qPrintable(QLatin1String(command) + QLatin1Char(' ') + help.out + help.err));
        }
        const Result verifyHelp = run({QStringLiteral("models"), QStringLiteral("verify"), QStringLiteral("--help")});
        QVERIFY2(verifyHelp.code == 0 && verifyHelp.out.contains(QStringLiteral("verify <name>")), qPrintable(verifyHelp.out + verifyHelp.err));
        // cancel: an id the project does not hold is not found (in a project of its own: this one stays empty).
        QProcess one;
        one.setProcessEnvironment(env());
        const QString other = path("cancel-project");
        one.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), other, QStringLiteral("--quiet"), QStringLiteral("run"),
                                                       QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("2")});
        QVERIFY(one.waitForFinished(60000) && one.exitCode() == 0);
        QProcess cancel;
        cancel.setProcessEnvironment(env());
        cancel.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), other, QStringLiteral("cancel"), QStringLiteral("no-such-run")});
        QVERIFY(cancel.waitForFinished(60000));
        const QByteArray cancelErr = cancel.readAllStandardError();
        QVERIFY2(cancel.exitCode() == 6 && cancelErr.contains("no run with id 'no-such-run'"), cancelErr.constData());
        // resume: an unknown id is 6, a run that cannot be resumed as it stands (here: finished) 5.
        const QString finishedId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(QString::fromUtf8(one.readAllStandardError())).captured(1);
        QVERIFY(!finishedId.isEmpty());
        for (const auto& [id, code] : {std::pair{finishedId, 5}, std::pair{QStringLiteral("no-such-run"), 6}}) {
            QProcess resume;
            resume.setProcessEnvironment(env());
            resume.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), other, QStringLiteral("resume"), id});
            QVERIFY(resume.waitForFinished(60000));
            QVERIFY2(resume.exitCode() == code, resume.readAllStandardError().constData());
        }
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), QString(), QStringLiteral("runs")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--project: an empty path"));
        QProcessEnvironment empty = env();
        empty.insert(QStringLiteral("BIOFORGE_PROJECT"), QString());
        p.setProcessEnvironment(empty);
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("runs")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("BIOFORGE_PROJECT is set but empty"));
    }

    // A command refuses an option its usage does not name instead of ignoring it or taking it for
    // a run id (`resume --quiet` said "no run with id '--quiet'", 6); a command of flags refuses any
    // other argument; a global option after the command is told where it goes.
    void aCommandRefusesOptionsItDoesNotTake()
    {
        for (const QStringList& args : {QStringList{QStringLiteral("runs"), QStringLiteral("all")}, QStringList{QStringLiteral("version"), QStringLiteral("x")}}) {
            const Result r = run(args);
            QVERIFY2(r.code == 2 && r.err.contains(QStringLiteral("unexpected argument '%1'").arg(args.last())) && r.err.contains(QStringLiteral("usage: bioforge ")),
                     qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
        }
        for (const QStringList& args : {QStringList{QStringLiteral("devices"), QStringLiteral("--chek")}, QStringList{QStringLiteral("plugins"), QStringLiteral("--verbose-list")},
                                        QStringList{QStringLiteral("show"), QStringLiteral("--full")}, QStringList{QStringLiteral("cancel"), QStringLiteral("--all")},
                                        QStringList{QStringLiteral("status"), QStringLiteral("--jsn")}, QStringList{QStringLiteral("inspect"), QStringLiteral("x"), QStringLiteral("--fll")}}) {
            const Result r = run(args);
            QVERIFY2(r.code == 2 && r.err.contains(QStringLiteral("unknown option '%1'").arg(args.last())) && r.err.contains(QStringLiteral("usage: bioforge ")),
                     qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
        }
        const Result global = run({QStringLiteral("resume"), QStringLiteral("--quiet")});
        QVERIFY2(global.code == 2 && global.err.contains(QStringLiteral("--quiet is a global option, written before the command: bioforge --quiet resume")),
                 qPrintable(global.err));
        QCOMPARE(run({QStringLiteral("devices"), QStringLiteral("--check")}).code, 0);
        const Result valued = run({QStringLiteral("devices"), QStringLiteral("--check=yes")}); // it ran the listing without the check
        QVERIFY2(valued.code == 2 && valued.err.contains(QStringLiteral("--check takes no value")), qPrintable(valued.err));
        // A title is one line: a line break or an escape sequence would fake rows of `runs` or drive the terminal.
        for (const QString& title : {QStringLiteral("line1\nfake-run  finished"), QStringLiteral("\x1b[31mRED")}) {
            const Result r = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("1"),
                                  QStringLiteral("--title"), title});
            QVERIFY2(r.code == 2 && r.err.contains(QStringLiteral("the run title has a control character")), qPrintable(r.err));
        }
        // A cluster work folder that is not there: 6, as a run or a file that is not there (it was 5).
        for (const char* verb : {"merge", "task"}) {
            QStringList args{QStringLiteral("cluster"), QLatin1String(verb), path("no-such-work")};
            if (qstrcmp(verb, "task") == 0)
                args << QStringLiteral("0");
            const Result r = run(args);
            QVERIFY2(r.code == 6, qPrintable(QLatin1String(verb) + QStringLiteral(": ") + r.err));
        }
        // A plugin asked for help: its runs, where it has no commands of its own (the list was empty).
        const Result help = run({QStringLiteral("viral"), QStringLiteral("--help")});
        QVERIFY2(help.code == 0 && help.out.contains(QStringLiteral("has no commands of its own")) && help.out.contains(QStringLiteral("its runs: bioforge run viral predict|validate")),
                 qPrintable(help.out + help.err));
        // A run verb given as a plugin command (`run` forgotten): the way to start it, not an empty list.
        const Result forgotten = run({QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa")});
        QVERIFY2(forgotten.code == 2 && forgotten.err.contains(QStringLiteral("it has no commands of its own — a run is started with: bioforge run viral predict")),
                 qPrintable(forgotten.err));
    }

    void aRunRefusesAModelOfAnotherKindOrNoneAtAll()
    {
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("esm-as-esm"), QStringLiteral("esm2"),
                      modelFolder("esm-2", {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")})}).code, 0);
        const qsizetype before = recordedRuns();
        const Result wrongKind = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa"),
                                      QStringLiteral("--dnabert"), QStringLiteral("esm-as-esm")});
        QCOMPARE(wrongKind.code, 2);
        QVERIFY2(wrongKind.err.contains(QStringLiteral("the dnabert model 'esm-as-esm' is registered with kind 'esm2', not 'dnabert-s'")), qPrintable(wrongKind.err));
        const Result unknown = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa"),
                                    QStringLiteral("--dnabert"), QStringLiteral("no-such-model")});
        QCOMPARE(unknown.code, 6);
        QVERIFY2(unknown.err.contains(QStringLiteral("no model named 'no-such-model'")), qPrintable(unknown.err));
        QCOMPARE(recordedRuns(), before);
    }

    void aCudaDeviceThisLibTorchLacksIsRefusedBeforeTheRun()
    {
        importDevModels();
        if (QTest::currentTestFailed())
            return;
        const qsizetype before = recordedRuns();
        const Result r = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa"), QStringLiteral("--dnabert"),
                              QStringLiteral("dev-dnabert-s"), QStringLiteral("--esm"), QStringLiteral("dev-esm2"), QStringLiteral("--classifier"),
                              QStringLiteral("dev-virnucpro-classifier"), QStringLiteral("--device"), QStringLiteral("cuda")});
        if (r.code == 6) { // a LibTorch without CUDA (Debian's): refused with the reason, nothing recorded
            QVERIFY2(r.err.contains(QStringLiteral("has no CUDA")) && !r.err.contains(QStringLiteral("setting")), qPrintable(r.err));
            QCOMPARE(recordedRuns(), before);
            // The same device from the settings: the refusal names the setting, not the command.
            QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("device"), QStringLiteral("cuda")}).code, 0);
            const Result saved = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa"), QStringLiteral("--dnabert"),
                                      QStringLiteral("dev-dnabert-s"), QStringLiteral("--esm"), QStringLiteral("dev-esm2"), QStringLiteral("--classifier"),
                                      QStringLiteral("dev-virnucpro-classifier")});
            QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("device")}).code, 0);
            QVERIFY2(saved.code == 6 && saved.err.contains(QStringLiteral("has no CUDA"))
                         && saved.err.contains(QStringLiteral("device cuda is the saved `device` setting")),
                     qPrintable(saved.err));
            QCOMPARE(recordedRuns(), before);
            return;
        }
        // A CUDA LibTorch: the run is recorded and finds the device (or fails on these dummy models),
        // never a run that fails for a CUDA this build lacks.
        QVERIFY2(!r.err.contains(QStringLiteral("has no CUDA")), qPrintable(r.err));
        QSKIP("this build's LibTorch has CUDA: the device is the run's to check");
    }

    void aReportOfNoSuchRunIsNotFound()
    {
        const Result r = run({QStringLiteral("report"), QStringLiteral("nosuch")});
        QCOMPARE(r.code, 6);
        QVERIFY2(r.err.contains(QStringLiteral("no run with id 'nosuch'")), qPrintable(r.err));
    }

    // A cluster run where no Slurm cluster answers (no slurm.conf, or no client at all) is refused
    // before it is recorded, saying so — not recorded and failed with sbatch's configuration errors.
    void aClusterRunWithoutAClusterIsRefusedBeforeItIsRecorded()
    {
        importDevModels(); // the run's own checks pass: the cluster is asked last
        if (QTest::currentTestFailed())
            return;
        const qsizetype before = recordedRuns();
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("SLURM_CONF"), path("no-such-slurm.conf"));
        p.setProcessEnvironment(e);
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"),
                                                     path("contigs.fa"), QStringLiteral("--dnabert"), QStringLiteral("dev-dnabert-s"), QStringLiteral("--esm"),
                                                     QStringLiteral("dev-esm2"), QStringLiteral("--classifier"), QStringLiteral("dev-virnucpro-classifier"),
                                                     QStringLiteral("--cluster"), QStringLiteral("slurm"), QStringLiteral("--shards"), QStringLiteral("2")});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 6 && err.contains(QStringLiteral("no Slurm cluster answers on this machine")), qPrintable(err));
        QCOMPARE(recordedRuns(), before);
    }

    // The cluster is asked only once the run's own parameters are good: a wrong parameter is named
    // (2), not hidden behind "no cluster" (6).
    void aClusterRunsBadParameterIsNamedBeforeTheClusterIsAsked()
    {
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("SLURM_CONF"), path("no-such-slurm.conf"));
        p.setProcessEnvironment(e);
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"),
                                                     path("contigs.fa"), path("contigs.fa"), QStringLiteral("--cluster"), QStringLiteral("slurm")});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 2 && err.contains(QStringLiteral("is given twice")) && !err.contains(QStringLiteral("Slurm")), qPrintable(err));
    }

    // A verb that cannot run on a cluster says which can (every loaded plugin's, as they are).
    void aClusterRunOfAVerbThatCannotShardNamesThoseThatCan()
    {
        QVERIFY(writeAll(path("people.csv"), "seqn,age\n1,50\n"));
        const qsizetype before = recordedRuns();
        const Result r = run({QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("clocks"), path("people.csv"), QStringLiteral("--cluster"),
                              QStringLiteral("slurm")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("age clocks cannot run on a cluster (verbs that can: ")) && r.err.contains(QStringLiteral("viral predict")),
                 qPrintable(r.err));
        QCOMPARE(recordedRuns(), before);
    }

    // The program copied without its plugin folder: `plugins` says none was found and where to put
    // them; a run of a plugin not found says how to see what was.
    void aProgramWithoutItsPluginsSaysSo()
    {
        const QString copy = path("lonely/bin/bioforge");
        QVERIFY(QDir().mkpath(QFileInfo(copy).absolutePath()));
        QVERIFY(QFile::copy(binPath(QStringLiteral("bioforge")), copy));
        QProcess p;
        QProcessEnvironment e = env();
        e.remove(QStringLiteral("BIOFORGE_PLUGIN_PATH")); // ctest names the build's plugins there
        p.setProcessEnvironment(e);
        p.start(copy, {QStringLiteral("--project"), project(), QStringLiteral("plugins")});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0 && out.contains(QStringLiteral("note: no plugin module in the search paths")), qPrintable(out));
        QVERIFY(!run({QStringLiteral("plugins")}).out.contains(QStringLiteral("no plugin module"))); // the build's program finds them
        p.start(copy, {QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa")});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() != 0 && err.contains(QStringLiteral("`bioforge plugins` lists those found")), qPrintable(err));
    }

    // A pipe, a device or "-" as an input: said to be no file (a resume reads its inputs again), not "no such file".
    void aPipeIsNoInputFile()
    {
        const QString fifo = path("contigs.fifo");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        for (const QString& input : {fifo, QStringLiteral("/dev/null"), QStringLiteral("-")}) {
            const Result r = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), input});
            QVERIFY2(r.code == 5 && r.err.contains(QStringLiteral("not a file: a run reads its inputs again when it is resumed")), qPrintable(r.err));
        }
        // /dev/stdin redirected from a file is a file to the system, but names whatever standard
        // input is at a resume: refused too (it was recorded as the input /dev/stdin: trial 24 T24-15).
        QProcess p;
        p.setProcessEnvironment(env());
        p.setStandardInputFile(path("contigs.fa"));
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"),
                                                      QStringLiteral("predict"), QStringLiteral("/dev/stdin")});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 5 && err.contains(QStringLiteral("/dev/stdin is a pipe or a device, not a file")), qPrintable(err));
    }

    void integerBoundsAreWrittenInFull()
    {
        const Result r = run({QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("contigs.fa"), QStringLiteral("--chunk_length"),
                              QStringLiteral("2")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("2 is outside [")) && !r.err.contains(QStringLiteral("e+")), qPrintable(r.err));
    }

    // llm: one model for the rest; a recorded generate run takes the plain command's spellings,
    // and is titled with its input.
    void recordedRunsReadLikeThePlainCommands()
    {
        const QString model = path("tiny.gguf");
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--embd"), QStringLiteral("32"), QStringLiteral("--ff"),
                      QStringLiteral("64"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--layers"), QStringLiteral("1"),
                      QStringLiteral("--type"), QStringLiteral("F32")}).code, 0);
        const QStringList sampling{QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"), QStringLiteral("3"), QStringLiteral("--temp"),
                                   QStringLiteral("0")};
        const Result plain = run(QStringList{QStringLiteral("llm"), QStringLiteral("generate"), model} + sampling
                                 + QStringList{QStringLiteral("--top_k"), QStringLiteral("5"), QStringLiteral("--repeat_last_n"), QStringLiteral("8")});
        QVERIFY2(plain.code == 0, qPrintable(plain.err));
        const Result recorded = run(QStringList{QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"), model} + sampling
                                    + QStringList{QStringLiteral("--top-k"), QStringLiteral("5"), QStringLiteral("--repeat-last-n"), QStringLiteral("8")});
        QVERIFY2(recorded.code == 0, qPrintable(recorded.err));
        QVERIFY2(runsListing().contains(QStringLiteral("— tiny.gguf")), qPrintable(runsListing()));
        QVERIFY(recordedRuns() >= 1); // the count the refusals compare is a real count
        // The hyphenated options reached the recorded parameters.
        const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(recorded.err).captured(1);
        const QString shown = run({QStringLiteral("show"), id}).out;
        QVERIFY2(shown.contains(QStringLiteral("\"top_k\": 5")) && shown.contains(QStringLiteral("\"repeat_last_n\": 8")), qPrintable(shown));
        // A malformed device is a usage error before any run.
        const qsizetype runsBefore = recordedRuns();
        QCOMPARE(run(QStringList{QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"), model, QStringLiteral("--device"),
                                 QStringLiteral("gpu0")} + sampling).code, 2);
        QCOMPARE(recordedRuns(), runsBefore);
        const Result missing = run({QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"), path("nosuch.gguf"), QStringLiteral("--prompt"),
                                    QStringLiteral("x")});
        QCOMPARE(missing.code, 6);
        // The terminal chat says what /reset did.
        QProcess chat;
        chat.setProcessEnvironment(env());
        chat.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("llm"), QStringLiteral("chat"), model, QStringLiteral("--n"), QStringLiteral("2"),
                                                         QStringLiteral("--temp"), QStringLiteral("0")});
        QVERIFY(chat.waitForStarted());
        chat.write("hello\n/reset\n/exit\n");
        chat.closeWriteChannel();
        QVERIFY(chat.waitForFinished(120000));
        QCOMPARE(chat.exitCode(), 0);
        QVERIFY2(chat.readAllStandardOutput().contains("(conversation cleared)"), "no word after /reset");
    }

    void aCompressedModelIsNamedAsSuch()
    {
        QByteArray gz("\x1f\x8b\x08\x08", 4); // a gzip member's start (RFC 1952), as `gzip model.gguf` writes it
        gz.append(60, '\0');
        QVERIFY(writeAll(path("model.gguf.gz"), gz));
        const Result r = run({QStringLiteral("llm"), QStringLiteral("info"), path("model.gguf.gz")});
        QCOMPARE(r.code, 5);
        QVERIFY2(r.err.contains(QStringLiteral("gzip-compressed; gunzip it first")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TstCliRefusals)
#include "tst_cli_refusals.moc"
