// A recorded `run llm generate` paused by Ctrl-C and resumed, through the real program: the pause
// keeps the tokens generated so far and the sampler's state (checkpoint "generate/tokens", shown by
// `inspect`), and the resumed run reads them back instead of generating them again (it started over
// from the prompt: trial 19), ending with the ids an uninterrupted run generates.

#include "llm_cli_test.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include <csignal>

using namespace bioforge::test;

class TstLlmGenerateResume : public LlmCliTest {
    Q_OBJECT

    QStringList m_generate;  // the run's command line
    QJsonObject m_expected;  // generation.json of the uninterrupted run
    QJsonArray m_expectedIds;

    QJsonObject jsonOf(const QString& project, const QString& runId, const QString& file)
    {
        return QJsonDocument::fromJson(readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(runId, file)))).object();
    }

private slots:
    void initTestCase()
    {
        // A 32000-token vocabulary and a 16384-token context: sampled with seed 3, this model writes
        // 8000 tokens without an end-of-generation token or a context shift, for several seconds on
        // one thread, so the pause lands while it writes (the terminal's progress line comes each
        // second). Sampled, the sampler's state goes through the checkpoint too.
        const QString model = m_dir.filePath(QStringLiteral("long.gguf"));
        const Result synth = run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"), QStringLiteral("32000"),
                                  QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"), QStringLiteral("128"), QStringLiteral("--ctx"),
                                  QStringLiteral("16384")});
        QVERIFY2(synth.code == 0, qPrintable(synth.err));
        m_generate = QStringList{QStringLiteral("run"),   QStringLiteral("llm"),       QStringLiteral("generate"), QStringLiteral("--model"),
                                 model,                   QStringLiteral("--prompt"),  QStringLiteral("tell me a long story"),
                                 QStringLiteral("--n"),   QStringLiteral("8000"),      QStringLiteral("--temp"),   QStringLiteral("0.7"),
                                 QStringLiteral("--seed"), QStringLiteral("3"),
                                 QStringLiteral("--ctx"), QStringLiteral("16384"),     QStringLiteral("--threads"), QStringLiteral("1")};
        const QString reference = m_dir.filePath(QStringLiteral("reference"));
        const Result whole = run(QStringList{QStringLiteral("--project"), reference} + m_generate);
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        const QString wholeId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(whole.err).captured(1);
        m_expected = jsonOf(reference, wholeId, QStringLiteral("generation.json"));
        QCOMPARE(m_expected.value(QLatin1String("stop")).toString(), QStringLiteral("token limit"));
        m_expectedIds = m_expected.value(QLatin1String("tokens")).toArray();
        QCOMPARE(m_expectedIds.size(), 8000);
    }

    // Killed (kill -9: no pause) after its first periodic checkpoint (--checkpoint_every 1): resumed,
    // the run goes on from the tokens that checkpoint kept, to the uninterrupted run's ids (trial 24
    // T24-6: everything was generated again).
    void aKilledGenerationResumesFromItsLastCheckpoint()
    {
        const QString project = m_dir.filePath(QStringLiteral("killed"));
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(binPath(QStringLiteral("bioforge")),
                QStringList{QStringLiteral("--project"), project} + m_generate + QStringList{QStringLiteral("--checkpoint_every"), QStringLiteral("1")});
        QVERIFY(p.waitForStarted());
        const auto checkpointWritten = [&] {
            QDirIterator it(project + QStringLiteral("/checkpoints"), {QStringLiteral("manifest.json")}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                if (it.next().endsWith(QStringLiteral("/generate/tokens/manifest.json")))
                    return true;
            return false;
        };
        QString err;
        const QDeadlineTimer deadline(120000);
        while (!checkpointWritten() && p.state() == QProcess::Running && !deadline.hasExpired()) {
            p.waitForReadyRead(100);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(checkpointWritten(), qPrintable(err));
        // Exit here (not killed) is a machine fast enough to write 8000 tokens in the second after its checkpoint.
        QVERIFY2(p.state() == QProcess::Running, qPrintable(err));
        QCOMPARE(::kill(pid_t(p.processId()), SIGKILL), 0);
        QVERIFY(p.waitForFinished(60000));
        err += QString::fromUtf8(p.readAllStandardError());
        const QString killedId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(err).captured(1);
        QVERIFY2(!killedId.isEmpty(), qPrintable(err));

        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), killedId});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        const QString resumedId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY2(!resumedId.isEmpty(), qPrintable(resumed.err));
        QCOMPARE(jsonOf(project, resumedId, QStringLiteral("generation.json")).value(QLatin1String("tokens")).toArray(), m_expectedIds);
        const qint64 continued = jsonOf(project, resumedId, QStringLiteral("timings.json")).value(QLatin1String("continuedAfterTokens")).toInteger();
        QVERIFY2(continued > 0 && continued < 8000, qPrintable(QString::number(continued)));
        // Finished, nothing is left to continue: the checkpoint's KV cache does not stay behind (review 69 R69-8).
        QVERIFY(!checkpointWritten());
    }

    void aPausedGenerationResumesFromItsTokens()
    {
        const QStringList& generate = m_generate;
        const QJsonObject& expected = m_expected;
        const QJsonArray& expectedIds = m_expectedIds;

        // Paused by Ctrl-C once the terminal says tokens are being generated.
        const QString project = m_dir.filePath(QStringLiteral("paused"));
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project} + generate);
        QVERIFY(p.waitForStarted());
        QString err;
        const QRegularExpression generating(QStringLiteral("Generate ([1-9][0-9]*)/8000"));
        const QDeadlineTimer deadline(120000);
        while (!generating.match(err).hasMatch() && p.state() == QProcess::Running && !deadline.hasExpired()) {
            p.waitForReadyRead(1000);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(generating.match(err).hasMatch(), qPrintable(err));
        QCOMPARE(::kill(pid_t(p.processId()), SIGINT), 0);
        QVERIFY(p.waitForFinished(60000));
        err += QString::fromUtf8(p.readAllStandardError());
        // Exit 0 here is a machine fast enough to write 8000 tokens before the second progress line.
        QVERIFY2(p.exitCode() == 3, qPrintable(err + QString::fromUtf8(p.readAllStandardOutput())));
        const QString pausedId = QRegularExpression(QStringLiteral("run (\\S+) started")).match(err).captured(1);

        // The checkpoint holds the tokens generated so far: the uninterrupted run's first ones.
        const Result inspect = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), pausedId, QStringLiteral("--json")});
        QVERIFY2(inspect.code == 0, qPrintable(inspect.err));
        QJsonArray kept;
        for (const QJsonValue& e : QJsonDocument::fromJson(inspect.out.toUtf8()).object().value(QLatin1String("entries")).toArray())
            if (e.toObject().value(QLatin1String("key")).toString() == QLatin1String("generate/tokens"))
                kept = e.toObject().value(QLatin1String("state")).toObject().value(QLatin1String("tokens")).toArray();
        QVERIFY2(!kept.isEmpty() && kept.size() < expectedIds.size(), qPrintable(inspect.out.left(2000)));
        for (qsizetype i = 0; i < kept.size(); ++i)
            QCOMPARE(kept[i].toInt(), expectedIds[i].toInt());

        // Resumed, it reads them back and generates the rest: the same ids as the uninterrupted run.
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), pausedId});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        const QString resumedId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY2(!resumedId.isEmpty(), qPrintable(resumed.err));
        const QJsonObject got = jsonOf(project, resumedId, QStringLiteral("generation.json"));
        QCOMPARE(got.value(QLatin1String("tokens")).toArray(), expectedIds);
        QCOMPARE(got.value(QLatin1String("text")).toString(), expected.value(QLatin1String("text")).toString());
        QCOMPARE(jsonOf(project, resumedId, QStringLiteral("timings.json")).value(QLatin1String("continuedAfterTokens")).toInteger(), qint64(kept.size()));
        // The progress counts tokens, and the report gives the speed and says the run was continued
        // (it said "units/s", and nothing of either: trial 21).
        QVERIFY2(resumed.err.contains(QStringLiteral(" tokens/s")) && !resumed.err.contains(QStringLiteral("units/s")), qPrintable(resumed.err.right(600)));
        const QString html = m_dir.filePath(QStringLiteral("resumed.html"));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), resumedId, QStringLiteral("--html"), html}).code, 0);
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY2(page.contains(QStringLiteral("generated tokens/s")) && page.contains(QStringLiteral("the first %1 tokens were generated before it").arg(kept.size()))
                     && page.contains(QStringLiteral("Run history")),
                 qPrintable(page.left(3000)));
        // It read no prompt (its KV cache came from the checkpoint): no prompt rate (it gave millions of
        // tokens/s: trial 22).
        QVERIFY2(page.contains(QStringLiteral("<td>prompt tokens/s</td><td>– (the KV cache was read from the checkpoint)</td>")), qPrintable(page.left(4000)));
    }
};

QTEST_GUILESS_MAIN(TstLlmGenerateResume)
#include "tst_llm_generate_resume.moc"
