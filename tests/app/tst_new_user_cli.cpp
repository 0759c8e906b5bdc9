// What a new user types, through the real program with every plugin loaded:
// help that reads right (no UTF-8 shown as Latin-1), a plugin's verbs listed
// by `run <plugin> --help`, a missing input is exit 6, boolean options in
// every spelling, model names that would leave the models folder refused,
// text arguments passed to the tokenizer as the bytes typed, broken models
// refused by `llm info`, and a demo that runs with no ../shared anywhere.

#include "support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

using namespace bioforge::test;

class TstNewUserCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    struct Result {
        int code = -1;
        QByteArray out, err;
    };

    QProcessEnvironment env() const { return isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))); } // no ../shared for the product

    Result run(const QStringList& args, int timeoutMs = 180000)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(timeoutMs);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
    }

    // Through a shell, for arguments that are bytes rather than text.
    Result shell(const QString& script)
    {
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("BIOFORGE"), binPath(QStringLiteral("bioforge")));
        p.setProcessEnvironment(e);
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
        p.waitForFinished(120000);
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

    QString project() const { return m_dir.filePath(QStringLiteral("project")); }

    // UTF-8 bytes read as Latin-1 and written out again: "…" becomes "â€¦" (C3 A2 C2 80 C2 A6).
    static bool looksDoubleEncoded(const QByteArray& text)
    {
        static const QRegularExpression mojibake(QStringLiteral("[\\x{00C2}\\x{00C3}\\x{00E2}][\\x{0080}-\\x{00BF}]"));
        return QString::fromUtf8(text).contains(mojibake);
    }

