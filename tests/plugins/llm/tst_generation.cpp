// Generation around the forward pass: sampling (greedy, seeded, top-k/p,
// min-p, repetition penalty), chat templates of the common families, stop
// strings while streaming, synthesized models, prompt-prefix reuse, and the
// context shift (keys rotated in place equal a fresh evaluation).

#include "chat/chat_template.h"
#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "runtime/conversation.h"
#include "runtime/inference_engine.h"
#include "runtime/text_streamer.h"
#include "sampling/sampler.h"
#include "synth/model_synthesizer.h"
#include "tokenizer/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <future>
#include <random>

using namespace bioforge;
using namespace bioforge::llm;

namespace {

std::vector<float> randomLogits(int n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 2);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v)
        x = d(rng);
    return v;
}

struct Loaded {
    std::shared_ptr<const GgufFile> file;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<LlamaModel> model;
};

Loaded loadModel(const QString& path)
{
    Loaded l;
    auto f = GgufFile::open(path);
    if (!f)
        return l;
    l.file = std::move(*f);
    l.tokenizer = std::make_unique<Tokenizer>(*Vocab::fromGguf(*l.file));
    auto m = LlamaModel::load(l.file, LlamaModel::Options::cpu(2, bestKernelPath()));
    if (m)
        l.model = std::move(*m);
    return l;
}

} // namespace

class TstGeneration : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model;

    // 2 layers, 4 heads of 16, 2 key/value heads, Q8_0.
    static SynthSpec tinySpec()
    {
        SynthSpec spec;
        spec.embedding = 64;
        spec.layers = 2;
        spec.heads = 4;
        spec.kvHeads = 2;
        spec.feedForward = 128;
        spec.vocab = 600;
        spec.weightType = "Q8_0";
        return spec;
    }

