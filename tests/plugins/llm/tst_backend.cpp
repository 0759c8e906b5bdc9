// The model computes only through its Backend: a back-end that records each
// call (and forwards it to the CPU one) gives bit-identical logits, sees every
// operation of the graph the expected number of times, and is the one named
// by the model.

#include "compute/cpu_backend.h"
#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "synth/model_synthesizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace bioforge;
using namespace bioforge::llm;

namespace {

class RecordingBackend final : public Backend {
public:
    RecordingBackend(std::map<std::string, int>& calls) : m_calls(calls), m_cpu(2, bestKernelPath()) {}

    std::string name() const override { return "recording " + m_cpu.name(); }
    int threads() const override { return m_cpu.threads(); }
    void matmul(const WeightTensor& w, const float* x, int64_t tokens, float* y) override
    {
        ++m_calls["matmul"];
        m_cpu.matmul(w, x, tokens, y);
    }
    void rmsNorm(const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out) override
    {
        ++m_calls["rmsNorm"];
        m_cpu.rmsNorm(x, weight, rows, width, eps, out);
    }
    void ropeAndStore(float* q, float* k, float* v, const QkvBias& bias, const AttentionShape& shape, const RopeParams& rope,
                      int64_t tokens, int64_t firstPos, int64_t layer, KvCache& cache) override
    {
        ++m_calls["ropeAndStore"];
        m_cpu.ropeAndStore(q, k, v, bias, shape, rope, tokens, firstPos, layer, cache);
    }
    void attention(const float* q, const KvCache& cache, const AttentionShape& shape, int64_t layer, int64_t tokens,
                   int64_t firstPos, float* out) override
    {
        ++m_calls["attention"];
        m_cpu.attention(q, cache, shape, layer, tokens, firstPos, out);
    }
    void siluMultiply(float* a, const float* b, int64_t n) override
    {
        ++m_calls["siluMultiply"];
        m_cpu.siluMultiply(a, b, n);
    }
    void add(float* x, const float* y, int64_t n) override
    {
        ++m_calls["add"];
        m_cpu.add(x, y, n);
    }

private:
    std::map<std::string, int>& m_calls;
    CpuBackend m_cpu;
};

} // namespace

class TstBackend : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void modelComputesOnlyThroughItsBackend()
    {
        SynthSpec spec;
        spec.architecture = "qwen2"; // with q/k/v biases
        spec.embedding = 64;
        spec.layers = 3;
        spec.heads = 4;
        spec.kvHeads = 2;
        spec.feedForward = 128;
        spec.vocab = 500;
        spec.weightType = "Q4_K_M";
        const QString path = m_dir.filePath(QStringLiteral("m.gguf"));
        QVERIFY(ModelSynthesizer::write(spec, path));
        auto file = GgufFile::open(path);
        QVERIFY(file);
        std::shared_ptr<const GgufFile> shared = std::move(*file);

        auto plain = LlamaModel::load(shared, LlamaModel::Options::cpu(2, bestKernelPath()));
        QVERIFY(plain);
        std::map<std::string, int> calls;
        LlamaModel::Options options;
        options.makeBackend = [&calls] { return std::make_unique<RecordingBackend>(calls); };
        auto recorded = LlamaModel::load(shared, options);
        QVERIFY(recorded);
        QCOMPARE(QString::fromStdString((*recorded)->backend().name()), QStringLiteral("recording cpu ") + QLatin1String(kernelPathName(bestKernelPath())));

        const std::vector<TokenId> tokens{1, 17, 42, 99, 3};
        auto cacheA = (*plain)->newCache(64);
        auto cacheB = (*recorded)->newCache(64);
        std::vector<float> a, b;
        QVERIFY((*plain)->evaluate(tokens.data(), int64_t(tokens.size()), *cacheA, a));
        QVERIFY((*recorded)->evaluate(tokens.data(), int64_t(tokens.size()), *cacheB, b));
        QCOMPARE(b.size(), size_t(spec.vocab));
        QVERIFY(a == b);

        const int layers = int(spec.layers);
        QCOMPARE(calls["matmul"], 7 * layers + 1); // q k v o gate up down per layer, then the output
        QCOMPARE(calls["rmsNorm"], 2 * layers + 1);
        QCOMPARE(calls["ropeAndStore"], layers);
        QCOMPARE(calls["attention"], layers);
        QCOMPARE(calls["siluMultiply"], layers);
        QCOMPARE(calls["add"], 2 * layers);
        QCOMPARE(cacheB->size(), int64_t(tokens.size()));
    }
};

QTEST_GUILESS_MAIN(TstBackend)
#include "tst_backend.moc"
