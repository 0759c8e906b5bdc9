// `bioforge llm …` end to end through the real program and plugin loading:
// generate reproduces every llama.cpp reference sequence; info, tokenize,
// synth-model and bench answer; a recorded generate run reports.

#include "gguf/gguf_writer.h"
#include "quant/vec_dot.h"
#include "support/test_support.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::test;
using namespace bioforge::llm;

class TstLlmCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    struct Result {
        int code;
        QString out, err;
    };

    Result run(const QStringList& args, const QString& workingDirectory = {})
    {
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        if (!workingDirectory.isEmpty())
            p.setWorkingDirectory(workingDirectory);
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(300000);
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void generateReproducesEveryReference()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        const QList<QByteArray> lines = readAll(fixturePath(QStringLiteral("llm/models/references.tsv"))).split('\n');
        int checked = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> f = lines[i].split('\t');
            if (f.size() != 4)
                continue;
            const int generated = int(f[3].split(' ').size()) - f[2].toInt();
            const Result r = run({QStringLiteral("llm"), QStringLiteral("generate"), fixturePath(QStringLiteral("llm/models/") + QString::fromUtf8(f[0])),
                                  QStringLiteral("--prompt"), QString::fromUtf8(f[1]), QStringLiteral("--n"), QString::number(generated),
                                  QStringLiteral("--temp"), QStringLiteral("0"), QStringLiteral("--ids")});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QCOMPARE(r.out.trimmed(), QString::fromUtf8(f[3]).trimmed());
            ++checked;
        }
        QVERIFY2(checked > 0, "the generation reference holds no line"); // every line of it was checked
    }

    void infoAndTokenizeDescribeTheModel()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        const QString model = fixturePath(QStringLiteral("llm/models/tiny-llama-e256-q4_k_m.gguf"));
        const Result info = run({QStringLiteral("llm"), QStringLiteral("info"), model});
        QCOMPARE(info.code, 0);
        QVERIFY(info.out.contains(QStringLiteral("GGUF version 3")));
        QVERIFY(info.out.contains(QStringLiteral("Q4_K:")));
        QVERIFY(info.out.contains(QStringLiteral("Q6_K:")));
        QVERIFY(info.out.contains(QStringLiteral("architecture: llama")));
        const Result tok = run({QStringLiteral("llm"), QStringLiteral("tokenize"), model, QStringLiteral("--text"),
                                QStringLiteral("Hello world"), QStringLiteral("--ids-only")});
        QCOMPARE(tok.code, 0);
        QCOMPARE(tok.out.trimmed(), QStringLiteral("1 15043 3186"));
        const Result bad = run({QStringLiteral("llm"), QStringLiteral("info"), m_dir.filePath(QStringLiteral("missing.gguf"))});
        QCOMPARE(bad.code, 6); // no such file
        QVERIFY(bad.err.contains(QStringLiteral("missing.gguf")));
        const QString junk = m_dir.filePath(QStringLiteral("junk.gguf"));
        QFile junkFile(junk);
        QVERIFY(junkFile.open(QIODevice::WriteOnly));
        junkFile.write("GGUF but not really");
        junkFile.close();
        const Result corrupt = run({QStringLiteral("llm"), QStringLiteral("generate"), junk, QStringLiteral("--prompt"), QStringLiteral("hi")});
        QCOMPARE(corrupt.code, 5); // exists but is not a readable model
        QVERIFY(corrupt.err.contains(QStringLiteral("junk.gguf")));
        const Result junkInfo = run({QStringLiteral("llm"), QStringLiteral("info"), junk});
        QCOMPARE(junkInfo.code, 5);
        QVERIFY2(junkInfo.out.contains(QStringLiteral("loads: no")) && !junkInfo.err.isEmpty(), qPrintable(junkInfo.out + junkInfo.err));
        // A well-formed GGUF of an architecture this engine does not run: its metadata, then "loads: no", 5.
        GgufWriter bert;
        bert.setString("general.architecture", "bert");
        bert.setUInt32("bert.block_count", 2);
        const QString bertPath = m_dir.filePath(QStringLiteral("bert.gguf"));
        QVERIFY(bert.write(bertPath));
        const Result bertInfo = run({QStringLiteral("llm"), QStringLiteral("info"), bertPath});
        QVERIFY2(bertInfo.code == 5 && bertInfo.out.contains(QStringLiteral("general.architecture = \"bert\"")) && bertInfo.out.contains(QStringLiteral("loads: no"))
                     && bertInfo.err.contains(QStringLiteral("not a model this engine runs")),
                 qPrintable(bertInfo.out + bertInfo.err));
        const Result help = run({QStringLiteral("llm"), QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QStringLiteral("synth-model")));
    }

    void synthModelThenBench()
    {
        const QString model = m_dir.filePath(QStringLiteral("bench.gguf"));
        const Result synth = run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--embd"), QStringLiteral("256"),
                                  QStringLiteral("--layers"), QStringLiteral("2"), QStringLiteral("--ff"), QStringLiteral("512"),
                                  QStringLiteral("--vocab"), QStringLiteral("1000"), QStringLiteral("--type"), QStringLiteral("Q4_K_M")});
        QVERIFY2(synth.code == 0, qPrintable(synth.err));
        const Result bench = run({QStringLiteral("llm"), QStringLiteral("bench"), model, QStringLiteral("--p"), QStringLiteral("16"),
                                  QStringLiteral("--n"), QStringLiteral("4"), QStringLiteral("--r"), QStringLiteral("1")});
        QVERIFY2(bench.code == 0, qPrintable(bench.err));
        QVERIFY(bench.out.contains(QStringLiteral("| pp16 |")));
        QVERIFY(bench.out.contains(QStringLiteral("| tg4 |")));
        QVERIFY(bench.out.contains(QStringLiteral("GB/s")));
        QVERIFY2(!bench.err.contains(QStringLiteral("context length")), qPrintable(bench.err));
        // A test longer than the model's context is measured and said to be so.
        const QString shortContext = m_dir.filePath(QStringLiteral("bench-ctx16.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), shortContext, QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"),
                      QStringLiteral("128"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--ctx"), QStringLiteral("16")}).code, 0);
        const Result beyond = run({QStringLiteral("llm"), QStringLiteral("bench"), shortContext, QStringLiteral("--p"), QStringLiteral("20"),
                                   QStringLiteral("--n"), QStringLiteral("2"), QStringLiteral("--r"), QStringLiteral("1")});
        QVERIFY2(beyond.code == 0 && beyond.err.contains(QStringLiteral("note: --p 20 goes beyond the model's context length of 16 tokens")), qPrintable(beyond.err));
        // The kernel line names the path and each weight type of the model.
        QVERIFY2(bench.out.contains(QStringLiteral("kernels (%1 path):").arg(QLatin1String(kernelPathName(bestKernelPath())))), qPrintable(bench.out));
        QVERIFY2(bench.out.contains(QStringLiteral(" Q4_K (")) && bench.out.contains(QStringLiteral(" Q6_K (")), qPrintable(bench.out));
        // A chosen path runs and is reported; one this CPU lacks, or unknown text, is refused.
        const Result reference = run({QStringLiteral("llm"), QStringLiteral("bench"), model, QStringLiteral("--p"), QStringLiteral("4"),
                                      QStringLiteral("--n"), QStringLiteral("2"), QStringLiteral("--r"), QStringLiteral("1"),
                                      QStringLiteral("--kernels"), QStringLiteral("reference")});
        QVERIFY2(reference.code == 0, qPrintable(reference.err));
        QVERIFY2(reference.out.contains(QStringLiteral("| cpu reference |")), qPrintable(reference.out));
        QVERIFY2(reference.out.contains(QStringLiteral("Q4_K (")) && reference.out.contains(QStringLiteral("reference (scalar)")), qPrintable(reference.out));
        const Result unknown = run({QStringLiteral("llm"), QStringLiteral("bench"), model, QStringLiteral("--kernels"), QStringLiteral("sse9")});
        QCOMPARE(unknown.code, 2);
        QVERIFY(unknown.err.contains(QStringLiteral("sse9")));
        if (!kernelPathAvailable(KernelPath::Avx512)) {
            const Result lacking = run({QStringLiteral("llm"), QStringLiteral("bench"), model, QStringLiteral("--kernels"), QStringLiteral("avx512")});
            QCOMPARE(lacking.code, 6);
            QVERIFY(lacking.err.contains(QStringLiteral("lacks")));
        }
    }

    void recordedGenerateRunHasProvenanceAndReport()
    {
        const QString model = m_dir.filePath(QStringLiteral("run.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"), QStringLiteral("800"),
                      QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128")}).code, 0);
        const QString project = m_dir.filePath(QStringLiteral("project"));
        const Result r = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                              QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"),
                              QStringLiteral("8"), QStringLiteral("--temp"), QStringLiteral("0")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(r.err).captured(1);
        // The terminal says where the response is.
        const QRegularExpressionMatch response = QRegularExpression(QStringLiteral("\n  response: (\\S+)\n")).match(r.out);
        QVERIFY2(response.hasMatch() && response.captured(1).endsWith(QStringLiteral("/runs/%1/response.md").arg(id)), qPrintable(r.out));
        QVERIFY(readAll(response.captured(1)).contains("## Response"));
        const Result show = run({QStringLiteral("--project"), project, QStringLiteral("show"), id});
        QVERIFY(show.out.contains(QStringLiteral("\"name\": \"model\"")));
        QVERIFY(show.out.contains(QStringLiteral("generation.json")));
        const Result report = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"),
                                   m_dir.filePath(QStringLiteral("r.html"))});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        const QByteArray page = readAll(m_dir.filePath(QStringLiteral("r.html")));
        QVERIFY(page.contains("Prompt and response"));
        // The context used, the sampling as given and what the model is (the synthesized one: llama, vocabulary 800, width 64).
        const QJsonObject generation = QJsonDocument::fromJson(readAll(QDir(project).filePath(QStringLiteral("runs/%1/generation.json").arg(id)))).object();
        QVERIFY2(page.contains(QStringLiteral("<td>context used (tokens)</td><td>%1</td>").arg(generation.value(QLatin1String("context")).toInteger()).toUtf8()),
                 page.constData());
        for (const char* row : {"<td>temp</td><td>0</td>", "<td>n</td><td>8</td>", "<td>architecture</td><td>llama</td>", "<td>vocabulary (tokens)</td><td>800</td>",
                                "<td>embedding width</td><td>64</td>"})
            QVERIFY2(page.contains(row), row);
        // --n 0 (the prompt evaluated, nothing generated) as the plain `llm generate` takes it (it was refused here).
        const Result none = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                 QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"), QStringLiteral("0")});
        QVERIFY2(none.code == 0, qPrintable(none.err + none.out));
    }

    void registryNamesNameModels()
    {
        // `models import NAME gguf FOLDER`, then NAME wherever a model is taken; NAME/FILE for one of several.
        const QString one = m_dir.filePath(QStringLiteral("reg/one"));
        const QString two = m_dir.filePath(QStringLiteral("reg/two"));
        QVERIFY(QDir().mkpath(one) && QDir().mkpath(two));
        const QStringList shape{QStringLiteral("--vocab"), QStringLiteral("500"), QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"),
                                QStringLiteral("128"), QStringLiteral("--ctx"), QStringLiteral("64")};
        const QString model = one + QStringLiteral("/m.gguf");
        QCOMPARE(run(QStringList{QStringLiteral("llm"), QStringLiteral("synth-model"), model} + shape).code, 0);
        for (const char* name : {"a.gguf", "b.gguf"})
            QCOMPARE(run(QStringList{QStringLiteral("llm"), QStringLiteral("synth-model"), two + QLatin1Char('/') + QLatin1String(name)} + shape).code, 0);
        for (const auto& [name, folder] : {std::pair{QStringLiteral("one"), one}, {QStringLiteral("two"), two}}) {
            const Result imported = run({QStringLiteral("models"), QStringLiteral("import"), name, QStringLiteral("gguf"), folder});
            QVERIFY2(imported.code == 0, qPrintable(imported.err));
        }
        const Result info = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("one")});
        QVERIFY2(info.code == 0 && info.out.contains(QStringLiteral("registry model: one")) && info.out.contains(QStringLiteral("loads: yes")),
                 qPrintable(info.out + info.err));
        const QStringList generate{QStringLiteral("--prompt"), QStringLiteral("hi"), QStringLiteral("--n"), QStringLiteral("3"), QStringLiteral("--temp"),
                                   QStringLiteral("0"), QStringLiteral("--ids")};
        const Result byName = run(QStringList{QStringLiteral("llm"), QStringLiteral("generate"), QStringLiteral("one")} + generate);
        const Result byPath = run(QStringList{QStringLiteral("llm"), QStringLiteral("generate"), model} + generate);
        QVERIFY2(byName.code == 0 && byPath.code == 0, qPrintable(byName.err + byPath.err));
        QCOMPARE(byName.out, byPath.out);
        // A folder of several: the error lists them; NAME/FILE and FOLDER/FILE choose.
        const Result several = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("two")});
        QVERIFY2(several.code == 2 && several.err.contains(QStringLiteral("two/a.gguf")) && several.err.contains(QStringLiteral("two/b.gguf")),
                 qPrintable(several.err));
        const Result severalByFolder = run({QStringLiteral("llm"), QStringLiteral("info"), two});
        QVERIFY2(severalByFolder.code == 2 && severalByFolder.err.contains(QStringLiteral("holds 2 .gguf files")), qPrintable(severalByFolder.err));
        const Result chosen = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("two/b.gguf")});
        QVERIFY2(chosen.code == 0 && chosen.out.contains(QStringLiteral("registry model: two/b.gguf")), qPrintable(chosen.out + chosen.err));
        QVERIFY2(run({QStringLiteral("llm"), QStringLiteral("info"), one}).code == 0, "a folder holding one .gguf file is that file");
        const Result noFile = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("two/c.gguf")});
        QVERIFY2(noFile.code == 6 && noFile.err.contains(QStringLiteral("no .gguf file 'c.gguf'")), qPrintable(noFile.err));
        const Result unknown = run({QStringLiteral("llm"), QStringLiteral("tokenize"), QStringLiteral("nosuchname"), QStringLiteral("--text"), QStringLiteral("x")});
        QVERIFY2(unknown.code == 6 && unknown.err.contains(QStringLiteral("no model of that name in the model registry")), qPrintable(unknown.err));
        QVERIFY(!unknown.err.contains(QStringLiteral("did you mean"))); // nothing near it
        const Result typo = run({QStringLiteral("llm"), QStringLiteral("tokenize"), QStringLiteral("onee"), QStringLiteral("--text"), QStringLiteral("x")});
        QVERIFY2(typo.code == 6 && typo.err.contains(QStringLiteral("(did you mean 'one'?)")), qPrintable(typo.err));
        // A model of another kind is refused by its kind.
        const QString classifier = m_dir.filePath(QStringLiteral("reg/classifier"));
        QVERIFY(QDir().mkpath(classifier));
        for (const char* name : {"weights.safetensors", "weights.json"}) {
            QFile f(classifier + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write("{}") == 2);
        }
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("clf"), QStringLiteral("virnucpro-classifier"), classifier}).code, 0);
        const Result kind = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("clf")});
        QVERIFY2(kind.code == 2 && kind.err.contains(QStringLiteral("registered with kind 'virnucpro-classifier', not 'gguf'")), qPrintable(kind.err));

        // A recorded run by name: the registry's name among its models; random weights warned of.
        const QString project = m_dir.filePath(QStringLiteral("registry-project"));
        const Result recorded = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                     QStringLiteral("one"), QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"), QStringLiteral("3"),
                                     QStringLiteral("--temp"), QStringLiteral("0"), QStringLiteral("--ctx"), QStringLiteral("4096")});
        QVERIFY2(recorded.code == 0, qPrintable(recorded.err + recorded.out));
        const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(recorded.err).captured(1);
        const Result show = run({QStringLiteral("--project"), project, QStringLiteral("show"), id});
        QVERIFY2(show.out.contains(QStringLiteral("\"name\": \"one\"")), qPrintable(show.out));
        QVERIFY2(show.out.contains(QStringLiteral("TEST model with random weights")), qPrintable(show.out));
        QVERIFY2(show.out.contains(QStringLiteral("--ctx 4096 is more than the model's context length (64 tokens")), qPrintable(show.out));

        // The file edited after it was registered: a new size is refused at once, the same size by
        // the recorded run's checksum.
        QFile file(model);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 size = file.size();
        QVERIFY(file.seek(size - 1));
        char last = 0;
        QVERIFY(file.getChar(&last));
        QVERIFY(file.seek(size - 1));
        QVERIFY(file.putChar(char(last ^ 0x5a)));
        file.close();
        const Result edited = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                   QStringLiteral("--model"), QStringLiteral("one"), QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"),
                                   QStringLiteral("2")});
        QVERIFY2(edited.code == 1 && edited.out.contains(QStringLiteral("the registry recorded")), qPrintable(edited.out + edited.err));
        // Restored, the failed run is resumed from a folder where "one" is another model's folder:
        // the recorded name is the registry's (a path would have been recorded absolute), not that folder.
        QVERIFY(file.open(QIODevice::ReadWrite) && file.seek(size - 1) && file.putChar(last));
        file.close();
        const QString elsewhere = m_dir.filePath(QStringLiteral("elsewhere"));
        QVERIFY(QDir().mkpath(elsewhere + QStringLiteral("/one")));
        QVERIFY(QFile::copy(two + QStringLiteral("/a.gguf"), elsewhere + QStringLiteral("/one/other.gguf")));
        const QString failedId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(edited.err).captured(1);
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), failedId}, elsewhere);
        QVERIFY2(resumed.code == 0, qPrintable(resumed.out + resumed.err));
        const QString resumedId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY2(!resumedId.isEmpty(), qPrintable(resumed.err));
        const Result resumedShow = run({QStringLiteral("--project"), project, QStringLiteral("show"), resumedId});
        QVERIFY2(resumedShow.out.contains(QStringLiteral("\"name\": \"one\"")) && !resumedShow.out.contains(QStringLiteral("other.gguf")),
                 qPrintable(resumedShow.out));
        QVERIFY(file.open(QIODevice::Append));
        QVERIFY(file.write("more") == 4);
        file.close();
        const Result grown = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("one")});
        QVERIFY2(grown.code == 5 && grown.err.contains(QStringLiteral("changed since it was registered")), qPrintable(grown.err));
    }

    void deviceChoiceIsCheckedBeforeTheModelLoads()
    {
        // This test machine has no GPU: a GPU device is refused with the
        // reason (no module in this build, or the runtime's own words), never
        // a crash; on a machine with a device tests/gpu checks the results.
        const QString model = m_dir.filePath(QStringLiteral("device.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"), QStringLiteral("500"),
                      QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128")}).code, 0);
        const QStringList generate{QStringLiteral("llm"), QStringLiteral("generate"), model, QStringLiteral("--prompt"), QStringLiteral("hi"),
                                   QStringLiteral("--n"), QStringLiteral("3"), QStringLiteral("--temp"), QStringLiteral("0"), QStringLiteral("--ids")};
        const Result bad = run(generate + QStringList{QStringLiteral("--device"), QStringLiteral("tpu:0")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("device 'tpu:0': expected cpu, cuda, cuda:N, hip or hip:N")), qPrintable(bad.err));
        const Result cpu = run(generate + QStringList{QStringLiteral("--device"), QStringLiteral("cpu")});
        QVERIFY2(cpu.code == 0, qPrintable(cpu.err));
        QCOMPARE(cpu.out, run(generate).out);
        if (qEnvironmentVariableIsSet("BIOFORGE_TEST_HAS_GPU"))
            QSKIP("a GPU is present: tests/gpu covers the device");
        for (const QString& device : {QStringLiteral("cuda:0"), QStringLiteral("hip:1")}) {
            const Result gpu = run(generate + QStringList{QStringLiteral("--device"), device});
            QCOMPARE(gpu.code, 6);
            QVERIFY2(gpu.err.contains(QStringLiteral("device ") + device + QStringLiteral(": ")), qPrintable(gpu.err));
            QVERIFY2(gpu.err.contains(QStringLiteral("no ")) || gpu.err.contains(QStringLiteral("does not exist")), qPrintable(gpu.err));
            QVERIFY2(gpu.out.isEmpty(), qPrintable(gpu.out));
        }
        // Without a driver the reason is the missing driver, as `bioforge devices` says, not the
        // runtime's "driver version is insufficient" alone.
        if (run({QStringLiteral("devices")}).out.contains(QStringLiteral("no NVIDIA driver"))) {
            const Result gpu = run(generate + QStringList{QStringLiteral("--device"), QStringLiteral("cuda:0")});
            QVERIFY2(gpu.err.contains(QStringLiteral("device cuda:0: no NVIDIA driver")) || gpu.err.contains(QStringLiteral("no CUDA module")), qPrintable(gpu.err)); // first
        }
        // A recorded run fails the same way, with the reason in its error.
        const QString project = m_dir.filePath(QStringLiteral("device-project"));
        const Result recorded = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                     QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"),
                                     QStringLiteral("2"), QStringLiteral("--device"), QStringLiteral("cuda:0")});
        QCOMPARE(recorded.code, 1);
        QVERIFY2(recorded.out.contains(QStringLiteral(": failed: ")) && recorded.out.contains(QStringLiteral("device cuda:0: ")), qPrintable(recorded.out));
    }

    void usageErrorsAreCode2()
    {
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("generate")}).code, 2);
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("nosuch")}).code, 2);
        // A repetition penalty of 0 divides the logits by zero (one token forever): refused.
        const Result zeroPenalty = run({QStringLiteral("llm"), QStringLiteral("generate"), fixturePath(QStringLiteral("llm/models/tiny-llama-e64-f32.gguf")),
                                        QStringLiteral("--prompt"), QStringLiteral("hi"), QStringLiteral("--repeat-penalty"), QStringLiteral("0")});
        QVERIFY2(zeroPenalty.code == 2 && zeroPenalty.err.contains(QStringLiteral("repeat-penalty")), qPrintable(zeroPenalty.err));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), m_dir.filePath(QStringLiteral("x.gguf")), QStringLiteral("--type"),
                      QStringLiteral("Q3_X")}).code, 2);
        // One model file: a second is refused by name, and the help says "path", not "paths".
        const Result two = run({QStringLiteral("llm"), QStringLiteral("info"), QStringLiteral("a.gguf"), QStringLiteral("b.gguf")});
        QVERIFY2(two.code == 2 && two.err.contains(QStringLiteral("unexpected argument 'b.gguf' (--model is already 'a.gguf')")), qPrintable(two.err));
        const Result help = run({QStringLiteral("llm"), QStringLiteral("generate"), QStringLiteral("--help")});
        QVERIFY2(help.out.contains(QStringLiteral("--model <path>  the .gguf model: a file, or a registry name")), qPrintable(help.out));
        // --ctx: below the least context a run holds.
        const QString small = m_dir.filePath(QStringLiteral("small-ctx.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), small, QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--embd"),
                      QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128")}).code, 0);
        for (const char* ctx : {"-1", "5"}) {
            const Result tiny = run({QStringLiteral("llm"), QStringLiteral("generate"), small, QStringLiteral("--prompt"), QStringLiteral("x"),
                                     QStringLiteral("--ctx"), QLatin1String(ctx)});
            QVERIFY2(tiny.code == 2, qPrintable(tiny.err));
        }
        // A recorded run is refused before it is recorded.
        const QString project = m_dir.filePath(QStringLiteral("ctx-project"));
        const Result recorded = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"), small,
                                     QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--ctx"), QStringLiteral("5")});
        QVERIFY2(recorded.code == 2 && recorded.err.contains(QStringLiteral("--ctx 5: a context holds at least 16 tokens")), qPrintable(recorded.err));
        QVERIFY2(!run({QStringLiteral("--project"), project, QStringLiteral("runs")}).out.contains(QStringLiteral("generate")), "no run recorded");
        // synth-model: the broken rule of a shape (2); an output folder that is not there (5); a
        // K-quant whose rows are not whole blocks says which matrices are F16.
        const QString x = m_dir.filePath(QStringLiteral("shape.gguf"));
        const Result shape = run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--heads"), QStringLiteral("2"),
                                  QStringLiteral("--kv-heads"), QStringLiteral("4")});
        QVERIFY2(shape.code == 2 && shape.err.contains(QStringLiteral("the shape is inconsistent: --kv-heads 4 > --heads 2")), qPrintable(shape.err));
        const Result nowhere = run({QStringLiteral("llm"), QStringLiteral("synth-model"), m_dir.filePath(QStringLiteral("nosuch/dir/x.gguf")),
                                    QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128"), QStringLiteral("--vocab"),
                                    QStringLiteral("400")});
        QVERIFY2(nowhere.code == 5, qPrintable(nowhere.err));
        const Result indivisible = run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--embd"), QStringLiteral("100"),
                                        QStringLiteral("--heads"), QStringLiteral("3"), QStringLiteral("--kv-heads"), QStringLiteral("1")});
        QVERIFY2(indivisible.code == 2 && indivisible.err.contains(QStringLiteral("--embd 100 is not a multiple of --heads 3")), qPrintable(indivisible.err));
        const Result noVocab = run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--vocab-from"), m_dir.filePath(QStringLiteral("nosuch.gguf"))});
        QVERIFY2(noVocab.code == 6 && noVocab.err.contains(QStringLiteral("no such file")), qPrintable(noVocab.err));
        const Result fallback = run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--embd"), QStringLiteral("64"),
                                     QStringLiteral("--ff"), QStringLiteral("256"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--type"),
                                     QStringLiteral("Q4_K")});
        QVERIFY2(fallback.code == 0, qPrintable(fallback.err));
        QVERIFY2(fallback.out.contains(QStringLiteral("note: --embd 64 is not a multiple of Q4_K's block of 256 values: the matrices with 64 columns are stored as F16")),
                 qPrintable(fallback.out));
        QVERIFY2(!fallback.out.contains(QStringLiteral("--ff")), qPrintable(fallback.out));
        // An existing file is not overwritten with random weights unless --force is given.
        const QByteArray before = readAll(x);
        const Result again = run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--embd"), QStringLiteral("64"),
                                  QStringLiteral("--ff"), QStringLiteral("256"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--seed"), QStringLiteral("2")});
        QVERIFY2(again.code == 5 && again.err.contains(QStringLiteral("unless --force is given")) && readAll(x) == before, qPrintable(again.err));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), x, QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"),
                      QStringLiteral("256"), QStringLiteral("--vocab"), QStringLiteral("400"), QStringLiteral("--seed"), QStringLiteral("2"), QStringLiteral("--force")})
                     .code,
                 0);
        QVERIFY(readAll(x) != before);
        // A vocabulary size beside a copied tokenizer is refused (it was ignored); the copy alone works.
        const QString copy = m_dir.filePath(QStringLiteral("copied-vocab.gguf"));
        const Result both = run({QStringLiteral("llm"), QStringLiteral("synth-model"), copy, QStringLiteral("--vocab-from"), x, QStringLiteral("--vocab"),
                                 QStringLiteral("500")});
        QVERIFY2(both.code == 2 && both.err.contains(QStringLiteral("--vocab and --vocab-from both set the vocabulary")), qPrintable(both.err));
        const Result copied = run({QStringLiteral("llm"), QStringLiteral("synth-model"), copy, QStringLiteral("--vocab-from"), x, QStringLiteral("--embd"),
                                   QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128")});
        QVERIFY2(copied.code == 0, qPrintable(copied.err));
        // bench with nothing to measure.
        const Result nothing = run({QStringLiteral("llm"), QStringLiteral("bench"), x, QStringLiteral("--p"), QStringLiteral("0"), QStringLiteral("--n"), QStringLiteral("0")});
        QVERIFY2(nothing.code == 2 && nothing.err.contains(QStringLiteral("measure nothing")), qPrintable(nothing.err));
    }
};

QTEST_GUILESS_MAIN(TstLlmCli)
#include "tst_llm_cli.moc"