private slots:
    void initTestCase()
    {
        SynthSpec spec = tinySpec();
        m_model = m_dir.filePath(QStringLiteral("synth.gguf"));
        QVERIFY(ModelSynthesizer::write(spec, m_model));
    }

    void greedyIsArgmaxAndSeedsReproduce()
    {
        const auto logits = randomLogits(1000, 1);
        SamplingSettings greedy;
        greedy.temperature = 0;
        greedy.repeatPenalty = 1;
        const TokenId best = TokenId(std::max_element(logits.begin(), logits.end()) - logits.begin());
        QCOMPARE(Sampler(greedy).sample(logits.data(), 1000, {}), best);

        SamplingSettings hot;
        hot.temperature = 1.5f;
        hot.topK = 0;
        hot.topP = 1;
        hot.minP = 0;
        hot.seed = 42;
        auto draw = [&](uint64_t seed) {
            SamplingSettings s = hot;
            s.seed = seed;
            Sampler sampler(s);
            std::vector<TokenId> out;
            for (int i = 0; i < 50; ++i)
                out.push_back(sampler.sample(logits.data(), 1000, {}));
            return out;
        };
        QCOMPARE(draw(42), draw(42));
        QVERIFY(draw(42) != draw(43));

        SamplingSettings topK1 = hot;
        topK1.topK = 1;
        QCOMPARE(Sampler(topK1).sample(logits.data(), 1000, {}), best);
        SamplingSettings strictMinP = hot;
        strictMinP.minP = 0.999f;
        QCOMPARE(Sampler(strictMinP).sample(logits.data(), 1000, {}), best);
    }

    void repetitionPenaltyDemotesRecentTokens()
    {
        std::vector<float> logits{1.0f, 2.0f, 1.9f};
        SamplingSettings s;
        s.temperature = 0;
        s.repeatPenalty = 1.5f;
        QCOMPARE(Sampler(s).sample(logits.data(), 3, {1}), TokenId(2));
        QCOMPARE(Sampler(s).sample(logits.data(), 3, {0}), TokenId(1));
    }

    void chatTemplatesRenderTheirFamilies()
    {
        const std::vector<ChatMessage> m{{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}, {"user", "Why?"}};
        QCOMPARE(ChatTemplate::named("chatml").render(m, true),
                 std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
                             "<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE(ChatTemplate::named("llama3").render({m[1]}, true),
                 std::string("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
        QCOMPARE(ChatTemplate::named("llama2").render(m, false),
                 std::string("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Why? [/INST]"));
        QCOMPARE(ChatTemplate::named("mistral").render(m, false), std::string("<s>[INST] Be brief.\n\nHi [/INST]Hello.</s>[INST] Why? [/INST]"));
        QCOMPARE(ChatTemplate::named("gemma").render({m[1]}, true),
                 std::string("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n"));
        QCOMPARE(ChatTemplate::named("phi3").render({m[1]}, true), std::string("<|user|>\nHi<|end|>\n<|assistant|>\n"));
        QCOMPARE(ChatTemplate::named("zephyr").render({m[0]}, false), std::string("<|system|>\nBe brief.</s>\n"));

        QCOMPARE(ChatTemplate::detect("{% for m in messages %}<|im_start|>{{ m.role }}").family, std::string("chatml"));
        QCOMPARE(ChatTemplate::detect("<|start_header_id|>{{ role }}<|end_header_id|>").family, std::string("llama3"));
        QCOMPARE(ChatTemplate::detect("[INST] <<SYS>>").family, std::string("llama2"));
        QCOMPARE(ChatTemplate::detect("{{ bos_token }}[INST] {{ m }} [/INST]").family, std::string("mistral"));
        QCOMPARE(ChatTemplate::detect("<start_of_turn>").family, std::string("gemma"));
        QCOMPARE(ChatTemplate::detect("<|user|>\n{{c}}<|end|>\n<|assistant|>").family, std::string("phi3"));
        QCOMPARE(ChatTemplate::detect("<|user|>\n{{c}}</s>\n<|assistant|>").family, std::string("zephyr"));
        QCOMPARE(ChatTemplate::detect("").family, std::string("chatml"));

        auto overridden = ChatTemplate::fromJson(R"({"user": "Q: {content}\n", "assistant": "A: {content}\n", "generation": "A:", "stop": ["\nQ:"]})");
        QVERIFY(overridden);
        QCOMPARE(overridden->render({m[1]}, true), std::string("Q: Hi\nA:"));
        QCOMPARE(overridden->family, std::string("custom"));
        auto back = ChatTemplate::fromJson(ChatTemplate::named("llama3").toJson());
        QVERIFY(back);
        QCOMPARE(back->render(m, true), ChatTemplate::named("llama3").render(m, true));
        QVERIFY(!ChatTemplate::fromJson("not json"));
        QVERIFY(!ChatTemplate::fromJson(R"({"user": "no placeholder"})"));
    }

    void streamerHoldsBackStopStringsAndPartialCharacters()
    {
        TextStreamer s({"<|im_end|>"});
        QCOMPARE(s.push("Hello"), std::string("Hello"));
        QCOMPARE(s.push(" wor<|im"), std::string(" wor"));
        QCOMPARE(s.push("_end|> tail"), std::string());
        QVERIFY(s.stopped());
        QCOMPARE(s.text(), std::string("Hello wor"));

        TextStreamer u({});
        QCOMPARE(u.push("caf\xC3"), std::string("caf"));
        QCOMPARE(u.push("\xA9!"), std::string("\xC3\xA9!"));
        TextStreamer falseAlarm({"STOP"});
        QCOMPARE(falseAlarm.push("ST"), std::string());
        QCOMPARE(falseAlarm.push("ART"), std::string("START"));
    }

    void synthesizedModelsLoadInEveryWeightType()
    {
        for (const char* type : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K", "Q4_K_M"}) {
            SynthSpec spec;
            spec.embedding = 256;
            spec.feedForward = 256;
            spec.layers = 1;
            spec.vocab = 400;
            spec.weightType = type;
            const QString path = m_dir.filePath(QStringLiteral("t-%1.gguf").arg(QLatin1String(type)));
            QVERIFY(ModelSynthesizer::write(spec, path));
            Loaded l = loadModel(path);
            QVERIFY2(l.model, type);
            auto cache = l.model->newCache(32);
            std::vector<float> logits;
            const TokenId t[] = {1, 300, 301};
            QVERIFY(l.model->evaluate(t, 3, *cache, logits));
            QCOMPARE(int64_t(logits.size()), int64_t(400));
            QVERIFY(std::isfinite(logits[0]));
        }
        SynthSpec qwen;
        qwen.architecture = "qwen2";
        qwen.vocab = 400;
        const QString qpath = m_dir.filePath(QStringLiteral("qwen.gguf"));
        QVERIFY(ModelSynthesizer::write(qwen, qpath));
        Loaded q = loadModel(qpath);
        QVERIFY(q.model);
        QVERIFY(q.model->config().rope.neox);
        QVERIFY(!q.model->weights().layers[0].queryBias.empty());
        SynthSpec deep;
        deep.layers = 16;
        deep.weightType = "Q4_K_M";
        QCOMPARE(ModelSynthesizer::tensorType(deep, "ffn_down.weight", 0).valueOr(GgmlType::F32), GgmlType::Q6_K);
        QCOMPARE(ModelSynthesizer::tensorType(deep, "ffn_down.weight", 3).valueOr(GgmlType::F32), GgmlType::Q4_K);
    }

    void shiftedCacheEqualsAFreshEvaluation()
    {
        // Deeper layers' keys depend on the dropped context (the shift is an
        // approximation there, as in llama.cpp); the first layer's do not. So a
        // one-layer model must give the same logits, and the rotated first-layer
        // keys must equal keys computed at the new positions.
        SynthSpec spec;
        spec.embedding = 64;
        spec.layers = 1;
        spec.feedForward = 128;
        spec.vocab = 600;
        spec.weightType = "F32";
        const QString path = m_dir.filePath(QStringLiteral("one-layer.gguf"));
        QVERIFY(ModelSynthesizer::write(spec, path));
        Loaded l = loadModel(path);
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
        Loaded l = loadModel(m_model);
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
        // than the context can read is refused: tst_llm_inputs).
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
        Loaded l = loadModel(m_model);
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
            stopNow = true; // after the first batch
        };
        Conversation d(*l.model, *l.tokenizer, 512, 8);
        auto rd = d.generate(longPrompt, reading);
        QVERIFY2(rd, rd ? "" : qPrintable(rd.error().message()));
        QCOMPARE(rd->stop, GenerationResult::Stop::Cancelled);
        QVERIFY(rd->tokens.empty());
        QVERIFY(rd->promptTokens > 16);
        QCOMPARE(progress.size(), size_t(1));
        QCOMPARE(progress.front(), (std::pair<int64_t, int64_t>{8, rd->promptTokens}));
        QCOMPARE(rd->contextUsed, int64_t(8));
        stopNow = false;
        progress.clear();
        reading.onPromptProgress = [&](int64_t read, int64_t toRead) { progress.emplace_back(read, toRead); };
        auto again = d.generate(longPrompt, reading);
        QVERIFY(again && !again->tokens.empty());
        QCOMPARE(again->evaluatedPromptTokens, rd->promptTokens - 8);
        QCOMPARE(progress.back(), (std::pair<int64_t, int64_t>{again->evaluatedPromptTokens, again->evaluatedPromptTokens}));
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

        Loaded l = loadModel(m_model); // 2 layers, 2 key/value heads of 16
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
        SynthSpec spec = tinySpec();
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
};

QTEST_GUILESS_MAIN(TstGeneration)
#include "tst_generation.moc"
