// The llama forward pass against llama.cpp: for each fixture model (F32,
// Q8_0, Q4_K_M) and prompt, greedy decoding must reproduce llama.cpp's token
// ids exactly — with the scalar reference kernels and with the fast path.

#include "gguf/gguf_file.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "support/test_support.h"
#include "tokenizer/tokenizer.h"

#include <QtTest>

#include <algorithm>

using namespace bioforge;
using namespace bioforge::llm;
using namespace bioforge::test;

namespace {

struct Reference {
    QString model;
    std::string prompt;
    int promptTokens;
    std::vector<TokenId> ids;
};

QList<Reference> readReferences()
{
    QList<Reference> refs;
    const QList<QByteArray> lines = readAll(fixturePath(QStringLiteral("llm/models/references.tsv"))).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines[i].split('\t');
        if (f.size() != 4)
            continue;
        Reference r{QString::fromUtf8(f[0]), f[1].toStdString(), f[2].toInt(), {}};
        for (const QByteArray& id : f[3].split(' '))
            r.ids.push_back(id.toInt());
        refs << r;
    }
    return refs;
}

TokenId argmax(const std::vector<float>& logits)
{
    return TokenId(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

} // namespace

class TstLlamaModel : public QObject {
    Q_OBJECT

    void generateAndCompare(KernelPath path, int threads)
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        if (!kernelPathAvailable(path))
            QSKIP("this CPU lacks the kernel path");
        const QList<Reference> refs = readReferences();
        QVERIFY2(!refs.isEmpty(), "the generation reference holds no line"); // every line of it is checked
        QStringList failures;
        for (const Reference& r : refs) {
            auto file = GgufFile::open(fixturePath(QStringLiteral("llm/models/") + r.model));
            QVERIFY(file);
            std::shared_ptr<const GgufFile> shared(std::move(*file));
            auto vocab = Vocab::fromGguf(*shared);
            QVERIFY(vocab);
            Tokenizer tokenizer(*vocab);
            auto model = LlamaModel::load(shared, LlamaModel::Options::cpu(threads, path));
            QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
            const std::vector<TokenId> prompt = tokenizer.tokenize(r.prompt, true, false);
            QCOMPARE(int(prompt.size()), r.promptTokens);
            QVERIFY(std::equal(prompt.begin(), prompt.end(), r.ids.begin()));
            auto cache = (*model)->newCache(256);
            std::vector<float> logits;
            QVERIFY((*model)->evaluate(prompt.data(), int64_t(prompt.size()), *cache, logits));
            std::vector<TokenId> all = prompt;
            while (all.size() < r.ids.size()) {
                const TokenId next = argmax(logits);
                all.push_back(next);
                QVERIFY((*model)->evaluate(&next, 1, *cache, logits));
            }
            if (all != r.ids) {
                size_t firstDiff = 0;
                while (firstDiff < all.size() && all[firstDiff] == r.ids[firstDiff])
                    ++firstDiff;
                failures << QStringLiteral("%1 '%2': differs at token %3 (got %4, expected %5)")
                                .arg(r.model, QString::fromStdString(r.prompt)).arg(firstDiff).arg(all[firstDiff]).arg(r.ids[firstDiff]);
            }
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

    // The whole reference sequence (prompt and generated ids) in one batch, as a long prompt is
    // evaluated: the logits at each position must pick the id llama.cpp generated next. Batches of
    // 16 tokens and more take other kernels than generation (AMX tiles for Q8_0 where the CPU has them).
    void batchAndCompare(KernelPath path, int threads)
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        if (!kernelPathAvailable(path))
            QSKIP("this CPU lacks the kernel path");
        QStringList failures;
        for (const Reference& r : readReferences()) {
            auto file = GgufFile::open(fixturePath(QStringLiteral("llm/models/") + r.model));
            QVERIFY(file);
            auto model = LlamaModel::load(std::shared_ptr<const GgufFile>(std::move(*file)), LlamaModel::Options::cpu(threads, path));
            QVERIFY2(model, model ? "" : qPrintable(model.error().message()));
            const int64_t count = int64_t(r.ids.size()) - 1;
            QVERIFY2(count >= 16, "the reference sequences are long enough for the batched kernels");
            auto cache = (*model)->newCache(256);
            std::vector<float> logits;
            QVERIFY((*model)->evaluate(r.ids.data(), count, *cache, logits, true));
            const size_t vocab = logits.size() / size_t(count);
            for (int64_t i = r.promptTokens - 1; i < count; ++i) {
                const std::vector<float> row(logits.begin() + i * vocab, logits.begin() + (i + 1) * vocab);
                if (argmax(row) != r.ids[size_t(i + 1)]) {
                    failures << QStringLiteral("%1 '%2': position %3 picks %4, llama.cpp generated %5")
                                    .arg(r.model, QString::fromStdString(r.prompt)).arg(i).arg(argmax(row)).arg(r.ids[size_t(i + 1)]);
                    break;
                }
            }
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

private slots:
    void greedyMatchesLlamaCppWithReferenceKernels() { generateAndCompare(KernelPath::Reference, 1); }
    void greedyMatchesLlamaCppWithFastKernelsOnTwoThreads() { generateAndCompare(bestKernelPath(), 2); }
    void oneBatchPicksLlamaCppsIdsWithReferenceKernels() { batchAndCompare(KernelPath::Reference, 1); }
    void oneBatchPicksLlamaCppsIdsWithFastKernelsOnTwoThreads() { batchAndCompare(bestKernelPath(), 2); }
    void oneBatchPicksLlamaCppsIdsWithAvx512Kernels() { batchAndCompare(KernelPath::Avx512, 2); } // the path below AMX
};

QTEST_GUILESS_MAIN(TstLlamaModel)
#include "tst_llama_model.moc"
