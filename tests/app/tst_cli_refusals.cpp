// What the command line refuses before any run is recorded, and with which
// exit code (docs/cli.md), through the real program: a model that is not
// registered (6) or registered as another kind (2), a model folder of an
// unknown kind (2) or lacking its kind's files (6), a CUDA device this build's
// LibTorch cannot have (6), a report of no such run (6); and what it shows: a
// run's title naming its input; options spelled with hyphens or underscores alike; a
// gzipped model named as gzip; /reset in a terminal chat answered.
// (The new-user trial's findings D9, D12, D14, D16, D17, D23, D24; docs/new-user-findings.md.)

#include "support/loopback_http_server.h"
#include "support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::test;

class TstCliRefusals : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    struct Result {
        int code = -1;
        QString out, err;
    };

    QProcessEnvironment env() const { return isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))); }
    QString project() const { return m_dir.filePath(QStringLiteral("project")); }
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

    Result run(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
        p.waitForFinished(180000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // As run(), while this thread's event loop turns (a LoopbackHttpServer answers on it).
    Result runServing(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
        QElapsedTimer clock;
        clock.start();
        while (!p.waitForFinished(20) && clock.elapsed() < 180000)
            QCoreApplication::processEvents();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // A folder with the files of a model kind (contents do not matter to import, which only hashes).
    QString modelFolder(const char* name, const QStringList& files)
    {
        const QString folder = path(name);
        for (const QString& f : files)
            writeAll(QDir(folder).filePath(f), "x");
        return folder;
    }

    QString runsListing() { return run({QStringLiteral("runs")}).out; }
    // Lines of `bioforge runs` that are runs (their ids: date-time-random).
    qsizetype recordedRuns()
    {
        static const QRegularExpression runLine(QStringLiteral("^\\d{8}-\\d{6}-"), QRegularExpression::MultilineOption);
        qsizetype n = 0;
        for (auto it = runLine.globalMatch(runsListing()); it.hasNext(); it.next())
            ++n;
        return n;
    }

    // Three registered models of the viral kinds (files of the right names, made up content): enough
    // for the checks a run makes before it is recorded. Importing the same folder again is allowed.
    void importDevModels()
    {
        const QStringList kinds[] = {{QStringLiteral("dnabert-s"), QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("tokenizer.json")},
                                     {QStringLiteral("esm2"), QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")},
                                     {QStringLiteral("virnucpro-classifier"), QStringLiteral("weights.safetensors"), QStringLiteral("weights.json")}};
        for (const QStringList& k : kinds)
            QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("dev-") + k[0], k[0],
                          modelFolder(qPrintable(QStringLiteral("dev-") + k[0]), k.mid(1))}).code, 0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeAll(path("contigs.fa"), ">c1\nACGTACGTACGTACGTACGTACGTACGTACGT\n"));
        // A project with nothing in it yet: every refusal below must leave it so.
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("list")}).code, 0);
    }

    void importChecksTheKindAndItsFiles()
    {
        const QString esm = modelFolder("esm-ok", {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")});
        const Result unknownKind = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m1"), QStringLiteral("nosuchkind"), esm});
        QCOMPARE(unknownKind.code, 2);
        QVERIFY2(unknownKind.err.contains(QStringLiteral("unknown model kind 'nosuchkind'")) && unknownKind.err.contains(QStringLiteral("esm2")),
                 qPrintable(unknownKind.err));
        const QString partial = modelFolder("dnabert-partial", {QStringLiteral("config.json"), QStringLiteral("notes.csv")});
        const Result lacking = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m2"), QStringLiteral("dnabert-s"), partial});
        QCOMPARE(lacking.code, 6);
        QVERIFY2(lacking.err.contains(QStringLiteral("model.safetensors, tokenizer.json")), qPrintable(lacking.err));
        const Result aFile = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m3"), QStringLiteral("esm2"), path("contigs.fa")});
        QCOMPARE(aFile.code, 6);
        QVERIFY2(aFile.err.contains(QStringLiteral("not a folder")), qPrintable(aFile.err));
        const QString models = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        QVERIFY2(!models.contains(QStringLiteral("m1 ")) && !models.contains(QStringLiteral("m2 ")) && !models.contains(QStringLiteral("m3 ")), qPrintable(models));
        const Result ok = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("esm-dummy"), QStringLiteral("esm2"), esm});
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
    }

    // A registered name is not replaced by another kind or folder without a word; the same folder
    // again is an update that says so. A download needs an http(s) URL and a SHA-256, checked first.
    void aModelNameIsNotReplacedSilently()
    {
        const QString gguf = modelFolder("gguf-one", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf, QStringLiteral("--revision"),
                      QStringLiteral("v2")}).code, 0);
        const QString esm = modelFolder("esm-other", {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")});
        const Result otherKind = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("esm2"), esm});
        QCOMPARE(otherKind.code, 2);
        QVERIFY2(otherKind.err.contains(QStringLiteral("a model named 'kept' is registered already (kind gguf, revision v2"))
                     && otherKind.err.contains(QStringLiteral("bioforge models remove kept")),
                 qPrintable(otherKind.err));
        const QString gguf2 = modelFolder("gguf-two", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf2}).code, 2);
        const Result again = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf});
        QVERIFY2(again.code == 0 && again.out.contains(QStringLiteral("registered kept again: 1 file (m.gguf, SHA-256 "))
                     && again.out.contains(QStringLiteral("it was revision v2, the same files")),
                 qPrintable(again.out + again.err));
        QVERIFY(run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(QStringLiteral("kept  gguf")));

        const QString sha(64, QLatin1Char('a'));
        for (const QString& url : {QStringLiteral("ftp://example.org/m.gguf"), path("gguf-one/m.gguf"), QStringLiteral("file:///tmp/m.gguf")}) {
            const Result notHttp = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"), url, sha});
            QVERIFY2(notHttp.code == 2 && notHttp.err.contains(QStringLiteral("not an http(s) URL")) && notHttp.err.contains(QStringLiteral("models import")),
                     qPrintable(url + QLatin1Char(' ') + notHttp.err));
        }
        const Result notSha = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"),
                                   QStringLiteral("http://127.0.0.1:9/m.gguf"), QStringLiteral("nothex")});
        QVERIFY2(notSha.code == 2 && notSha.err.contains(QStringLiteral("'nothex' is not a SHA-256")), qPrintable(notSha.err));
        QVERIFY(!run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(QStringLiteral("dl  gguf")));
    }

    // `models remove` deletes the folder `models download` made for the model (it is the
    // workbench's), keeps it with --keep-files, and never touches a folder the user imported.
    void removeDeletesWhatItDownloadedOnly()
    {
        bioforge::test::LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray weights("GGUF-like bytes of a downloaded model");
        server.serve(QStringLiteral("/m.gguf"), weights);
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(weights, QCryptographicHash::Sha256).toHex());
        static const QRegularExpression where(QStringLiteral("registered \\S+ in (.+)\n"));
        QString roots[2];
        for (int i = 0; i < 2; ++i) {
            const Result got = runServing({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("fetched-%1").arg(i), QStringLiteral("gguf"),
                                           server.url(QStringLiteral("/m.gguf")), sha});
            QVERIFY2(got.code == 0, qPrintable(got.err));
            roots[i] = where.match(got.out).captured(1).trimmed();
            QVERIFY2(QFileInfo(QDir(roots[i]).filePath(QStringLiteral("m.gguf"))).isFile(), qPrintable(got.out));
        }
        const Result gone = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("fetched-0")});
        QVERIFY2(gone.code == 0 && gone.out.contains(QStringLiteral("its downloaded files in %1 were deleted").arg(roots[0])), qPrintable(gone.out + gone.err));
        QVERIFY(!QFileInfo::exists(roots[0]));
        const Result kept = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("fetched-1"), QStringLiteral("--keep-files")});
        QVERIFY2(kept.code == 0 && kept.out.contains(QStringLiteral("its files stay in %1 (--keep-files)").arg(roots[1])), qPrintable(kept.out + kept.err));
        QVERIFY(QFileInfo(QDir(roots[1]).filePath(QStringLiteral("m.gguf"))).isFile());
        const QString mine = modelFolder("imported-by-hand", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("by-hand"), QStringLiteral("gguf"), mine}).code, 0);
        const Result imported = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("by-hand")});
        QVERIFY2(imported.code == 0 && imported.out.contains(QStringLiteral("its files stay in %1").arg(QFileInfo(mine).canonicalFilePath())),
                 qPrintable(imported.out + imported.err));
        QVERIFY(QFileInfo(QDir(mine).filePath(QStringLiteral("m.gguf"))).isFile());
        // A folder the user made inside the models folder and imported is still the user's.
        const QString inside = QDir(QFileInfo(roots[1]).absolutePath()).filePath(QStringLiteral("made-by-hand"));
        QVERIFY(writeAll(QDir(inside).filePath(QStringLiteral("m.gguf")), "x"));
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("made-by-hand"), QStringLiteral("gguf"), inside}).code, 0);
        const Result kept2 = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("made-by-hand")});
        QVERIFY2(kept2.code == 0 && kept2.out.contains(QStringLiteral("its files stay in")), qPrintable(kept2.out + kept2.err));
        QVERIFY(QFileInfo(QDir(inside).filePath(QStringLiteral("m.gguf"))).isFile());
    }

    // Imports started at once (a script's `&`) all land in the registry; a registry that cannot be
    // read is an error for `models list` (5), and an import does not overwrite it.
    void importsAtOnceAreAllKeptAndABrokenRegistryIsNotOverwritten()
    {
        QList<QProcess*> imports;
        for (int i = 0; i < 5; ++i) {
            auto* p = new QProcess(this);
            p->setProcessEnvironment(env());
            p->start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("models"), QStringLiteral("import"),
                                                          QStringLiteral("at-once-%1").arg(i), QStringLiteral("gguf"),
                                                          modelFolder(qPrintable(QStringLiteral("at-once-%1").arg(i)), {QStringLiteral("m.gguf")})});
            imports << p;
        }
        for (QProcess* p : imports) {
            QVERIFY(p->waitForFinished(120000));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        qDeleteAll(imports);
        const QString listed = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        for (int i = 0; i < 5; ++i)
            QVERIFY2(listed.contains(QStringLiteral("at-once-%1  gguf").arg(i)), qPrintable(listed));
        const QString registry = listed.section(QLatin1Char('\n'), 0, 0).section(QLatin1Char(' '), 1);
        const QByteArray whole = readAll(registry);
        QVERIFY(writeAll(registry, whole.left(whole.size() / 2)));
        const Result broken = run({QStringLiteral("models"), QStringLiteral("list")});
        QCOMPARE(broken.code, 5);
        const Result import = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("late"), QStringLiteral("gguf"), path("at-once-0")});
        QVERIFY(import.code != 0);
        QCOMPARE(readAll(registry), whole.left(whole.size() / 2));
        QVERIFY(writeAll(registry, whole));
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
    }

    // A command that takes only flags refuses a misspelt one instead of ignoring it.
    void aCommandOfFlagsRefusesOthers()
    {
        for (const QStringList& args : {QStringList{QStringLiteral("devices"), QStringLiteral("--chek")}, QStringList{QStringLiteral("runs"), QStringLiteral("all")},
                                        QStringList{QStringLiteral("plugins"), QStringLiteral("--verbose-list")}, QStringList{QStringLiteral("version"), QStringLiteral("x")}}) {
            const Result r = run(args);
            QVERIFY2(r.code == 2 && r.err.contains(QStringLiteral("unexpected argument '%1'").arg(args.last())) && r.err.contains(QStringLiteral("usage: bioforge ")),
                     qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
        }
        QCOMPARE(run({QStringLiteral("devices"), QStringLiteral("--check")}).code, 0);
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
            QVERIFY2(r.err.contains(QStringLiteral("has no CUDA")), qPrintable(r.err));
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
