// The KV cache and the conversation around it: a shifted cache equals a fresh evaluation (keys
// rotated in place), a conversation shifts its oldest turns instead of failing and reuses the cached
// prefix, a seed gives the same reply, a stop is honoured between tokens and between a long prompt's
// batches, and a KV cache too large for memory is refused with its size.

#include "chat/chat_template.h"
#include "model/kv_cache.h"
#include "runtime/conversation.h"
#include "runtime/inference_engine.h"
#include "synth_test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <future>

using namespace bioforge;
using namespace bioforge::llm;

class TstConversation : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model;

private slots:
    void initTestCase()
    {
        m_model = m_dir.filePath(QStringLiteral("synth.gguf"));
        QVERIFY(ModelSynthesizer::write(tinyQ8Spec(), m_model));
    }

    void shiftedCacheEqualsAFreshEvaluation()
    {
        // Deeper layers' keys depend on the dropped context (the shift is an
        // approximation there, as in llama.cpp); the first layer's do not. So a
        // one-layer model must give the same logits, and the rotated first-layer
        // keys must equal keys computed at the new positions.
        const SynthSpec spec{.embedding = 64, .layers = 1, .feedForward = 128, .vocab = 600, .weightType = "F32"};
        const QString path = m_dir.filePath(QStringLiteral("one-layer.gguf"));
        QVERIFY(ModelSynthesizer::write(spec, path));
        SynthModel l = loadSynthModel(path);
        QVERIFY(l.model);
        const int64_t vocab = l.model->config().vocabSize;
        std::vector<TokenId> tokens;
        for (int i = 0; i < 40; ++i)
            tokens.push_back(TokenId(300 + (i * 7) % 250));
        // Evaluate all 40, drop positions 4..19, then add one more token.
        auto cache = l.model->newCache(64);
        std::vector<float> logits;
        QVERIFY(l.model->evaluate(tokens.data(), 40, *cache, logits));
        cache->remove(4, 16, l.model->config().rope);
        QCOMPARE(cache->size(), int64_t(24));
        const TokenId next = 333;
        QVERIFY(l.model->evaluate(&next, 1, *cache, logits));
        // The same tokens evaluated from scratch.
        std::vector<TokenId> kept(tokens.begin(), tokens.begin() + 4);
        kept.insert(kept.end(), tokens.begin() + 20, tokens.end());
        kept.push_back(next);
        auto fresh = l.model->newCache(64);
        std::vector<float> expected;
        QVERIFY(l.model->evaluate(kept.data(), int64_t(kept.size()), *fresh, expected));
        float worst = 0;
        for (int64_t i = 0; i < vocab; ++i)
            worst = std::max(worst, std::abs(logits[size_t(i)] - expected[size_t(i)]));
        QVERIFY2(worst < 1e-3f, qPrintable(QStringLiteral("largest logit difference %1").arg(worst)));
        float worstKey = 0;
        for (int64_t pos = 0; pos < fresh->size(); ++pos)
            for (int64_t d = 0; d < cache->width(); ++d)
                worstKey = std::max(worstKey, std::abs(cache->key(0, pos)[d] - fresh->key(0, pos)[d]));
        QVERIFY2(worstKey < 1e-4f, qPrintable(QStringLiteral("largest key difference %1").arg(worstKey)));
    }

    void conversationShiftsInsteadOfFailingAndReusesPrefixes()
    {
        SynthModel l = loadSynthModel(m_model);
        QVERIFY(l.model);
        Conversation chat(*l.model, *l.tokenizer, 96, 32);
        GenerationRequest request;
        request.chatTemplate = ChatTemplate::named("chatml");
        request.sampling.temperature = 0;
        request.maxTokens = 8;
        request.messages = {{"system", "s"}, {"user", "first question about viruses"}};
        int shifts = 0;
        GenerationEvents events;
        events.onContextShift = [&](int) { ++shifts; };
        auto first = chat.generate(request, events);
        QVERIFY2(first, first ? "" : qPrintable(first.error().message()));
        QCOMPARE(first->evaluatedPromptTokens, first->promptTokens);
        // Next turn: the cached prefix is reused.
        request.messages.push_back({"assistant", first->text});
        request.messages.push_back({"user", "second"});
        auto second = chat.generate(request, events);
        QVERIFY(second);
        QVERIFY(second->evaluatedPromptTokens < second->promptTokens);
        // Turns overflow 96 tokens: the oldest shifted out, never an error (a single message longer
        // than the context can read is refused: tst_context_limits).
        for (int turn = 0; turn < 8; ++turn) {
            request.messages.push_back({"assistant", second->text});
            request.messages.push_back({"user", "one more question to fill it"});
            second = chat.generate(request, events);
            QVERIFY2(second, second ? "" : qPrintable(second.error().message()));
            QVERIFY(chat.contextUsed() <= 96);
        }
        QVERIFY(shifts > 0);
    }

    void sameSeedGivesTheSameReply()
    {
        SynthModel l = loadSynthModel(m_model);
        GenerationRequest request;
        request.prompt = "hello";
        request.maxTokens = 12;
        request.sampling.temperature = 1.0f;
        request.sampling.seed = 7;
        Conversation a(*l.model, *l.tokenizer, 128), b(*l.model, *l.tokenizer, 128);
        auto ra = a.generate(request, {});
        auto rb = b.generate(request, {});
        QVERIFY(ra && rb);
        QCOMPARE(ra->tokens, rb->tokens);
        bool cancelled = false;
        GenerationEvents stop;
        stop.stopRequested = [&] { return cancelled; };
        stop.onText = [&](const std::string&, TokenId) { cancelled = true; };
        Conversation c(*l.model, *l.tokenizer, 128);
        auto rc = c.generate(request, stop);
        QVERIFY(rc);
        QCOMPARE(rc->stop, GenerationResult::Stop::Cancelled);
        QCOMPARE(rc->tokens.size(), size_t(1)); // stopped before the next token

        // A stop while a long prompt is read is honoured between its batches (it waited for the whole
        // prompt: trial 17); what was read stays in the cache, and the same prompt again reads only the rest.
        GenerationRequest longPrompt = request;
        for (int i = 0; i < 20; ++i)
            longPrompt.prompt += " hello world";
        std::vector<std::pair<int64_t, int64_t>> progress;
        bool stopNow = false;
        GenerationEvents reading;
        reading.stopRequested = [&] { return stopNow; };
        reading.onPromptProgress = [&](int64_t read, int64_t toRead) {
            progress.emplace_back(read, toRead);
            stopNow = read > 0; // after the first batch
        };
        Conversation d(*l.model, *l.tokenizer, 512, 8);
        auto rd = d.generate(longPrompt, reading);
        QVERIFY2(rd, rd ? "" : qPrintable(rd.error().message()));
        QCOMPARE(rd->stop, GenerationResult::Stop::Cancelled);
        QVERIFY(rd->tokens.empty());
        QVERIFY(rd->promptTokens > 16);
        // Said before the first batch is read (a 512-token batch is minutes on a big model), then after it.
        QCOMPARE(progress.size(), size_t(2));
        QCOMPARE(progress.front(), (std::pair<int64_t, int64_t>{0, rd->promptTokens}));
        QCOMPARE(progress.back(), (std::pair<int64_t, int64_t>{8, rd->promptTokens}));
        QCOMPARE(rd->contextUsed, int64_t(8));
        stopNow = false;
        progress.clear();
        reading.onPromptProgress = [&](int64_t read, int64_t toRead) { progress.emplace_back(read, toRead); };
        auto again = d.generate(longPrompt, reading);
        QVERIFY(again && !again->tokens.empty());
        QCOMPARE(again->evaluatedPromptTokens, rd->promptTokens - 8);
        QCOMPARE(progress.back(), (std::pair<int64_t, int64_t>{again->evaluatedPromptTokens, again->evaluatedPromptTokens}));
    }

    // A paused generation goes on exactly where it stopped (a paused `run llm generate` started over:
    // trial 19): its KV cache, next logits and sampler state are put back, not evaluated again (a
    // batched pass's logits differ in the last bits, and a greedy run parted from the uninterrupted
    // one), the tokens open the result without being streamed again, and the whole equals an
    // uninterrupted generation, greedy and seeded, with a context shift before the pause and after it.
    void aPausedGenerationGoesOnExactlyWhereItStopped()
    {
        SynthModel l = loadSynthModel(m_model);
        QVERIFY(l.model);
        for (const float temperature : {0.0f, 1.0f}) {
            GenerationRequest request;
            request.prompt = "hello world";
            request.maxTokens = 150;
            request.sampling.temperature = temperature;
            request.sampling.seed = 11;
            request.sampling.repeatPenalty = 1.1f; // reads the cache's tokens: they must be put back too
            int shifts = 0;
            GenerationEvents counting;
            counting.onContextShift = [&](int) { ++shifts; };
            Conversation whole(*l.model, *l.tokenizer, 64, 16);
            auto uninterrupted = whole.generate(request, counting);
            QVERIFY(uninterrupted);
            QVERIFY2(uninterrupted->tokens.size() > 120 && shifts >= 2, "the reference runs past the pause and shifts before and after it");
            int streamed = 0;
            GenerationEvents pausing;
            pausing.onText = [&](const std::string&, TokenId) { ++streamed; };
            pausing.stopRequested = [&] { return streamed == 80; };
            Conversation first(*l.model, *l.tokenizer, 64, 16);
            auto paused = first.generate(request, pausing);
            QVERIFY(paused);
            QCOMPARE(paused->stop, GenerationResult::Stop::Cancelled);
            QVERIFY(paused->paused && paused->paused->shifted);
            QCOMPARE(paused->paused->tokens.size(), size_t(80));

            streamed = 0;
            GenerationEvents streaming;
            streaming.onText = [&](const std::string&, TokenId t) { streamed += t == kNoToken ? 0 : 1; };
            Conversation second(*l.model, *l.tokenizer, 64, 16);
            QVERIFY(second.resume(std::move(*paused->paused), request));
            auto rest = second.generate(request, streaming);
            QVERIFY2(rest, rest ? "" : qPrintable(rest.error().message()));
            QCOMPARE(rest->tokens, uninterrupted->tokens);
            QCOMPARE(rest->text, uninterrupted->text);
            QCOMPARE(rest->stop, uninterrupted->stop);
            QCOMPARE(streamed, int(uninterrupted->tokens.size()) - 80); // the 80 are not streamed again
            QCOMPARE(rest->evaluatedPromptTokens, int64_t(0));
        }
        // What is not this generation's is refused, not guessed: another prompt, a state no sampler
        // wrote, a token outside the vocabulary, a cache of another shape, a chat.
        GenerationRequest request;
        request.prompt = "hello";
        request.maxTokens = 10;
        bool stop = false;
        GenerationEvents pausing;
        pausing.onText = [&](const std::string&, TokenId) { stop = true; };
        pausing.stopRequested = [&] { return stop; };
        Conversation c(*l.model, *l.tokenizer, 64);
        auto paused = c.generate(request, pausing);
        QVERIFY(paused && paused->paused && !paused->paused->shifted);
        const auto refused = [&](const std::function<void(GenerationRequest&, PausedGeneration&)>& change, const char* said) {
            GenerationRequest r = request;
            PausedGeneration state = *paused->paused;
            change(r, state);
            Conversation fresh(*l.model, *l.tokenizer, 64);
            const core::Status got = fresh.resume(std::move(state), r);
            // Refused, the conversation is as it was: a generation reads the prompt and goes on.
            auto after = fresh.generate(request, {});
            return !got && got.error().message().contains(QLatin1String(said)) && after && after->evaluatedPromptTokens == after->promptTokens;
        };
        QVERIFY(refused([](GenerationRequest& r, PausedGeneration&) { r.prompt = "goodbye"; }, "not made from this prompt"));
        QVERIFY(refused([](GenerationRequest&, PausedGeneration& p) { p.samplerState = "not a generator state"; }, "sampler state"));
        QVERIFY(refused([&](GenerationRequest&, PausedGeneration& p) { p.tokens.back() = TokenId(l.model->config().vocabSize); }, "outside this model's vocabulary"));
        QVERIFY(refused([](GenerationRequest&, PausedGeneration& p) { p.keys.pop_back(); }, "key and"));
        QVERIFY(refused([](GenerationRequest&, PausedGeneration& p) { p.logits.pop_back(); }, "logits"));
        QVERIFY(refused([](GenerationRequest&, PausedGeneration& p) { p.keep = -1; }, "not made from this prompt"));
        QVERIFY(refused([](GenerationRequest& r, PausedGeneration&) { r.messages = {{"user", "hi"}}; }, "raw prompt"));
    }

    // A KV cache is refused up front, with its size and factors, when it cannot be held: Linux
    // overcommits, so a zero-filled cache too large for memory would be killed while filling,
    // not refused. The arithmetic itself never overflows.
    void aKvCacheTooLargeForMemoryIsRefusedWithItsSize()
    {
        QCOMPARE(KvCache::bytesFor(2, 3, 4, 5), std::optional<uint64_t>(2 * 3 * 4 * 5 * 8));
        QCOMPARE(KvCache::bytesFor(0, 3, 4, 5), std::optional<uint64_t>(0));
        QVERIFY(!KvCache::bytesFor(-1, 3, 4, 5));
        QVERIFY(!KvCache::bytesFor(int64_t(1) << 30, int64_t(1) << 30, 1024, 1024)); // 2^66 bytes
        QVERIFY(!KvCache::bytesFor(int64_t(1) << 20, int64_t(1) << 20, 1 << 10, 1 << 10)); // 2^63 bytes: past int64
        QVERIFY_THROWS_EXCEPTION(std::length_error, KvCache(int64_t(1) << 30, int64_t(1) << 30, 1024, 1024));

        SynthModel l = loadSynthModel(m_model); // 2 layers, 2 key/value heads of 16
        QVERIFY(l.model);
        QVERIFY(l.model->weightsStayInMemory()); // a CPU model this small fits: the cache leaves it room
        QVERIFY(l.model->checkCache(128, qint64(1) << 20));       // 2 × 128 × 2 × 16 × 8 = 64 KiB
        QVERIFY(l.model->checkCache(128, std::nullopt));
        const auto small = l.model->checkCache(4096, qint64(1) << 20); // 2 MiB > 1 MiB
        QVERIFY(!small);
        for (const char* part : {"4096 tokens", "2.0 MiB", "2 layers × 4096 positions × 2 key/value heads × 16 floats", "1.0 MiB",
                                 "smaller context", "at most about 2048 tokens"})
            QVERIFY2(small.error().message().contains(QString::fromUtf8(part)), qPrintable(small.error().message()));
        const auto none = l.model->checkCache(4096, 1024); // not even 16 positions (8 KiB) fit
        QVERIFY(!none);
        QVERIFY2(none.error().message().contains(QLatin1String("not even a 16-token context fits")), qPrintable(none.error().message()));
        QVERIFY(!l.model->checkCache(0, std::nullopt));
        QVERIFY(!l.model->checkCache(-5, std::nullopt));

        // With this machine's own memory: a model whose context is 2^30 tokens needs 8 TiB at full
        // context (16 layers, 4 key/value heads of 16); the engine answers the chat with the refusal
        // instead of allocating.
        SynthSpec spec = tinyQ8Spec();
        spec.layers = 16;
        spec.kvHeads = 4;
        if (const auto available = l.model->availableForCache(); available && *available >= (qint64(1) << 43))
            QSKIP("this machine has 8 TiB of memory available");
        spec.context = int64_t(1) << 30;
        const QString huge = m_dir.filePath(QStringLiteral("long-context.gguf"));
        QVERIFY(ModelSynthesizer::write(spec, huge));
        InferenceEngine::Options options;
        options.contextSize = int64_t(1) << 30;
        InferenceEngine engine(options);
        std::promise<core::Expected<ModelSummary>> loaded;
        engine.loadModel(huge, [&](core::Expected<ModelSummary> r) { loaded.set_value(std::move(r)); });
        QVERIFY(loaded.get_future().get());
        std::promise<core::Expected<GenerationResult>> finished;
        GenerationRequest request;
        request.prompt = "hello";
        request.maxTokens = 2;
        InferenceEngine::Callbacks callbacks;
        callbacks.onFinished = [&](core::Expected<GenerationResult> r) { finished.set_value(std::move(r)); };
        engine.submit(QStringLiteral("chat"), request, callbacks);
        const auto result = finished.get_future().get();
        QVERIFY(!result);
        QVERIFY2(result.error().message().contains(QLatin1String("8.0 TiB")), qPrintable(result.error().message()));
        QVERIFY2(result.error().message().contains(QLatin1String("of memory available beside the")), qPrintable(result.error().message()));
        QVERIFY2(result.error().message().contains(QLatin1String("of the model's weights")), qPrintable(result.error().message()));
    }

    // The engine keeps the KV caches of the conversations answered last, at most
    // Options::keptConversations: the least recently answered one is read anew, the others reuse
    // their caches (every conversation of a session kept its cache until memory ran out: review 64 F14).
    void theEngineKeepsTheCachesOfTheLastConversations()
    {
        InferenceEngine::Options options;
        options.contextSize = 256;
        options.keptConversations = 2;
        InferenceEngine engine(options);
        std::promise<core::Expected<ModelSummary>> loaded;
        engine.loadModel(m_model, [&](core::Expected<ModelSummary> r) { loaded.set_value(std::move(r)); });
        QVERIFY(loaded.get_future().get());
        const auto ask = [&engine](const QString& conversation) {
            GenerationRequest request;
            request.sampling.temperature = 0;
            request.maxTokens = 2;
            request.messages = {{"user", "a question of " + conversation.toStdString() + " about capsids"}};
            std::promise<core::Expected<GenerationResult>> finished;
            InferenceEngine::Callbacks callbacks;
            callbacks.onFinished = [&](core::Expected<GenerationResult> r) { finished.set_value(std::move(r)); };
            engine.submit(conversation, request, callbacks);
            return finished.get_future().get();
        };
        for (const char* name : {"a", "b", "c"}) { // c's cache takes a's place
            const auto first = ask(QLatin1String(name));
            QVERIFY2(first, first ? "" : qPrintable(first.error().message()));
            QCOMPARE(first->evaluatedPromptTokens, first->promptTokens);
        }
        const auto c = ask(QStringLiteral("c")), b = ask(QStringLiteral("b")), a = ask(QStringLiteral("a"));
        QVERIFY(c && b && a);
        QVERIFY2(c->evaluatedPromptTokens < c->promptTokens && b->evaluatedPromptTokens < b->promptTokens, "a kept cache was not reused");
        QCOMPARE(a->evaluatedPromptTokens, a->promptTokens); // dropped: read anew
    }
};

QTEST_GUILESS_MAIN(TstConversation)
#include "tst_conversation.moc"
