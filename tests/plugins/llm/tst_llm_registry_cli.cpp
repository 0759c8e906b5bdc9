// `bioforge llm …` with registered models and recorded runs, through the real
// program: a generate run's provenance and report; `models import NAME gguf
// FOLDER` then NAME (or NAME/FILE) wherever a model is taken, mistyped names,
// models of another kind, and a registered file edited after it was imported.

#include "llm_cli_test.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

using namespace bioforge::test;

class TstLlmRegistryCli : public LlmCliTest {
    Q_OBJECT

private slots:
    void recordedGenerateRunHasProvenanceAndReport()
    {
        const QString model = m_dir.filePath(QStringLiteral("run.gguf"));
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"), QStringLiteral("800"),
                      QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128")}).code, 0);
        const QString project = m_dir.filePath(QStringLiteral("project"));
        const Result r = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                              QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello\n## Response\n```not the answer```"),
                              QStringLiteral("--n"), QStringLiteral("8"), QStringLiteral("--temp"), QStringLiteral("0")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(r.err).captured(1);
        // The terminal says where the response is.
        const QRegularExpressionMatch response = QRegularExpression(QStringLiteral("\n  response: (\\S+)\n")).match(r.out);
        QVERIFY2(response.hasMatch() && response.captured(1).endsWith(QStringLiteral("/runs/%1/response.md").arg(id)), qPrintable(r.out));
        QVERIFY(readAll(response.captured(1)).contains("## Response"));
        // A synthesized model's run says so in its title, as a registered TEST model's does (trial 19).
        const QString listed = run({QStringLiteral("--project"), project, QStringLiteral("runs")}).out;
        QVERIFY2(listed.contains(QStringLiteral("generate with a TEST model (random weights: its text means nothing) — run.gguf")), qPrintable(listed));
        // Prompt and response verbatim in fenced blocks: a heading or HTML typed in a prompt stays text (trial 19).
        const QByteArray md = readAll(response.captured(1));
        QVERIFY2(md.startsWith("## Prompt\n\n````text\nhello\n## Response\n```not the answer```\n````\n\n## Response\n\n```text\n") && md.endsWith("```\n"),
                 md.constData());
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
        const qint64 used = generation.value(QLatin1String("promptTokens")).toInteger() + generation.value(QLatin1String("generatedTokens")).toInteger();
        QVERIFY(used > 8 && used < generation.value(QLatin1String("context")).toInteger());
        QVERIFY2(page.contains(QStringLiteral("<td>context size (tokens)</td><td>%1 (%2 used)</td>").arg(generation.value(QLatin1String("context")).toInteger()).arg(used).toUtf8()),
                 page.constData());
        for (const char* row : {"<td>temp</td><td>0</td>", "<td>n</td><td>8</td>", "<td>architecture</td><td>llama</td>", "<td>vocabulary (tokens)</td><td>800</td>",
                                "<td>embedding width</td><td>64</td>"})
            QVERIFY2(page.contains(row), row);
        // --n 0 (the prompt evaluated, nothing generated) as the plain `llm generate` takes it (it was refused here).
        const Result none = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                 QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--n"), QStringLiteral("0")});
        QVERIFY2(none.code == 0, qPrintable(none.err + none.out));
        // A prompt the context cannot hold fails on the run's own parameter: `resume` refuses it (a
        // resume would read the same prompt) and its report advises a new run.
        const Result tooLong = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                    QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello ").repeated(400), QStringLiteral("--ctx"),
                                    QStringLiteral("256"), QStringLiteral("--n"), QStringLiteral("2")});
        const QString failed = QRegularExpression(QStringLiteral("run (\\S+) started")).match(tooLong.err).captured(1);
        QVERIFY2(tooLong.code == 1 && tooLong.out.contains(QStringLiteral("more than a context of 256 tokens")) && !failed.isEmpty(), qPrintable(tooLong.out + tooLong.err));
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), failed});
        QVERIFY2(resumed.code == 5, qPrintable(resumed.err));
        const QString failedHtml = m_dir.filePath(QStringLiteral("failed.html"));
        const Result failedReport = run({QStringLiteral("--project"), project, QStringLiteral("report"), failed, QStringLiteral("--html"), failedHtml});
        const QByteArray advice = readAll(failedHtml);
        QVERIFY2(failedReport.code == 0 && advice.contains("start a new run") && !advice.contains("bioforge resume"), qPrintable(failedReport.err));
        // Its progress is the model loaded (1 of the stages' 6 parts), not the prompt read (it was 33.3 %).
        QVERIFY2(advice.contains("progress when it stopped</td><td>16.7 %"), advice.constData());
        // An answer that overfills the context: the report says the oldest tokens were shifted out ("64 (67 used)").
        const Result overfilled = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"),
                                       QStringLiteral("--model"), model, QStringLiteral("--prompt"), QStringLiteral("hello"), QStringLiteral("--ctx"),
                                       QStringLiteral("16"), QStringLiteral("--n"), QStringLiteral("24"), QStringLiteral("--temp"), QStringLiteral("0")});
        QVERIFY2(overfilled.code == 0, qPrintable(overfilled.out + overfilled.err));
        const QString full = m_dir.filePath(QStringLiteral("full.html"));
        const QString overfilledId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(overfilled.err).captured(1);
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), overfilledId, QStringLiteral("--html"), full}).code, 0);
        QVERIFY2(readAll(full).contains("<td>context size (tokens)</td><td>16 (full: "), readAll(full).constData());
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
};

QTEST_GUILESS_MAIN(TstLlmRegistryCli)
#include "tst_llm_registry_cli.moc"
