// Captured passes through the whole engine (gpu_graph_checks.h): against the same passes launched
// kernel by kernel, bit for bit, on every target that has them; and a capture that fails (injected
// in the SIMT module) turning them off for the back-end while every pass still gives its logits.

#include "gpu_graph_checks.h"

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <stdexcept>

using namespace bioforge::llm::gpubackendtest;

namespace bioforge::llm::graphcheck {

void capturedPassesGiveTheSameLogits(const QList<Target>& targets, const QString& modelPath)
{
    // A prompt of 250 tokens, then 12 generated: positions 250 … 261 cross the 256-position
    // chunk boundary of the split-K attention, so each of the two chunk counts is run, captured
    // and replayed. Then another conversation in a cache of the same shape (the same device
    // arrays): 5 prompt tokens and 6 generated, back at one chunk — whose graph names the
    // module's attention scratch as it was before the second chunk count grew it, so it must be
    // captured again, not replayed into freed memory. Every step's logits and the host's KV
    // caches must be the bits of the same runs launched kernel by kernel.
    std::vector<TokenId> prompt, second;
    for (int i = 0; i < 250; ++i)
        prompt.push_back(TokenId((i * 37 + 11) % 1000));
    for (int i = 0; i < 5; ++i)
        second.push_back(TokenId((i * 53 + 7) % 1000));
    // Greedy steps in `cache`; each step's logits appended to rows, the cache's rows to cacheRows.
    auto generate = [](LlamaModel& model, KvCache& cache, const std::vector<TokenId>& start, int count, std::vector<std::vector<float>>& rows,
                       std::vector<float>& cacheRows) {
        std::vector<float> logits;
        if (!model.evaluate(start.data(), int64_t(start.size()), cache, logits))
            return false;
        for (int i = 0; i < count; ++i) {
            rows.push_back(logits);
            const TokenId next = argmax(logits);
            if (!model.evaluate(&next, 1, cache, logits))
                return false;
        }
        rows.push_back(logits);
        for (int64_t layer = 0; layer < cache.layers(); ++layer) {
            cacheRows.insert(cacheRows.end(), cache.key(layer, 0), cache.key(layer, 0) + cache.size() * cache.width());
            cacheRows.insert(cacheRows.end(), cache.value(layer, 0), cache.value(layer, 0) + cache.size() * cache.width());
        }
        return true;
    };
    int targetsWithGraphs = 0;
    for (const Target& target : targets) {
        std::vector<std::vector<float>> rows[2];
        std::vector<float> cacheRows[2];
        size_t replays[2] = {0, 0}, captures[2] = {0, 0}, stale[2] = {0, 0};
        for (int graphs : {1, 0}) {
            qputenv("BIOFORGE_GPU_GRAPHS", graphs ? "1" : "0");
            QString error;
            auto model = load(modelPath, &target, &error);
            qunsetenv("BIOFORGE_GPU_GRAPHS");
            QVERIFY2(model, qPrintable(error));
            auto first = model->newCache(300);
            QVERIFY(generate(*model, *first, prompt, 12, rows[graphs], cacheRows[graphs]));
            auto other = model->newCache(300);
            QVERIFY(generate(*model, *other, second, 6, rows[graphs], cacheRows[graphs]));
            auto* backend = dynamic_cast<GpuBackend*>(&model->backend());
            QVERIFY(backend);
            replays[graphs] = backend->graphReplays();
            captures[graphs] = backend->graphCaptures();
            stale[graphs] = backend->graphsStale();
        }
        QCOMPARE(replays[0], size_t(0));
        if (captures[1] == 0) { // a module without captured passes (the per-block host emulation)
            QCOMPARE(replays[1], size_t(0));
            continue;
        }
        ++targetsWithGraphs;
        // First conversation: tokens at 250 … 255 (one chunk) run, captured, replayed ×4; at
        // 256 … 261 (two) the same. Second, at 5 … 10: the one-chunk graph is stale — captured
        // again at the first token (its first pass long done), then replayed ×5.
        QCOMPARE(stale[1], size_t(1));
        QCOMPARE(captures[1], size_t(3));
        QCOMPARE(replays[1], size_t(13));
        QCOMPARE(rows[1].size(), rows[0].size());
        for (size_t i = 0; i < rows[0].size(); ++i)
            QVERIFY2(std::memcmp(rows[1][i].data(), rows[0][i].data(), rows[0][i].size() * sizeof(float)) == 0,
                     qPrintable(QStringLiteral("%1: logits of step %2 differ with graphs").arg(target.label).arg(i)));
        // The new positions the replays stored reach the host's cache as the operations' do.
        QCOMPARE(cacheRows[1].size(), cacheRows[0].size());
        QVERIFY2(std::memcmp(cacheRows[1].data(), cacheRows[0].data(), cacheRows[0].size() * sizeof(float)) == 0,
                 qPrintable(target.label + QStringLiteral(": the host's KV cache differs with graphs")));
    }
    // The SIMT module and a real device's module have them; only the per-block host emulation
    // is left where both are absent (the device check's dry run leaves the SIMT module out).
    const bool graphsExpected = std::any_of(targets.begin(), targets.end(), [](const Target& t) {
        return !t.module || t.label == QLatin1String("SIMT emulation");
    });
    if (!graphsExpected)
        QSKIP("no module with captured passes here (no GPU, and the SIMT module was left out)");
    QVERIFY(targetsWithGraphs > 0);
}

void failedCapturesFallBackToKernelByKernel(const QList<Target>& targets, const QString& modelPath)
{
    // A capture fails at its end (as CUDA's when a call it cannot record was made while
    // recording) or at its instantiation: the pass it recorded never ran, so it runs again kernel
    // by kernel (LlamaModel::evaluate), captured passes stay off for that back-end with the
    // device's error kept as the reason, and every step gives the logits and cache rows of a run
    // that never captured, bit for bit — a generation that goes on, not an error.
    const auto simt = std::find_if(targets.begin(), targets.end(), [](const Target& t) { return t.label == QLatin1String("SIMT emulation"); });
    if (simt == targets.end())
        QSKIP("the SIMT module was left out: the failures are injected there");
    const std::vector<TokenId> prompt{1, 17, 230, 5, 999};
    auto run = [&](const char* graphs, const char* failure, std::vector<std::vector<float>>& rows, std::vector<float>& cacheRows,
                   std::unique_ptr<LlamaModel>& model) {
        qputenv("BIOFORGE_GPU_GRAPHS", graphs);
        QString error;
        model = load(modelPath, &*simt, &error);
        qunsetenv("BIOFORGE_GPU_GRAPHS");
        QVERIFY2(model, qPrintable(error));
        if (failure)
            qputenv("BF_SIMT_FAIL_CAPTURE", failure);
        std::vector<TokenId> ids;
        QString thrown;
        try {
            ids = greedy(*model, prompt, 5, &rows, &cacheRows);
        } catch (const std::exception& e) { // a failed capture must not reach the caller
            thrown = QString::fromUtf8(e.what());
        }
        qunsetenv("BF_SIMT_FAIL_CAPTURE");
        QVERIFY2(thrown.isEmpty(), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(failure ? failure : "no failure"), thrown)));
        QCOMPARE(ids.size(), size_t(5));
    };
    std::vector<std::vector<float>> eagerRows;
    std::vector<float> eagerCache;
    std::unique_ptr<LlamaModel> eager;
    run("0", nullptr, eagerRows, eagerCache, eager);
    if (QTest::currentTestFailed())
        return;
    for (const char* failure : {"end", "instantiate"}) {
        std::vector<std::vector<float>> rows;
        std::vector<float> cacheRows;
        std::unique_ptr<LlamaModel> model;
        run("1", failure, rows, cacheRows, model);
        if (QTest::currentTestFailed())
            return;
        auto* backend = dynamic_cast<GpuBackend*>(&model->backend());
        QVERIFY(backend);
        // The second generated token's pass was to be captured; it failed, so nothing was kept or
        // replayed, and no later pass tried again.
        QCOMPARE(backend->graphCaptures(), size_t(0));
        QCOMPARE(backend->graphReplays(), size_t(0));
        const QString reason = QString::fromStdString(backend->graphsOffReason());
        const QString expected = QLatin1String(std::strcmp(failure, "end") == 0 ? "StreamEndCapture" : "GraphInstantiate");
        // The module's error: the device, the call and the runtime's code ("simt:0: bfStreamEndCapture: … 901").
        QVERIFY2(reason.contains(expected) && reason.contains(QStringLiteral(":0: ")), qPrintable(failure + QStringLiteral(": ") + reason));
        QCOMPARE(rows.size(), eagerRows.size());
        for (size_t i = 0; i < rows.size(); ++i)
            QVERIFY2(std::memcmp(rows[i].data(), eagerRows[i].data(), rows[i].size() * sizeof(float)) == 0,
                     qPrintable(QStringLiteral("%1: logits of step %2 differ from a run without captures").arg(QLatin1String(failure)).arg(i)));
        QCOMPARE(cacheRows.size(), eagerCache.size());
        QVERIFY2(std::memcmp(cacheRows.data(), eagerCache.data(), cacheRows.size() * sizeof(float)) == 0,
                 qPrintable(QStringLiteral("%1: the host's KV cache differs from a run without captures").arg(QLatin1String(failure))));
    }
}

} // namespace bioforge::llm::graphcheck
