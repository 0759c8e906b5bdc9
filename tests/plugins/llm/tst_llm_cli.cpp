// `bioforge llm …` end to end through the real program and plugin loading:
// generate reproduces every llama.cpp reference sequence; info, tokenize,
// synth-model and bench answer; a recorded generate run reports.

#include "support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::test;

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
