// The llm engine with its forward pass on a GPU (compute/gpu_backend.h: the
// matrix products and, with a module that has them, every layer's operations
// and the KV cache on the device) against the CPU engine, on a real device:
//  - greedy ids of every line of the shared llama.cpp references
//    (references.tsv; prompt ids taken from it, no tokenizer) equal the
//    reference on the GPU, as they do on the CPU;
//  - on synthesized models of every weight type the GPU supports, the logits
//    of a prompt and 8 generated tokens stay within 2e-3 of the largest
//    logit's magnitude of the CPU engine's scalar reference (kLogitTolerance),
//    and the greedy ids agree wherever its top two logits are further apart;
//  - a context shift of the host's KV cache and a switch between two
//    conversations reach the device's copy of the cache.
// Every check runs on the first real GPU (cuda:0, else hip:0) where one is
// present, and always on the host emulation of the module
// (host_gpu_module.cpp), which puts the same per-block math behind the same
// C ABI: so the loader, the uploads, the back-end inside the model and its
// errors are tested on machines without a GPU too.
// The same checks also run the module's own kernels on the CPU: its source compiled for the
// host under the SIMT emulation (tests/gpu/simt, bioforge_llm_simt).
// BIOFORGE_LLM_MODELS overrides the folder of the shared models,
// BIOFORGE_HOSTSIM_MODULE the host emulation's path (a carried copy), BIOFORGE_SIMT_MODULE the
// SIMT module's (empty: not run).

#include "support/test_support.h"

#include "gpu_backend_targets.h"
#include "gpu_graph_checks.h"

#include "compute/device_choice.h"
#include "compute/gpu_backend.h"
#include "gpu/llm_gpu_module.h"
#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "synth/model_synthesizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace bioforge;
using namespace bioforge::llm;

using namespace bioforge::llm::gpubackendtest;


class TstGpuBackend : public QObject {
    Q_OBJECT
    QList<Target> m_targets;
    QTemporaryDir m_dir;

    QString synthesize(const QString& type)
    {
        SynthSpec spec;
        spec.embedding = 256;
        spec.layers = 2;
        spec.heads = 4;
        spec.kvHeads = 2;
        spec.feedForward = 512;
        spec.vocab = 1000;
        spec.weightType = type.toStdString();
        const QString path = m_dir.filePath(type + QStringLiteral(".gguf"));
        if (!QFileInfo::exists(path) && !ModelSynthesizer::write(spec, path))
            return {};
        return path;
    }

private slots:
    void initTestCase()
    {
        QStringList reasons;
        for (const char* text : {"cuda:0", "hip:0"}) {
            const DeviceChoice choice = *parseDevice(QLatin1String(text));
            auto options = backendOptions(choice, 1, 0);
            if (options) {
                m_targets << Target{choice.label(), choice, nullptr};
                break;
            }
            reasons << options.error().message();
        }
        if (m_targets.isEmpty())
            qInfo("no real GPU here (%s): the host emulation only", qPrintable(reasons.join(QStringLiteral("; "))));
        std::string error;
        // The module's real kernels on the CPU (tests/gpu/simt): before the host emulation, which
        // stays last (the tests of refusals and injected failures use its environment variables).
        const QString simtPath = qEnvironmentVariable("BIOFORGE_SIMT_MODULE", QStringLiteral(BIOFORGE_SIMT_MODULE));
        if (!simtPath.isEmpty()) {
            auto simt = GpuModule::load(QFile::encodeName(simtPath).toStdString(), GpuVendor::Cuda, &error);
            QVERIFY2(simt, error.c_str());
            m_targets << Target{QStringLiteral("SIMT emulation"), {}, simt};
        }
        const QString hostPath = qEnvironmentVariable("BIOFORGE_HOSTSIM_MODULE", QStringLiteral(BIOFORGE_HOSTSIM_MODULE));
        auto host = GpuModule::load(QFile::encodeName(hostPath).toStdString(), GpuVendor::Cuda, &error);
        QVERIFY2(host, error.c_str());
        m_targets << Target{QStringLiteral("host emulation"), {}, host};
    }