private slots:
    void helpReadsRightEverywhere()
    {
        QList<QStringList> commands{{QStringLiteral("--help")}, {QStringLiteral("run"), QStringLiteral("--help")},
                                    {QStringLiteral("models"), QStringLiteral("--help")}, {QStringLiteral("llm"), QStringLiteral("--help")}};
        for (const char* verb : {"predict", "validate"})
            commands.append({QStringLiteral("run"), QStringLiteral("viral"), QLatin1String(verb), QStringLiteral("--help")});
        for (const char* verb : {"info", "tokenize", "generate", "chat", "bench", "synth-model"})
            commands.append({QStringLiteral("llm"), QLatin1String(verb), QStringLiteral("--help")});
        for (const char* verb : {"import-bulk", "download", "sources"}) // `sources --help` was a usage error (2)
            commands.append({QStringLiteral("annotation"), QLatin1String(verb), QStringLiteral("--help")});
        for (const QStringList& c : commands) {
            const Result r = run(QStringList{QStringLiteral("--project"), project()} + c);
            QVERIFY2(r.code == 0, qPrintable(c.join(' ') + QStringLiteral(": ") + QString::fromUtf8(r.err)));
            QVERIFY2(!r.out.isEmpty() && !looksDoubleEncoded(r.out) && !looksDoubleEncoded(r.err), qPrintable(c.join(' ') + QStringLiteral(":\n") + QString::fromUtf8(r.out)));
        }
        QVERIFY(run({QStringLiteral("--help")}).out.contains("[--param value …]"));
    }

    void runListsAPluginsVerbs()
    {
        const Result help = run({QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY2(help.out.contains("  predict ") && help.out.contains("  validate "), help.out.constData());
        const Result bare = run({QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral")});
        QCOMPARE(bare.code, 2);
        QVERIFY(bare.err.contains("  predict "));
        const Result wrong = run({QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predcit")});
        QCOMPARE(wrong.code, 2); // an unknown verb is an unknown command, as for `llm`
        QVERIFY(wrong.err.contains("no verb 'predcit'") && wrong.err.contains("  predict "));
        // `run workbench demo`, a new user's guess, points at `bioforge demo` (trial 18).
        const Result demo = run({QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("demo")});
        QVERIFY2(demo.code == 2 && demo.err.contains("every plugin's demo runs with `bioforge demo`"), demo.err.constData());
    }

    void aMissingInputFileIsNotFound()
    {
        const QString missing = m_dir.filePath(QStringLiteral("no-such-contigs.fa"));
        const Result r = run({QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), missing});
        QCOMPARE(r.code, 6);
        QVERIFY2(r.err.contains(missing.toUtf8()), r.err.constData());
    }

    void modelNamesCannotLeaveTheModelsFolder()
    {
        const QString home = m_dir.filePath(QStringLiteral("home"));
        const Result r = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("../../../../escape-test"), QStringLiteral("esm2"),
                              QStringLiteral("http://127.0.0.1:9/model.bin"), QString(64, QLatin1Char('0'))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("model name"), r.err.constData());
        QDirIterator it(m_dir.path(), {QStringLiteral("escape-test*")}, QDir::AllEntries, QDirIterator::Subdirectories);
        QVERIFY2(!it.hasNext(), "a file or folder named after the model was created");
        QVERIFY(!QFileInfo::exists(QDir(home).filePath(QStringLiteral("../escape-test"))));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/escape-test")));
        // Importing under such a name is refused too.
        QDir().mkpath(m_dir.filePath(QStringLiteral("a-model")));
        writeAll(m_dir.filePath(QStringLiteral("a-model/config.json")), "{}");
        const Result imported = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("../x"), QStringLiteral("esm2"), m_dir.filePath(QStringLiteral("a-model"))});
        QVERIFY(imported.code != 0 && imported.err.contains("model name"));
    }

    void booleanOptionsTakeTrueAndFalse()
    {
        const QString model = m_dir.filePath(QStringLiteral("tiny.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--embd"), QStringLiteral("32"), QStringLiteral("--ff"),
                      QStringLiteral("64"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--layers"), QStringLiteral("1"),
                      QStringLiteral("--type"), QStringLiteral("F32")}).code, 0);
        const QStringList base{QStringLiteral("llm"), QStringLiteral("generate"), model, QStringLiteral("--prompt"), QStringLiteral("hello"),
                               QStringLiteral("--n"), QStringLiteral("3"), QStringLiteral("--temp"), QStringLiteral("0")};
        const QRegularExpression idsOnly(QStringLiteral("^[0-9 ]+$"));
        for (const QStringList& flag : {QStringList{QStringLiteral("--ids")}, QStringList{QStringLiteral("--ids"), QStringLiteral("true")},
                                        QStringList{QStringLiteral("--ids=true")}}) {
            const Result r = run(base + flag);
            QVERIFY2(r.code == 0, r.err.constData());
            QVERIFY2(idsOnly.match(QString::fromUtf8(r.out.trimmed())).hasMatch(), r.out.constData());
        }
        for (const QStringList& flag : {QStringList{QStringLiteral("--ids"), QStringLiteral("false")}, QStringList{QStringLiteral("--ids=false")},
                                        QStringList{QStringLiteral("--no-ids")}}) {
            const Result r = run(base + flag);
            QVERIFY2(r.code == 0, r.err.constData());
            QVERIFY2(!idsOnly.match(QString::fromUtf8(r.out.trimmed())).hasMatch() || r.out.trimmed().isEmpty(), r.out.constData());
        }
    }

    void tokenizeTakesTheBytesAsTyped()
    {
        const QString vocab = fixturePath(QStringLiteral("llm/tokenizers/ggml-vocab-llama-spm.gguf"));
        if (!QFileInfo::exists(vocab))
            QSKIP("../shared/fixtures is not present");
        // Two bytes that are not valid UTF-8 on their own; llama.cpp gives 29871 233 176.
        const Result r = shell(QStringLiteral("\"$BIOFORGE\" llm tokenize '%1' --text \"$(printf '\\346\\255')\" --no-bos --ids-only").arg(vocab));
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("29871 233 176"));
    }

    void brokenModelsAreRefusedByInfoAndGenerate()
    {
        for (const char* name : {"llm/byte-token-bad-hex.gguf", "llm/vocab-larger-than-embedding.gguf"}) {
            const QString path = casePath(QLatin1String(name));
            if (!QFileInfo::exists(path))
                QSKIP("../shared/cases is not present");
            const Result info = run({QStringLiteral("llm"), QStringLiteral("info"), path});
            QCOMPARE(info.code, 5);
            QVERIFY2(info.err.contains(path.toUtf8()), info.err.constData());
            const Result generate = run({QStringLiteral("llm"), QStringLiteral("generate"), path, QStringLiteral("--prompt"), QStringLiteral("hello"),
                                         QStringLiteral("--n"), QStringLiteral("8"), QStringLiteral("--temp"), QStringLiteral("0")});
            QCOMPARE(generate.code, 5); // refused at load, never an abort (134)
            QVERIFY2(generate.err.contains(path.toUtf8()), generate.err.constData());
        }
    }

    // A terminal output that goes away (`bioforge run … | head`, a pager quit) stops the output, not
    // the run: SIGPIPE had killed it silently, left interrupted (trial 24 T24-16).
    void aClosedOutputDoesNotStopTheRun()
    {
        const QString folder = m_dir.filePath(QStringLiteral("closed-output"));
        // Through a shell pipe whose reader exits after one byte: the writes after it fail (EPIPE, or
        // SIGPIPE without the fix: exit 141). The pipeline's status is bioforge's (PIPESTATUS).
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("BIOFORGE"), binPath(QStringLiteral("bioforge")));
        e.insert(QStringLiteral("PROJECT"), folder);
        p.setProcessEnvironment(e);
        p.start(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), QStringLiteral("\"$BIOFORGE\" --project \"$PROJECT\" run workbench selftest --units 40 "
                                                                                   "--work 200 2>&1 | head -c 1 >/dev/null; echo \"${PIPESTATUS[0]}\"")});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("0"));
        const QByteArray listed = run({QStringLiteral("--project"), folder, QStringLiteral("runs"), QStringLiteral("--state"), QStringLiteral("finished")}).out;
        QCOMPARE(listed.count("workbench selftest"), 1);
    }
    // Started without HOME (cron, a systemd service, `env -i`), or with HOME "/" or relative: the
    // home of the password database, not the file system's root (/Documents, //.local: trial 24
    // T24-9, review 68 R68-9).
    void withoutHomeTheUsersHomeFromThePasswordDatabaseIsUsed()
    {
        const passwd* user = ::getpwuid(::getuid());
        if (!user || !user->pw_dir || QByteArray(user->pw_dir) == "/")
            QSKIP("this user has no home folder in the password database");
        for (const char* home : {static_cast<const char*>(nullptr), "", "/", "relative/home"}) { // "/": a container's unknown user
            QProcessEnvironment e = env();
            for (const char* name : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"})
                e.remove(QLatin1String(name));
            if (home)
                e.insert(QStringLiteral("HOME"), QLatin1String(home));
            QProcess p;
            p.setProcessEnvironment(e);
            p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("settings"), QStringLiteral("list")}); // reads, writes nothing
            QVERIFY(p.waitForFinished(60000));
            const QByteArray out = p.readAllStandardOutput();
            QVERIFY2(out.contains("settings file: " + QByteArray(user->pw_dir) + "/.config/BioForge/"), out.constData());
        }
    }

    // With no project named, the demo runs in ~/BioForge/demo-project, not the default project real
    // work goes to (trial 21 T21-13), and does not become the project the window opens next.
    void theDemoRunsWithoutSharedFixtures()
    {
        const QString home = m_dir.filePath(QStringLiteral("home"));
        const QString demo = QDir(home).filePath(QStringLiteral("BioForge/demo-project"));
        const Result r = run({QStringLiteral("demo")}, 600000);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains(QStringLiteral("Demo project: %1\n").arg(demo).toUtf8()), r.out.constData());
        QVERIFY(!QFileInfo::exists(QDir(home).filePath(QStringLiteral("Documents/BioForge/Default project"))));
        QVERIFY(!readAll(QDir(home).filePath(QStringLiteral(".config/BioForge/Workbench.conf"))).contains("demo-project"));
        QVERIFY2(r.out.contains("VirNucPro demo") && r.out.contains("report:"), r.out.constData());
        QVERIFY(!r.err.contains("cannot run"));
        // The viral demo's calls are in its run folder.
        QDirIterator it(QDir(demo).filePath(QStringLiteral("runs")), {QStringLiteral("contigs.tsv")}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        QVERIFY(readAll(it.next()).count('\n') > 5);
        // Its random-weights models are said to be test models where a new user meets them first: the
        // registry's listing and the terminal's llm commands (trial 17).
        const QByteArray models = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        QVERIFY2(models.contains("— TEST model (random weights)"), models.constData());
        QString gguf;
        for (const QJsonValue& v : QJsonDocument::fromJson(run({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}).out).object().value(QLatin1String("models")).toArray())
            if (v.toObject().value(QLatin1String("kind")).toString() == QLatin1String("gguf") && v.toObject().value(QLatin1String("test_model")).toBool())
                gguf = v.toObject().value(QLatin1String("name")).toString();
        QVERIFY(!gguf.isEmpty());
        const Result generated = run({QStringLiteral("llm"), QStringLiteral("generate"), gguf, QStringLiteral("--prompt"), QStringLiteral("PKD1 is"), QStringLiteral("--n"), QStringLiteral("2")});
        QVERIFY2(generated.code == 0 && generated.err.contains("is a TEST model with random weights"), generated.err.constData());
        // A viral run of the command line with the test models says so in its title, as the page's
        // does (`runs`, the report's heading): a PDF of random calls looked like real ones (trial 18).
        QMap<QString, QString> viralModels; // kind -> a test model of it
        for (const QJsonValue& v : QJsonDocument::fromJson(run({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}).out).object().value(QLatin1String("models")).toArray())
            if (v.toObject().value(QLatin1String("test_model")).toBool())
                viralModels.insert(v.toObject().value(QLatin1String("kind")).toString(), v.toObject().value(QLatin1String("name")).toString());
        const QString fasta = m_dir.filePath(QStringLiteral("two-contigs.fa"));
        QByteArray bases;
        for (int i = 0; i < 700; ++i)
            bases += "ACGT"[(i * 7 + i / 5) % 4];
        QVERIFY(writeAll(fasta, ">first\n" + bases + "\n>second\n" + bases.left(400) + "\n"));
        // Without models named, the published ones are not registered here: the refusal names the
        // registered test models and how to make them the defaults, which then hold (the README's
        // `run viral predict contigs.fa` failed after the demo, the settings it named did not exist).
        const QStringList predict{QStringLiteral("--project"), demo, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), fasta};
        const Result unnamed = run(predict);
        QVERIFY2(unnamed.code == 6 && unnamed.err.contains(QStringLiteral("registered dnabert-s models: %1").arg(viralModels.value(QStringLiteral("dnabert-s"))).toUtf8())
                     && unnamed.err.contains("bioforge settings set viral.dnabert_model NAME"),
                 unnamed.err.constData());
        for (const auto& [key, kind] : {std::pair{"dnabert_model", "dnabert-s"}, {"esm_model", "esm2"}, {"classifier_model_300", "virnucpro-classifier"}}) {
            const Result set = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("viral.") + QLatin1String(key), viralModels.value(QLatin1String(kind))});
            QVERIFY2(set.code == 0, set.err.constData());
        }
        const Result viral = run(predict, 600000);
        QVERIFY2(viral.code == 0, viral.err.constData());
        const QByteArray listed = run({QStringLiteral("--project"), demo, QStringLiteral("runs")}).out;
        QVERIFY2(listed.contains("predict with TEST models (random weights: the calls mean nothing) — two-contigs.fa"), listed.constData());
        // The same test models imported under other names, as a colleague would (no test flag in the
        // registry): the classifier's own file says random weights, and the title still says so
        // (trial 25 T25-7).
        QStringList colleague{QStringLiteral("--reuse_results"), QStringLiteral("false")};
        for (const QJsonValue& v : QJsonDocument::fromJson(run({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}).out).object().value(QLatin1String("models")).toArray()) {
            const QJsonObject m = v.toObject();
            const QString kind = m.value(QLatin1String("kind")).toString();
            if (kind == QLatin1String("gguf") || m.value(QLatin1String("name")).toString() != viralModels.value(kind))
                continue;
            const QString name = QStringLiteral("colleague-") + kind;
            const Result imported = run({QStringLiteral("models"), QStringLiteral("import"), name, kind, m.value(QLatin1String("root")).toString()});
            QVERIFY2(imported.code == 0, imported.err.constData());
            colleague << (kind == QLatin1String("dnabert-s") ? QStringLiteral("--dnabert") : kind == QLatin1String("esm2") ? QStringLiteral("--esm") : QStringLiteral("--classifier"))
                      << name;
        }
        QCOMPARE(colleague.size(), 2 + 3 * 2);
        const Result again = run(predict + colleague, 600000);
        QVERIFY2(again.code == 0, again.err.constData());
        const QByteArray relisted = run({QStringLiteral("--project"), demo, QStringLiteral("runs")}).out;
        QCOMPARE(relisted.count("predict with TEST models (random weights: the calls mean nothing) — two-contigs.fa"), 2);
    }
};

QTEST_GUILESS_MAIN(TstNewUserCli)
#include "tst_new_user_cli.moc"
