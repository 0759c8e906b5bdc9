// `bioforge llm chat` through the real program: the chat's own commands, a
// system prompt that leaves no room for a message, and control characters in a
// reply shown rather than sent to the terminal.

#include "support/test_support.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

#include <signal.h>

#include <algorithm>

using namespace bioforge::test;

class TstLlmChatCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    struct Chat {
        int code;
        QString out, err;
    };

    Chat chat(const QStringList& args, const QByteArray& input)
    {
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("llm"), QStringLiteral("chat")} + args);
        p.write(input);
        p.closeWriteChannel();
        const bool finished = p.waitForFinished(120000);
        return {finished && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // A random model of 400 tokens (byte-fallback ones among them), made once.
    QString synthesizedModel()
    {
        const QString model = m_dir.filePath(QStringLiteral("chat.gguf"));
        if (QFileInfo::exists(model))
            return model;
        QProcess synth;
        synth.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        synth.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"),
                                                          QStringLiteral("400"), QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"),
                                                          QStringLiteral("128")});
        return synth.waitForFinished(120000) && synth.exitCode() == 0 ? model : QString();
    }

    // A C0 control other than newline and tab, DEL, or a C1 control.
    static bool holdsControls(const QString& text)
    {
        return std::any_of(text.begin(), text.end(), [](QChar c) {
            const char16_t u = c.unicode();
            return (u < 0x20 && u != u'\n' && u != u'\t') || (u >= 0x7f && u <= 0x9f);
        });
    }

