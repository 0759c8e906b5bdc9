// bioforge llm bench: prompt processing (ppN) and generation (tgN) speed in
// tokens per second, like llama-bench, and the memory bandwidth generation implies.

#include "command_support.h"
#include "llm_commands.h"

#include "model/kv_cache.h"

#include <QFileInfo>

#include <chrono>
#include <map>
#include <cmath>
#include <random>

namespace bioforge::llm::cli {
namespace {

struct Stats {
    double mean = 0, sd = 0;
};

Stats stats(const std::vector<double>& v)
{
    Stats s;
    for (double x : v)
        s.mean += x;
    s.mean /= double(v.size());
    for (double x : v)
        s.sd += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(s.sd / double(v.size() - 1)) : 0;
    return s;
}

} // namespace

int cmdBench(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    const QString path = args.value(QLatin1String("model")).toString();
    if (args.value(QLatin1String("p")).toInt() == 0 && args.value(QLatin1String("n")).toInt() == 0) {
        err << "bioforge: llm bench: --p 0 and --n 0 measure nothing; give prompt tokens (--p), generated tokens (--n) or both" << Qt::endl;
        return 2;
    }
    OpenModel m;
    const int threads = args.value(QLatin1String("threads")).toInt();
    KernelPath kernels = bestKernelPath();
    const QString kernelText = args.value(QLatin1String("kernels")).toString(QStringLiteral("auto"));
    if (kernelText != QLatin1String("auto")) {
        if (!parseKernelPath(kernelText.toUtf8().constData(), &kernels)) {
            err << "bioforge: --kernels " << kernelText << ": expected auto, amx, avx512, avx2 or reference" << Qt::endl;
            return 2;
        }
        if (!kernelPathAvailable(kernels)) {
            err << "bioforge: --kernels " << kernelText << ": this CPU lacks the instructions of that path (best here: "
                << kernelPathName(bestKernelPath()) << ")" << Qt::endl;
            return 6;
        }
    }
    if (!openModel(path, true, threads, m, err, args.value(QLatin1String("device")).toString(), kernels))
        return openFailureCode(path, m);
    const int pp = args.value(QLatin1String("p")).toInt();
    const int tg = args.value(QLatin1String("n")).toInt();
    const int reps = args.value(QLatin1String("r")).toInt();
    LlamaModel& model = *m.model;
    std::mt19937 rng(1);
    std::uniform_int_distribution<TokenId> token(0, TokenId(model.config().vocabSize - 1));
    if (core::Status st = model.checkCache(std::max(pp, tg) + 1); !st) {
        err << "bioforge: -p " << pp << " / -n " << tg << ": " << st.error().message() << Qt::endl;
        return 2;
    }
    // As llama-bench: the speed of a context the model was not trained for is measured, and said.
    if (const int64_t trained = model.config().contextLength; trained > 0 && std::max(pp, tg) > trained)
        err << "bioforge: note: " << (pp > trained && tg > trained ? QStringLiteral("--p %1 and --n %2 go").arg(pp).arg(tg)
                                      : pp > trained               ? QStringLiteral("--p %1 goes").arg(pp)
                                                                   : QStringLiteral("--n %1 goes").arg(tg))
            << " beyond the model's context length of " << trained
            << " tokens: the speed is measured, but the model was not made for such a context" << Qt::endl;
    auto cache = model.newCache(std::max(pp, tg) + 1);
    std::vector<float> logits;
    using Clock = std::chrono::steady_clock;

    auto runPrompt = [&] {
        std::vector<TokenId> prompt(static_cast<size_t>(pp));
        for (TokenId& t : prompt)
            t = token(rng);
        cache->clear();
        const auto start = Clock::now();
        (void)model.evaluate(prompt.data(), pp, *cache, logits);
        return double(pp) / std::chrono::duration<double>(Clock::now() - start).count();
    };
    auto runGeneration = [&] {
        cache->clear();
        TokenId t = token(rng);
        const auto start = Clock::now();
        for (int i = 0; i < tg; ++i) {
            (void)model.evaluate(&t, 1, *cache, logits);
            t = token(rng);
        }
        return double(tg) / std::chrono::duration<double>(Clock::now() - start).count();
    };

    const QString name = QFileInfo(path).fileName();
    const double sizeMiB = double(model.weightBytes()) / (1 << 20);
    out << QStringLiteral("| model | size | params | backend | threads | test | t/s |\n| --- | ---: | ---: | --- | ---: | --- | ---: |\n");
    std::vector<double> tgRates;
    for (const auto& [label, count, fn] : {std::tuple{QStringLiteral("pp"), pp, std::function<double()>(runPrompt)},
                                           std::tuple{QStringLiteral("tg"), tg, std::function<double()>(runGeneration)}}) {
        if (count <= 0)
            continue;
        (void)fn(); // warm-up
        std::vector<double> rates;
        for (int r = 0; r < reps; ++r)
            rates.push_back(fn());
        if (label == QLatin1String("tg"))
            tgRates = rates;
        const Stats s = stats(rates);
        out << QStringLiteral("| %1 | %2 MiB | %3 M | %4 | %5 | %6%7 | %8 ± %9 |\n")
                   .arg(name, QString::number(sizeMiB, 'f', 1), QString::number(double(model.parameterCount()) / 1e6, 'f', 1),
                        QString::fromStdString(model.backend().name()), QString::number(model.threads()), label, QString::number(count),
                        QString::number(s.mean, 'f', 2), QString::number(s.sd, 'f', 2));
        out.flush();
    }
    // The kernel each weight type of this model runs on (what makes figures comparable across CPUs).
    // (On a GPU back-end the products run on the device: no CPU kernel line.)
    const bool onCpu = model.backend().name().rfind("cpu", 0) == 0;
    std::map<GgmlType, size_t> bytesByType;
    for (const GgufTensorInfo& t : model.file().tensors())
        if (onCpu)
            bytesByType[t.type] += t.bytes;
    if (onCpu)
        out << QStringLiteral("\nkernels (%1 path):").arg(QLatin1String(kernelPathName(kernels)));
    for (const auto& [type, bytes] : bytesByType) {
        const WeightKernel k = kernelFor(type, kernels);
        out << QStringLiteral(" %1 (%2 MB): %3;").arg(QLatin1String(ggmlTypeName(type)), QString::number(double(bytes) / 1e6, 'f', 1),
                                                      QLatin1String(k.dot ? k.name : "unsupported"));
    }
    if (onCpu)
        out << "\n";
    if (!tgRates.empty()) {
        // Every matrix is read once per token; of an untied embedding table only one row.
        const WeightTensor& embedding = model.weights().tokenEmbedding;
        const double bytesPerToken = double(model.weightBytes()) - (model.weights().tiedOutput ? 0.0 : double(embedding.bytes() - embedding.rowBytes));
        const double gbs = stats(tgRates).mean * bytesPerToken / 1e9;
        out << QStringLiteral("\ngeneration reads the weights once per token (the embedding table one row): %1 MB x %2 t/s = %3 GB/s of weight traffic\n")
                   .arg(bytesPerToken / 1e6, 0, 'f', 1).arg(stats(tgRates).mean, 0, 'f', 1).arg(gbs, 0, 'f', 2);
    }
    return 0;
}

} // namespace bioforge::llm::cli
