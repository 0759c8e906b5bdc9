// `bioforge llm …` end to end through the real program and plugin loading:
// generate reproduces every llama.cpp reference sequence; info, tokenize,
// synth-model and bench answer; devices and usage errors are refused with
// their reasons. (Registry names and recorded runs: tst_llm_registry_cli.)

#include "gguf/gguf_writer.h"
#include "llm_cli_test.h"
#include "quant/vec_dot.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <sys/stat.h>

using namespace bioforge::test;
using namespace bioforge::llm;

class TstLlmCli : public LlmCliTest {
    Q_OBJECT

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
        // A recorded run is refused before it is recorded, with the reason; a device that came from the
        // saved `device` setting is named as the setting (every run failed after it was recorded,
        // nothing said where cuda:0 came from: trial 19).
        const QString project = m_dir.filePath(QStringLiteral("device-project"));
        const QStringList recordedRun{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                      QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"), QStringLiteral("2")};
        const Result recorded = run(recordedRun + QStringList{QStringLiteral("--device"), QStringLiteral("cuda:0")});
        QVERIFY2(recorded.code == 6 && recorded.err.contains(QStringLiteral("device cuda:0: not on this machine")), qPrintable(recorded.err + recorded.out));
        {
            // Unset whatever the checks below find: a device left saved would refuse every later run (review 62).
            const auto unset = qScopeGuard([this] { run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("device")}); });
            QVERIFY2(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("device"), QStringLiteral("cuda:0")}).code == 0, "device saved");
            const Result saved = run(recordedRun);
            QVERIFY2(saved.code == 6 && saved.err.contains(QStringLiteral("device cuda:0 is the saved `device` setting")), qPrintable(saved.err + saved.out));
        }
        QVERIFY2(!run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("device")}).out.contains(QStringLiteral("cuda:0")), "device unset");
        QVERIFY2(!run({QStringLiteral("--project"), project, QStringLiteral("runs")}).out.contains(QStringLiteral("generate")), "no run recorded");
        // --threads 0 is every core, as the `threads` setting's 0 (it was refused: outside [1, 1024]).
        const Result every = run(recordedRun + QStringList{QStringLiteral("--threads"), QStringLiteral("0")});
        QVERIFY2(every.code == 0, qPrintable(every.err + every.out));
        QVERIFY2(run(generate + QStringList{QStringLiteral("--threads"), QStringLiteral("0")}).code == 0, "plain generate --threads 0");
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

    // A long prompt from a file (llama.cpp's -f) or standard input: the file's bytes verbatim, its
    // final newline included (`--prompt "$(cat f)"` dropped it); "-" and "@file" were completed as
    // literal text (trial 19). A recorded run pins the file as an input and reports what it read.
    void aPromptFromAFileOrStandardInput()
    {
        const QString model = fixturePath(QStringLiteral("llm/models/tiny-llama-e64-f32.gguf"));
        const QString file = m_dir.filePath(QStringLiteral("prompt.txt"));
        QVERIFY(writeAll(file, "The virus genome\nis short\n"));
        const QStringList generate{QStringLiteral("llm"), QStringLiteral("generate"), model, QStringLiteral("--n"), QStringLiteral("4"),
                                   QStringLiteral("--temp"), QStringLiteral("0"), QStringLiteral("--ids")};
        const Result typed = run(generate + QStringList{QStringLiteral("--prompt"), QStringLiteral("The virus genome\nis short\n")});
        QVERIFY2(typed.code == 0, qPrintable(typed.err));
        const Result fromFile = run(generate + QStringList{QStringLiteral("--prompt-file"), file});
        QVERIFY2(fromFile.code == 0 && fromFile.out == typed.out, qPrintable(fromFile.out + fromFile.err));
        QProcess piped;
        piped.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        piped.start(binPath(QStringLiteral("bioforge")), generate + QStringList{QStringLiteral("--prompt-file"), QStringLiteral("-")});
        piped.write("The virus genome\nis short\n");
        piped.closeWriteChannel();
        QVERIFY(piped.waitForFinished(120000) && piped.exitCode() == 0);
        QCOMPARE(QString::fromUtf8(piped.readAllStandardOutput()), typed.out);
        const Result neither = run(generate);
        QVERIFY2(neither.code == 2 && neither.err.contains(QStringLiteral("no prompt: give --prompt TEXT or --prompt-file FILE")), qPrintable(neither.err));
        const Result both = run(generate + QStringList{QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--prompt-file"), file});
        QVERIFY2(both.code == 2 && both.err.contains(QStringLiteral("not both")), qPrintable(both.err));
        QCOMPARE(run(generate + QStringList{QStringLiteral("--prompt-file"), m_dir.filePath(QStringLiteral("no-such-prompt.txt"))}).code, 6);

        const QString project = m_dir.filePath(QStringLiteral("prompt-file-project"));
        const Result recorded = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                     QStringLiteral("--model"), model, QStringLiteral("--prompt-file"), file, QStringLiteral("--n"), QStringLiteral("2")});
        QVERIFY2(recorded.code == 0, qPrintable(recorded.err + recorded.out));
        const QJsonObject listed = QJsonDocument::fromJson(run({QStringLiteral("--project"), project, QStringLiteral("runs"), QStringLiteral("--json")}).out.toUtf8())
                                       .object().value(QLatin1String("runs")).toArray().first().toObject();
        QVERIFY2(listed.value(QLatin1String("title")).toString().endsWith(QStringLiteral("— prompt.txt")), qPrintable(listed.value(QLatin1String("title")).toString()));
        const QString runDir = project + QStringLiteral("/runs/") + listed.value(QLatin1String("id")).toString();
        QCOMPARE(QJsonDocument::fromJson(readAll(runDir + QStringLiteral("/generation.json"))).object().value(QLatin1String("prompt")).toString(),
                 QStringLiteral("The virus genome\nis short\n"));
        QVERIFY(readAll(runDir + QStringLiteral("/provenance.json")).contains(QFileInfo(file).absoluteFilePath().toUtf8()));
    }

    // A model file that is there but cannot serve (not GGUF) fails a recorded run for good: the file
    // is pinned by its SHA-256, so a resume would fail the same way (it was offered: trial 19). A
    // named pipe is refused before a run is recorded (every llm command waited for a writer for ever).
    void aModelThatCannotServeIsRefusedForGood()
    {
        const QString project = m_dir.filePath(QStringLiteral("bad-model-project"));
        const QString fasta = m_dir.filePath(QStringLiteral("notgguf.gguf"));
        QVERIFY(writeAll(fasta, ">contig_1\nACGTACGTACGTACGTACGTACGTACGT\n"));
        const Result failed = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                   QStringLiteral("--model"), fasta, QStringLiteral("--prompt"), QStringLiteral("hi"), QStringLiteral("--n"), QStringLiteral("2")});
        QVERIFY2(failed.code == 1 && (failed.out + failed.err).contains(QStringLiteral("not a GGUF file")), qPrintable(failed.out + failed.err));
        const QJsonArray runs = QJsonDocument::fromJson(run({QStringLiteral("--project"), project, QStringLiteral("runs"), QStringLiteral("--json")}).out.toUtf8())
                                    .object().value(QLatin1String("runs")).toArray();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].toObject().value(QLatin1String("new_run_needed")).toBool(), true);
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), runs[0].toObject().value(QLatin1String("id")).toString()});
        QVERIFY2(resumed.code == 5, qPrintable(resumed.err));

        const QString fifo = m_dir.filePath(QStringLiteral("pipe.gguf"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const Result info = run({QStringLiteral("llm"), QStringLiteral("info"), fifo});
        QVERIFY2(info.code != 0 && info.err.contains(QStringLiteral("not a regular file")), qPrintable(info.err));
        const Result piped = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                  QStringLiteral("--model"), fifo, QStringLiteral("--prompt"), QStringLiteral("hi")});
        QVERIFY2(piped.code == 2 && piped.err.contains(QStringLiteral("not a regular file")), qPrintable(piped.err));
        QCOMPARE(QJsonDocument::fromJson(run({QStringLiteral("--project"), project, QStringLiteral("runs"), QStringLiteral("--json")}).out.toUtf8())
                     .object().value(QLatin1String("runs")).toArray().size(),
                 1); // nothing recorded for the pipe
    }
};

QTEST_GUILESS_MAIN(TstLlmCli)
#include "tst_llm_cli.moc"