private slots:
    // In `llm chat`, a line that starts with "/" is a command: /help lists them, an unknown one
    // says so; neither is sent to the model. "//" sends a message that starts with "/".
    void chatCommandsAreNotMessages()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        const Chat c = chat({fixturePath(QStringLiteral("llm/models/tiny-llama-e64-f32.gguf")), QStringLiteral("--n"), QStringLiteral("2")},
                            "/help\n/rest\n//etc is a folder\n/exit \r\n"); // a trailing space and CR: still /exit
        const QString &out = c.out, &err = c.err;
        QCOMPARE(c.code, 0);
        QVERIFY2(out.count(QStringLiteral("the commands are /reset")) == 2 && out.contains(QStringLiteral("unknown command /rest;")), qPrintable(out));
        QCOMPARE(err.count(QStringLiteral(" tokens/s, context ")), 1); // one reply: to "/etc is a folder" only
    }

    // A system prompt that leaves no room for a message is refused before the first message (2),
    // naming --system; every message of the session was refused, blaming the message, and the chat
    // ended 0. One that fits is answered.
    void aSystemPromptThatFillsTheContextIsRefused()
    {
        const QString model = synthesizedModel();
        QVERIFY(!model.isEmpty());
        const QString longSystem = QStringLiteral("s ").repeated(100); // more than the context; chatml's markers are many tokens here

        const Chat refused = chat({model, QStringLiteral("--ctx"), QStringLiteral("64"), QStringLiteral("--n"), QStringLiteral("2"), QStringLiteral("--system"), longSystem},
                                  "hi\n/exit\n");
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("--system: the system prompt is ")) && refused.err.contains(QStringLiteral("a context of 64 tokens leaves no room")),
                 qPrintable(refused.err));
        QVERIFY2(!refused.out.contains(QStringLiteral("chat with")), qPrintable(refused.out));
        const Chat fits = chat({model, QStringLiteral("--ctx"), QStringLiteral("128"), QStringLiteral("--n"), QStringLiteral("2"), QStringLiteral("--system"),
                                QStringLiteral("be brief")},
                               "hi\n/exit\n");
        QVERIFY2(fits.code == 0 && fits.err.count(QStringLiteral(" tokens/s, context ")) == 1, qPrintable(fits.err));
    }

    // Messages from a pipe (a script): each is echoed after its prompt (the output reads as a
    // transcript), and a message that got no answer makes the exit status 1, counted, where every
    // message answered is 0.
    void aPipedChatEchoesItsMessagesAndFailsWhereOneIsUnanswered()
    {
        const QString model = synthesizedModel();
        QVERIFY(!model.isEmpty());
        const QStringList args{model, QStringLiteral("--ctx"), QStringLiteral("64"), QStringLiteral("--n"), QStringLiteral("2")};
        const Chat answered = chat(args, "hi\n");
        QVERIFY2(answered.code == 0 && answered.out.contains(QStringLiteral("> hi\n")), qPrintable(answered.out + answered.err));
        const QByteArray tooLong = QByteArray("w ").repeated(80); // more tokens than the context holds
        const Chat refused = chat(args, tooLong + "\nhi\n");
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("1 of 2 messages were not answered")), qPrintable(refused.err));
        QCOMPARE(refused.err.count(QStringLiteral(" tokens/s, context ")), 1); // the second was answered
    }

    // Control characters in a reply (the random model's byte-fallback tokens emit ESC, backspace,
    // ^A … at most seeds) are shown as control pictures in `llm chat`, never sent to the terminal;
    // `llm generate` into a pipe keeps the model's bytes as they are. Seeds are tried until one
    // emits a control: the sampled tokens may differ between CPUs' kernels.
    // Ctrl-C while a reply is written stops the reply and the chat goes on with the conversation (it
    // ended the program: trial 19); /exit then quits normally.
    void ctrlCStopsAReplyAndTheChatGoesOn()
    {
        // A vocabulary of 32000 and seed 2: this model's reply runs past 20000 tokens (seconds) before
        // any end-of-generation token, so the signal reaches it while it writes (the sampler is
        // deterministic for a seed; the 400-token model above ends its replies within a hundred).
        const QString model = m_dir.filePath(QStringLiteral("chat32k.gguf"));
        QProcess synth;
        synth.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        synth.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"),
                                                          QStringLiteral("32000"), QStringLiteral("--embd"), QStringLiteral("64"), QStringLiteral("--ff"),
                                                          QStringLiteral("128")});
        QVERIFY(synth.waitForFinished(120000) && synth.exitCode() == 0);
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("llm"), QStringLiteral("chat"), model, QStringLiteral("--n"), QStringLiteral("1000000"),
                                                      QStringLiteral("--temp"), QStringLiteral("0.8"), QStringLiteral("--seed"), QStringLiteral("2")});
        QVERIFY(p.waitForStarted());
        p.write("tell me a long story\n");
        QString out, err;
        const QDeadlineTimer deadline(120000);
        const auto readUntil = [&](const std::function<bool()>& done) {
            while (!done()) {
                if ((p.state() != QProcess::Running && !p.bytesAvailable()) || deadline.hasExpired())
                    return false;
                p.waitForReadyRead(1000);
                out += QString::fromUtf8(p.readAllStandardOutput());
                err += QString::fromUtf8(p.readAllStandardError());
            }
            return true;
        };
        const QString echoed = QStringLiteral("tell me a long story\n");
        QVERIFY2(readUntil([&] { return out.contains(echoed) && out.size() > out.indexOf(echoed) + echoed.size() + 20; }), qPrintable(out + err));
        QCOMPARE(::kill(pid_t(p.processId()), SIGINT), 0);
        QVERIFY2(readUntil([&] { return err.contains(QStringLiteral("[stopped (Ctrl-C)")); }), qPrintable(err));
        p.write("/exit\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    void controlCharactersInAReplyAreShownNotObeyed()
    {
        const QString model = synthesizedModel();
        QVERIFY(!model.isEmpty());
        const auto sampling = [](int seed) {
            return QStringList{QStringLiteral("--n"), QStringLiteral("100"), QStringLiteral("--temp"), QStringLiteral("1.5"), QStringLiteral("--top-k"),
                               QStringLiteral("0"), QStringLiteral("--top-p"), QStringLiteral("1"), QStringLiteral("--min-p"), QStringLiteral("0"),
                               QStringLiteral("--seed"), QString::number(seed), QStringLiteral("--threads"), QStringLiteral("1")};
        };
        const auto pictured = [](const QString& text) {
            return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x2400 && c.unicode() <= 0x2421; });
        };
        bool shown = false;
        for (int seed = 1; seed <= 8 && !shown; ++seed) {
            const Chat c = chat(QStringList{model} + sampling(seed), "hello\n");
            QCOMPARE(c.code, 0);
            QVERIFY2(!holdsControls(c.out), qPrintable(c.out));
            shown = pictured(c.out);
        }
        QVERIFY2(shown, "no seed of 1 … 8 gave a reply with a control character");

        bool raw = false;
        for (int seed = 1; seed <= 8 && !raw; ++seed) {
            QProcess generate;
            generate.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
            generate.start(binPath(QStringLiteral("bioforge")),
                           QStringList{QStringLiteral("llm"), QStringLiteral("generate"), model, QStringLiteral("--prompt"), QStringLiteral("hi")} + sampling(seed));
            QVERIFY(generate.waitForFinished(120000) && generate.exitCode() == 0);
            const QByteArray bytes = generate.readAllStandardOutput();
            QVERIFY2(!pictured(QString::fromUtf8(bytes)), bytes.toPercentEncoding().constData()); // the bytes themselves, not their pictures
            raw = holdsControls(QString::fromUtf8(bytes));
        }
        QVERIFY2(raw, "no seed of 1 … 8 gave generated text with a control character");
    }
};

QTEST_GUILESS_MAIN(TstLlmChatCli)
#include "tst_llm_chat_cli.moc"
