// Generation around the forward pass: sampling (greedy, seeded, top-k/p,
// min-p, repetition penalty), chat templates of the common families, stop
// strings while streaming, and synthesized models in every weight type
// (the KV cache and the conversation: tst_conversation).

#include "chat/chat_template.h"
#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "runtime/text_streamer.h"
#include "sampling/sampler.h"
#include "synth/model_synthesizer.h"
#include "synth_test_models.h"
#include "tokenizer/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
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

// Sampling at `temperature` with no top-k, top-p or min-p filter.
SamplingSettings unfiltered(float temperature, uint64_t seed)
{
    SamplingSettings s;
    s.temperature = temperature;
    s.topK = 0;
    s.topP = 1;
    s.minP = 0;
    s.seed = seed;
    return s;
}

} // namespace

class TstGeneration : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void greedyIsArgmaxAndSeedsReproduce()
    {
        const auto logits = randomLogits(1000, 1);
        SamplingSettings greedy;
        greedy.temperature = 0;
        greedy.repeatPenalty = 1;
        const TokenId best = TokenId(std::max_element(logits.begin(), logits.end()) - logits.begin());
        QCOMPARE(Sampler(greedy).sample(logits.data(), 1000, {}), best);

        const SamplingSettings hot = unfiltered(1.5f, 42);
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

    // The generator's state goes on where it stopped: a sampler restored from another's state draws
    // what that one draws next; a text that is no state is refused and changes nothing.
    void samplerStateRestoresTheDraws()
    {
        const auto logits = randomLogits(1000, 3);
        const SamplingSettings hot = unfiltered(1.2f, 5);
        Sampler a(hot);
        for (int i = 0; i < 10; ++i)
            (void)a.sample(logits.data(), 1000, {});
        SamplingSettings otherSeed = hot;
        otherSeed.seed = 99;
        Sampler b(otherSeed);
        QVERIFY(b.restoreState(a.state()));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(b.sample(logits.data(), 1000, {}), a.sample(logits.data(), 1000, {}));
        const std::string before = b.state();
        QVERIFY(!b.restoreState("12 34"));
        QVERIFY(!b.restoreState(a.state() + " 7"));
        QVERIFY(!b.restoreState(""));
        QCOMPARE(b.state(), before);
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
            SynthModel l = loadSynthModel(path);
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
        SynthModel q = loadSynthModel(qpath);
        QVERIFY(q.model);
        QVERIFY(q.model->config().rope.neox);
        QVERIFY(!q.model->weights().layers[0].queryBias.empty());
        SynthSpec deep;
        deep.layers = 16;
        deep.weightType = "Q4_K_M";
        QCOMPARE(ModelSynthesizer::tensorType(deep, "ffn_down.weight", 0).valueOr(GgmlType::F32), GgmlType::Q6_K);
        QCOMPARE(ModelSynthesizer::tensorType(deep, "ffn_down.weight", 3).valueOr(GgmlType::F32), GgmlType::Q4_K);
    }
};

QTEST_GUILESS_MAIN(TstGeneration)
#include "tst_generation.moc"
