// `bioforge llm …` end to end through the real program and plugin loading:
// generate reproduces every llama.cpp reference sequence; info, tokenize,
// synth-model and bench answer; a recorded generate run reports.

#include "quant/vec_dot.h"
#include "support/test_support.h"

#include <QDir>
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

    Result run(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
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
        const Result show = run({QStringLiteral("--project"), project, QStringLiteral("show"), id});
        QVERIFY(show.out.contains(QStringLiteral("\"name\": \"model\"")));
        QVERIFY(show.out.contains(QStringLiteral("generation.json")));
        const Result report = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"),
                                   m_dir.filePath(QStringLiteral("r.html"))});
        QVERIFY2(report.code == 0, qPrintable(report.err));
        QVERIFY(readAll(m_dir.filePath(QStringLiteral("r.html"))).contains("Prompt and response"));
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
        // A recorded run fails the same way, with the reason in its error.
        const QString project = m_dir.filePath(QStringLiteral("device-project"));
        const Result recorded = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                     QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"),
                                     QStringLiteral("2"), QStringLiteral("--device"), QStringLiteral("cuda:0")});
        QCOMPARE(recorded.code, 1);
        QVERIFY2(recorded.err.contains(QStringLiteral("device cuda:0: ")), qPrintable(recorded.err));
    }

    void usageErrorsAreCode2()
    {
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("generate")}).code, 2);
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("nosuch")}).code, 2);
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), m_dir.filePath(QStringLiteral("x.gguf")), QStringLiteral("--type"),
                      QStringLiteral("Q3_X")}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TstLlmCli)
#include "tst_llm_cli.moc"