    void greedyIdsEqualTheReferences()
    {
        const QString models = qEnvironmentVariable("BIOFORGE_LLM_MODELS", test::fixturePath(QStringLiteral("llm/models")));
        const QString tsv = models + QStringLiteral("/references.tsv");
        if (!QFileInfo::exists(tsv))
            QSKIP(qPrintable(tsv + QStringLiteral(" is not present")));
        const QList<QByteArray> lines = test::readAll(tsv).split('\n');
        int checked = 0;
        QSet<QString> simtModels; // the SIMT emulation (slow: a fiber per GPU thread) checks one line of each model
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> f = lines[i].split('\t');
            if (f.size() != 4)
                continue;
            const QString path = models + QLatin1Char('/') + QString::fromUtf8(f[0]);
            if (!QFileInfo::exists(path))
                continue; // the device run carries only some models
            std::vector<TokenId> ids;
            for (const QByteArray& id : f[3].trimmed().split(' '))
                ids.push_back(TokenId(id.toInt()));
            const size_t promptTokens = size_t(f[2].toInt());
            QVERIFY(promptTokens > 0 && promptTokens < ids.size());
            const std::vector<TokenId> prompt(ids.begin(), ids.begin() + long(promptTokens));
            const std::vector<TokenId> want(ids.begin() + long(promptTokens), ids.end());
            for (const Target& target : m_targets) {
                if (target.label == QLatin1String("SIMT emulation")) {
                    if (simtModels.contains(path))
                        continue;
                    simtModels.insert(path);
                }
                QString error;
                auto model = load(path, &target, &error);
                QVERIFY2(model, qPrintable(error));
                const std::vector<TokenId> got = greedy(*model, prompt, int(want.size()), nullptr);
                QVERIFY2(got == want, qPrintable(QStringLiteral("%1 line %2 on %3").arg(QString::fromUtf8(f[0])).arg(i).arg(QString::fromStdString(model->backend().name()))));
                ++checked;
            }
        }
        if (checked == 0)
            QSKIP("no model of references.tsv is present");
        qInfo("%d reference sequences equal (%lld targets)", checked, (long long)m_targets.size());
    }

    void logitsMatchTheCpuOnEveryWeightType_data()
    {
        QTest::addColumn<QString>("type");
        for (const char* type : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K", "Q4_K_M"})
            QTest::newRow(type) << QString::fromLatin1(type);
    }

    void logitsMatchTheCpuOnEveryWeightType()
    {
        QFETCH(QString, type);
        const QString path = synthesize(type);
        QVERIFY(!path.isEmpty());
        QString error;
        auto cpu = load(path, nullptr, &error);
        QVERIFY2(cpu, qPrintable(error));
        const std::vector<TokenId> prompt{1, 17, 230, 5, 999, 42, 7};
        std::vector<std::vector<float>> cpuRows;
        const auto cpuIds = greedy(*cpu, prompt, 8, &cpuRows);
        QCOMPARE(cpuIds.size(), size_t(8));
        for (const Target& target : m_targets) {
            auto gpu = load(path, &target, &error);
            QVERIFY2(gpu, qPrintable(error));
            // The GPU continues the CPU's ids, so that both see the same inputs.
            auto cache = gpu->newCache(32);
            std::vector<float> logits;
            std::vector<std::vector<float>> gpuRows;
            QVERIFY(gpu->evaluate(prompt.data(), int64_t(prompt.size()), *cache, logits));
            for (size_t step = 0; step < cpuRows.size(); ++step) {
                gpuRows.push_back(logits);
                QVERIFY(gpu->evaluate(&cpuIds[step], 1, *cache, logits));
            }
            double worst = 0;
            for (size_t step = 0; step < cpuRows.size(); ++step) {
                const auto& c = cpuRows[step];
                const auto& g = gpuRows[step];
                QCOMPARE(g.size(), c.size());
                double scale = 0;
                for (float v : c)
                    scale = std::max(scale, std::fabs(double(v)));
                double diff = 0;
                for (size_t i = 0; i < c.size(); ++i)
                    diff = std::max(diff, std::fabs(double(g[i]) - double(c[i])));
                worst = std::max(worst, diff / scale);
                const double tolerance = type == QLatin1String("BF16") ? kLogitToleranceBF16 : kLogitTolerance;
                QVERIFY2(diff <= tolerance * scale, qPrintable(QStringLiteral("%1 on %2 step %3: max |Δlogit| %4 of scale %5")
                                                                         .arg(type, target.label).arg(step).arg(diff).arg(scale)));
                std::vector<float> sorted = c;
                std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<float>());
                if (double(sorted[0]) - double(sorted[1]) > 2 * tolerance * scale)
                    QCOMPARE(argmax(g), argmax(c));
            }
            qInfo("%s on %s: worst |Δlogit| %.3g of the largest logit", qPrintable(type), qPrintable(target.label), worst);
        }
    }

    void theBackEndNamesTheDeviceAndUploadsEachMatrixOnce()
    {
        const QString path = synthesize(QStringLiteral("Q4_K_M"));
        for (const Target& target : m_targets) {
            QString error;
            auto model = load(path, &target, &error);
            QVERIFY2(model, qPrintable(error));
            const QString name = QString::fromStdString(model->backend().name());
            auto* gpuBackend = dynamic_cast<GpuBackend*>(&model->backend());
            QVERIFY(gpuBackend && gpuBackend->layersOnDevice()); // this build's modules have the layer operations
            QVERIFY2(name.contains(QStringLiteral("(every layer on the device)")), qPrintable(name));
            if (target.module) // the module's own device name, after the label the engine gave it
                QVERIFY2(name.startsWith(QStringLiteral("cuda:0 host emulation")) || name.startsWith(QStringLiteral("cuda:0 SIMT host emulation")),
                         qPrintable(name));
            // The weights live on the device: the KV cache need not leave the mapping room in host memory.
            QVERIFY(!model->weightsStayInMemory());
            std::vector<TokenId> prompt{1, 2, 3};
            greedy(*model, prompt, 4, nullptr);
            // 7 matrices per layer and the output one; the embedding is read on the host.
            auto* backend = dynamic_cast<GpuBackend*>(&model->backend());
            QVERIFY(backend);
            QCOMPARE(backend->uploadedMatrices(), size_t(7 * model->config().layers + 1));
            // k and v take q's converted activations, up takes gate's: 3 a layer in each of the 5
            // passes that issue their operations (a replayed pass issues none; a module without
            // matmul_device_shared — the per-block host emulation — converts every time).
            const bool hostEmulation = target.label == QLatin1String("host emulation");
            const size_t issued = 5 - backend->graphReplays();
            QCOMPARE(backend->conversionsReused(), hostEmulation ? size_t(0) : size_t(3 * model->config().layers) * issued);
            // The 4 generated tokens: the first runs as usual, the second is captured, the others replayed.
            QCOMPARE(backend->graphCaptures(), hostEmulation ? size_t(0) : size_t(1));
            QCOMPARE(backend->graphReplays(), hostEmulation ? size_t(0) : size_t(2));
        }
    }

    void aCapturedPassGivesTheSameLogitsAsTheOperationsOneByOne()
    {
        graphcheck::capturedPassesGiveTheSameLogits(m_targets, synthesize(QStringLiteral("Q4_K")));
    }

    void aPassThatCannotBeCapturedRunsKernelByKernel()
    {
        graphcheck::failedCapturesFallBackToKernelByKernel(m_targets, synthesize(QStringLiteral("Q8_0")));
    }

    void aShiftedCacheAndAnotherConversationStayInStepWithTheCpu()
    {
        // The device keeps a copy of each KV cache; the host's stays authoritative. A context
        // shift (KvCache::remove: the kept keys rotated back on the host) and switching between
        // two conversations must reach the device's copy.
        const QString path = synthesize(QStringLiteral("Q8_0"));
        QString error;
        auto cpu = load(path, nullptr, &error);
        QVERIFY2(cpu, qPrintable(error));
        for (const Target& target : m_targets) {
            auto gpu = load(path, &target, &error);
            QVERIFY2(gpu, qPrintable(error));
            auto cpuA = cpu->newCache(32), cpuB = cpu->newCache(32), gpuA = gpu->newCache(32), gpuB = gpu->newCache(32);
            std::vector<float> c, g;
            auto step = [&](KvCache& onCpu, KvCache& onGpu, const std::vector<TokenId>& ids, const char* what) {
                QVERIFY(cpu->evaluate(ids.data(), int64_t(ids.size()), onCpu, c));
                QVERIFY(gpu->evaluate(ids.data(), int64_t(ids.size()), onGpu, g));
                QCOMPARE(onGpu.size(), onCpu.size());
                double scale = 0, diff = 0;
                for (size_t i = 0; i < c.size(); ++i) {
                    scale = std::max(scale, std::fabs(double(c[i])));
                    diff = std::max(diff, std::fabs(double(g[i]) - double(c[i])));
                }
                QVERIFY2(diff <= kLogitTolerance * scale, qPrintable(QStringLiteral("%1 on %2: max |Δlogit| %3 of %4").arg(QLatin1String(what), target.label).arg(diff).arg(scale)));
            };
            // 20 tokens: a prompt's new cache rows come back layer by layer; a few tokens' (≤ 16) are
            // gathered on the device and come back with the logits.
            step(*cpuA, *gpuA, {1, 17, 230, 5, 999, 42, 7, 300, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, "conversation A");
            step(*cpuB, *gpuB, {2, 3, 4}, "conversation B");
            step(*cpuA, *gpuA, {11}, "A again");
            // The host's cache holds what the device computed (copied back with the logits).
            for (int64_t layer = 0; layer < gpuA->layers(); ++layer)
                for (int64_t i = 0; i < gpuA->width(); ++i)
                    QVERIFY(std::isfinite(gpuA->key(layer, gpuA->size() - 1)[i]) && gpuA->key(layer, gpuA->size() - 1)[i] != 0.0f);
            cpuA->remove(2, 4, cpu->config().rope);
            gpuA->remove(2, 4, gpu->config().rope);
            step(*cpuA, *gpuA, {12, 13}, "A after a shift of 4 positions");
            step(*cpuB, *gpuB, {5}, "B after A's shift");
        }
    }

    void aModelLargerThanTheDeviceIsRefusedWithTheSizes()
    {
        const Target& host = m_targets.last();
        qputenv("BF_HOSTSIM_FREE_MIB", "300");
        const auto refused = optionsFor(host, size_t(100) << 20);
        const auto accepted = optionsFor(host, size_t(10) << 20);
        qunsetenv("BF_HOSTSIM_FREE_MIB");
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("need 0.35 GiB")), qPrintable(refused.error().message()));
        QVERIFY2(refused.error().message().contains(QStringLiteral("0.29 GiB free")), qPrintable(refused.error().message()));
        QVERIFY2(refused.error().message().contains(QStringLiteral("--device cpu")), qPrintable(refused.error().message()));
        QVERIFY(accepted);
        std::string error;
        QVERIFY(!GpuDevice::open(host.module, 3, &error));
        QVERIFY2(QString::fromStdString(error).contains(QStringLiteral("does not exist")), error.c_str());
    }

    void aKvCacheLargerThanTheDeviceIsRefusedBeforeItIsMade()
    {
        // The device holds a copy of the cache: a context whose cache does not fit beside the
        // weights is refused up front (with the sizes and a context that fits), not by the
        // runtime in the middle of the first pass.
        const Target& host = m_targets.last();
        QString error;
        auto model = load(synthesize(QStringLiteral("Q8_0")), &host, &error);
        QVERIFY2(model, qPrintable(error));
        qputenv("BF_HOSTSIM_FREE_MIB", "300");
        const core::Status large = model->checkCache(200000); // 2 layers × 2 KV heads × 64 × 2 × 4 bytes a position: 391 MiB
        const core::Status small = model->checkCache(4096);
        qunsetenv("BF_HOSTSIM_FREE_MIB");
        QVERIFY(!large);
        QVERIFY2(large.error().message().contains(QStringLiteral("on the GPU")) && large.error().message().contains(QStringLiteral("at most about")),
                 qPrintable(large.error().message()));
        QVERIFY2(small, small ? "" : qPrintable(small.error().message()));
    }

    void aDeviceErrorDuringEvaluationIsAnErrorNotACrash()
    {
        const Target& host = m_targets.last();
        QString error;
        auto model = load(synthesize(QStringLiteral("Q8_0")), &host, &error);
        QVERIFY2(model, qPrintable(error));
        auto cache = model->newCache(16);
        std::vector<float> logits;
        const std::vector<TokenId> prompt{1, 2, 3};
        // Every layer's products succeed, the output projection fails: the pass dies after the last layer.
        qputenv("BF_HOSTSIM_FAIL_AFTER", QByteArray::number(7 * model->config().layers));
        QString what;
        try {
            (void)model->evaluate(prompt.data(), 3, *cache, logits);
        } catch (const std::runtime_error& e) {
            what = QString::fromUtf8(e.what());
        }
        qunsetenv("BF_HOSTSIM_FAIL_AFTER");
        QVERIFY2(what.contains(QStringLiteral("cuda:0: cudaStreamSynchronize: an illegal memory access")), qPrintable(what));
        // The failed pass left the cache as it was, and the next one computes what the CPU does.
        QCOMPARE(cache->size(), int64_t(0));
        auto cpu = load(synthesize(QStringLiteral("Q8_0")), nullptr, &error);
        QVERIFY2(cpu, qPrintable(error));
        auto cpuCache = cpu->newCache(16);
        std::vector<float> want;
        QVERIFY(model->evaluate(prompt.data(), 3, *cache, logits));
        QVERIFY(cpu->evaluate(prompt.data(), 3, *cpuCache, want));
        QCOMPARE(cache->size(), int64_t(3));
        double diff = 0, scale = 0;
        for (size_t i = 0; i < want.size(); ++i) {
            scale = std::max(scale, std::fabs(double(want[i])));
            diff = std::max(diff, std::fabs(double(logits[i]) - double(want[i])));
        }
        QVERIFY2(diff <= kLogitTolerance * scale, qPrintable(QStringLiteral("after a failed pass: max |Δlogit| %1 of %2").arg(diff).arg(scale)));
    }
};

QTEST_GUILESS_MAIN(TstGpuBackend)
#include "tst_gpu_backend.moc"
