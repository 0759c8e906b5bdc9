// A context too small for what is sent: a prompt longer than the context is refused with both sizes
// (llama-cli's n_ctx - 4 rule), the advice fits the model's own length, a history longer than the
// context shifts instead, a stop while a shifted conversation reads its next message leaves the cache
// where the message began, and a system prompt that leaves no room for a message is refused up front.

#include "chat/chat_template.h"
#include "gguf/gguf_file.h"
#include "model/llama_model.h"
#include "runtime/conversation.h"
#include "synth_test_models.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::llm;

class TstContextLimits : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model;

private slots:
    void initTestCase()
    {
        m_model = m_dir.filePath(QStringLiteral("one-block.gguf"));
        QVERIFY(ModelSynthesizer::write(oneBlockSpec(), m_model));
    }

    // A prompt longer than the context: refused with both sizes, never read from its end (the model
    // answered the last hundred words of a pasted document, with a note that said 127 tokens were
    // shifted out); a prompt that fits is answered after it.
    void aPromptLongerThanTheContextIsRefusedWithItsSize()
    {
        const SynthModel l = loadSynthModel(m_model, 1);
        QVERIFY(l.model && l.tokenizer);
        Conversation conversation(*l.model, *l.tokenizer, 64);
        GenerationRequest request;
        request.maxTokens = 2;
        // llama-cli's rule: a prompt of n_ctx - 4 tokens, BOS included, is read; one more is refused,
        // its size counted with the BOS, as `llm tokenize` and llama-cli count it.
        const auto count = [&](const std::string& text) { return l.tokenizer->tokenize(text, true, false).size(); };
        for (const char* unit : {" hi", "h", " s", "s"}) { // a unit whose repeats reach exactly 60 tokens
            request.prompt = "hi";
            while (count(request.prompt) < 60)
                request.prompt += unit;
            if (count(request.prompt) == 60)
                break;
        }
        QCOMPARE(count(request.prompt), size_t(60));
        // onPromptEvaluated: once, with the prompt's length, for a prompt read; never for one refused.
        std::vector<int64_t> evaluated;
        GenerationEvents counting;
        counting.onPromptEvaluated = [&](int64_t n) { evaluated.push_back(n); };
        auto fits = conversation.generate(request, counting);
        QVERIFY2(fits, fits ? "" : qPrintable(fits.error().message()));
        QCOMPARE(evaluated, std::vector<int64_t>{fits->promptTokens});
        while (count(request.prompt) == 60)
            request.prompt += "h";
        QCOMPARE(count(request.prompt), size_t(61));
        auto oneTooMany = conversation.generate(request, counting);
        QVERIFY(!oneTooMany);
        QCOMPARE(evaluated.size(), size_t(1));
        QVERIFY2(oneTooMany.error().message().startsWith(QStringLiteral("the prompt is 61 tokens, more than a context of 64 tokens can read (at most 60,")),
                 qPrintable(oneTooMany.error().message()));
        request.prompt.clear();
        for (int i = 0; i < 100; ++i)
            request.prompt += "hi system ";
        const size_t tokens = l.tokenizer->tokenize(request.prompt, true, false).size();
        QVERIFY(tokens > 64);
        auto refused = conversation.generate(request, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), core::Error::Kind::Invalid);
        QVERIFY2(refused.error().message().startsWith(QStringLiteral("the prompt is %1 tokens, more than a context of 64 tokens can read (at most ").arg(tokens)),
                 qPrintable(refused.error().message()));
        QVERIFY2(refused.error().message().contains(QStringLiteral("give a larger context (--ctx; this model's context length is 2048 tokens)")),
                 qPrintable(refused.error().message()));
        // At the model's own length, --ctx cannot help: the advice says so.
        Conversation full(*l.model, *l.tokenizer, 2048);
        for (int i = 0; i < 1100; ++i)
            request.prompt += "hi system ";
        auto tooLongForTheModel = full.generate(request, {});
        QVERIFY(!tooLongForTheModel);
        QVERIFY2(tooLongForTheModel.error().message().contains(QStringLiteral("this model reads at most 2048 tokens at once")),
                 qPrintable(tooLongForTheModel.error().message()));
        QVERIFY(!tooLongForTheModel.error().message().contains(QStringLiteral("--ctx")));
        request.prompt = "hi";
        QVERIFY(conversation.generate(request, {}));
        // A chat whose history is longer than the context (reopened, or regenerated after a shift), its
        // newest message short: the old turns shift out as before, nothing is refused.
        GenerationRequest chat;
        chat.maxTokens = 2;
        chat.chatTemplate = ChatTemplate::named("chatml");
        for (int turn = 0; turn < 12; ++turn) {
            chat.messages.push_back({"user", "hi system hi system hi"});
            chat.messages.push_back({"assistant", "hi system"});
        }
        chat.messages.push_back({"user", "hi"});
        Conversation reopened(*l.model, *l.tokenizer, 64, 8);
        auto answered = reopened.generate(chat, {});
        QVERIFY2(answered, answered ? "" : qPrintable(answered.error().message()));
        QVERIFY(answered->promptTokens > 64);

        // Stop while the next message is read, in this shifted conversation: the cache goes back to
        // where the message began, and sent again, only the new turns are read (a reset read the whole
        // history again, longer than the context).
        chat.messages.push_back({"assistant", answered->text});
        chat.messages.push_back({"user", "hi"}); // chatml's markers make it many tokens in this vocabulary
        bool stopNow = false;
        GenerationEvents reading;
        reading.stopRequested = [&] { return stopNow; };
        reading.onPromptProgress = [&](int64_t read, int64_t) { stopNow = read > 0; };
        auto stopped = reopened.generate(chat, reading);
        QVERIFY2(stopped, stopped ? "" : qPrintable(stopped.error().message()));
        QCOMPARE(stopped->stop, GenerationResult::Stop::Cancelled);
        QVERIFY(stopped->tokens.empty() && stopped->evaluatedPromptTokens > 8);
        auto again = reopened.generate(chat, {});
        QVERIFY2(again, again ? "" : qPrintable(again.error().message()));
        QCOMPARE(again->evaluatedPromptTokens, stopped->evaluatedPromptTokens); // the new turns only
        QVERIFY2(again->evaluatedPromptTokens < again->promptTokens / 2, qPrintable(QStringLiteral("%1 of %2").arg(again->evaluatedPromptTokens).arg(again->promptTokens)));
    }

    // A system prompt that leaves no room for a message (a chat refused every message, blaming it
    // for being long): said up front, naming the system prompt; one that fits leaves the chat as it was.
    void aSystemPromptThatFillsTheContextIsRefusedUpFront()
    {
        const SynthModel l = loadSynthModel(m_model, 1);
        QVERIFY(l.model && l.tokenizer);
        Conversation conversation(*l.model, *l.tokenizer, 128); // chatml's markers are many tokens in this vocabulary
        GenerationRequest chat;
        chat.maxTokens = 2;
        chat.chatTemplate = ChatTemplate::named("chatml");
        chat.messages.push_back({"system", "hi"});
        const core::Status room = conversation.checkSystemPromptRoom(chat);
        QVERIFY2(room, room ? "" : qPrintable(room.error().message()));
        for (int i = 0; i < 80; ++i)
            chat.messages[0].content += " hi";
        const core::Status noRoom = conversation.checkSystemPromptRoom(chat);
        QVERIFY(!noRoom);
        QCOMPARE(noRoom.error().kind(), core::Error::Kind::Invalid);
        QVERIFY2(noRoom.error().message().startsWith(QStringLiteral("the system prompt is ")), qPrintable(noRoom.error().message()));
        QVERIFY2(noRoom.error().message().contains(QStringLiteral("a context of 128 tokens leaves no room for a message")), qPrintable(noRoom.error().message()));
        chat.messages.push_back({"user", "hi"});
        auto refused = conversation.generate(chat, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().message(), noRoom.error().message());
        GenerationRequest raw; // no system prompt: nothing to check
        QVERIFY(conversation.checkSystemPromptRoom(raw));
        // One that fits: the chat is answered.
        chat.messages[0].content = "hi";
        auto answered = conversation.generate(chat, {});
        QVERIFY2(answered, answered ? "" : qPrintable(answered.error().message()));
        // A template without a system turn (mistral, llama2, gemma) puts the system text in the first
        // user message: it is counted there, not passed as if it were not there.
        GenerationRequest mistral = chat;
        mistral.chatTemplate = ChatTemplate::named("mistral");
        QVERIFY(mistral.chatTemplate.systemFormat.empty());
        mistral.messages = {{"system", "hi"}, {"user", "hi"}};
        Conversation fresh(*l.model, *l.tokenizer, 128);
        QVERIFY(fresh.checkSystemPromptRoom(mistral));
        for (int i = 0; i < 150; ++i)
            mistral.messages[0].content += " hi";
        const core::Status inFirstTurn = fresh.checkSystemPromptRoom(mistral);
        QVERIFY2(!inFirstTurn && inFirstTurn.error().message().startsWith(QStringLiteral("the system prompt is ")), inFirstTurn ? "accepted" : qPrintable(inFirstTurn.error().message()));
        QVERIFY(!fresh.generate(mistral, {}));
    }
};

QTEST_GUILESS_MAIN(TstContextLimits)
#include "tst_context_limits.moc"
