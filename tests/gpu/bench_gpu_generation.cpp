// Generation and prompt speed of the llm engine on a GPU, on a 7B-shape model
// synthesized where it runs (issue 15's figure; docs/gpu.md): for each weight
// type, a model of Llama-2-7B's shape (n_embd 4096, 32 layers, 32 heads, 32 KV
// heads, FFN 11008, vocabulary 32000) with random block bytes
// (SynthSpec::randomBlocks: seconds to write, the products cost what a real
// model's do) is written to DIR, loaded on DEVICE, and timed: prompt
// processing of PP tokens (tokens/s) and generation of TG tokens one at a time
// (tokens/s), each after a warm-up, and the generation again with every pass
// launched kernel by kernel (no captured graphs); the bytes of weights a generated token
// reads (every matrix but the token embedding, of which one row is read on the
// host) times tokens/s, against the device's measured copy bandwidth
// (read + write per second of a device-to-device copy, the same measure as
// bench_gpu_matvec). Benchmark, not test: it prints and writes figures, it
// asserts nothing. --keep 1 leaves each model in DIR (bench-7b-TYPE-LAYERS.gguf) for llama.cpp's
// llama-bench to time the same files (device-check.sh, step 11).
//
//   bench_gpu_generation [--device cuda:0] [--types Q4_K_M,Q8_0] [--layers 32] [--pp 512] [--tg 128]
//                        [--dir /tmp] [--tsv FILE] [--module PATH] [--keep 0|1]

#include "compute/device_choice.h"
#include "compute/gpu_backend.h"
#include "gguf/gguf_file.h"
#include "gpu/llm_gpu_module.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "synth/model_synthesizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStringList>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace bioforge;
using namespace bioforge::llm;

namespace {

double seconds(const std::chrono::steady_clock::time_point& since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Figures {
    double pp = 0, tg = 0, tgLaunches = 0, bytesPerToken = 0; // tgLaunches: without captured passes
    QString graphs; // what the timed generation did with captured passes
};

bool measure(const QString& path, const DeviceChoice& device, int64_t pp, int64_t tg, Figures& f, QString* error)
{
    auto file = GgufFile::open(path);
    if (!file) {
        *error = file.error().message();
        return false;
    }
    std::shared_ptr<const GgufFile> shared(std::move(*file));
    auto options = backendOptions(device, int(std::max(1u, std::thread::hardware_concurrency())), *shared);
    if (!options) {
        *error = options.error().message();
        return false;
    }
    auto model = LlamaModel::load(shared, *options);
    if (!model) {
        *error = model.error().message();
        return false;
    }
    LlamaModel& m = **model;
    for (const GgufTensorInfo& t : shared->tensors())
        if (t.name != "token_embd.weight")
            f.bytesPerToken += double(t.bytes);
    std::vector<float> logits;
    std::vector<TokenId> prompt(static_cast<size_t>(pp));
    for (int64_t i = 0; i < pp; ++i)
        prompt[size_t(i)] = TokenId(3 + (i * 7919) % 30000);
    { // warm-up: every matrix uploaded, kernels loaded, buffers grown; a cache of the timed one's
      // capacity, so that the timed prompt finds device KV arrays of its shape (not freed and allocated again)
        auto warm = m.newCache(pp + tg + 8);
        if (!m.evaluate(prompt.data(), pp, *warm, logits) || !m.evaluate(prompt.data(), 1, *warm, logits)) {
            *error = QStringLiteral("warm-up failed");
            return false;
        }
    }
    auto cache = m.newCache(pp + tg + 8);
    auto t0 = std::chrono::steady_clock::now();
    if (!m.evaluate(prompt.data(), pp, *cache, logits)) {
        *error = QStringLiteral("prompt failed");
        return false;
    }
    f.pp = double(pp) / seconds(t0);
    t0 = std::chrono::steady_clock::now();
    TokenId next = 5;
    for (int64_t i = 0; i < tg; ++i)
        if (!m.evaluate(&next, 1, *cache, logits)) {
            *error = QStringLiteral("generation failed");
            return false;
        }
    f.tg = double(tg) / seconds(t0);
    if (const auto* gpu = dynamic_cast<const GpuBackend*>(&m.backend()))
        f.graphs = gpu->graphsOffReason().empty()
            ? QStringLiteral("captured passes: %1 captured, %2 replayed").arg(gpu->graphCaptures()).arg(gpu->graphReplays())
            : QStringLiteral("captured passes OFF (tg = tg without graphs): %1").arg(QString::fromStdString(gpu->graphsOffReason()));
    // The same generation with every pass launched kernel by kernel (no graphs): what the graphs gain.
    if (auto* gpu = dynamic_cast<GpuBackend*>(&m.backend())) {
        gpu->setGraphs(false);
        auto again = m.newCache(pp + tg + 8);
        if (!m.evaluate(prompt.data(), pp, *again, logits)) {
            *error = QStringLiteral("prompt failed");
            return false;
        }
        t0 = std::chrono::steady_clock::now();
        for (int64_t i = 0; i < tg; ++i)
            if (!m.evaluate(&next, 1, *again, logits)) {
                *error = QStringLiteral("generation failed");
                return false;
            }
        f.tgLaunches = double(tg) / seconds(t0);
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
    QCoreApplication app(argc, argv);
    QString deviceText = QStringLiteral("cuda:0"), dir = QDir::tempPath(), tsv, modulePath;
    QStringList types{QStringLiteral("Q4_K_M"), QStringLiteral("Q8_0")};
    int64_t layers = 32, pp = 512, tg = 128;
    bool keep = false;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString& a = args[i];
        const QString& v = args[i + 1];
        if (a == QLatin1String("--device")) deviceText = v;
        else if (a == QLatin1String("--types")) types = v.split(QLatin1Char(','));
        else if (a == QLatin1String("--layers")) layers = v.toLongLong();
        else if (a == QLatin1String("--pp")) pp = v.toLongLong();
        else if (a == QLatin1String("--tg")) tg = v.toLongLong();
        else if (a == QLatin1String("--dir")) dir = v;
        else if (a == QLatin1String("--tsv")) tsv = v;
        else if (a == QLatin1String("--module")) modulePath = v;
        else if (a == QLatin1String("--keep")) keep = v == QLatin1String("1");
        else {
            std::fprintf(stderr, "bench_gpu_generation: unknown option %s\n", qPrintable(a));
            return 2;
        }
    }
    const auto device = parseDevice(deviceText);
    if (!device) {
        std::fprintf(stderr, "%s\n", qPrintable(device.error().message()));
        return 2;
    }
    // The copy bandwidth, as bench_gpu_matvec measures it.
    double bandwidth = 0;
    if (!modulePath.isEmpty() && device->kind != DeviceChoice::Kind::Cpu) {
        std::string error;
        auto module = GpuModule::load(QFile::encodeName(modulePath).toStdString(), device->kind == DeviceChoice::Kind::Hip ? GpuVendor::Hip : GpuVendor::Cuda, &error);
        // No device (a dry run on a CPU machine): say so before minutes of synthesizing 7B-shape files.
        if (!module || module->deviceCount(&error) <= device->index) {
            std::printf("bench_gpu_generation: no %s here (%s); nothing measured (skipped)\n", qPrintable(device->label()), error.c_str());
            return 77;
        }
        auto opened = GpuDevice::open(module, device->index, &error);
        if (!opened || !opened->copyBandwidth(size_t(1) << 30, 10, &bandwidth, &error))
            std::printf("copy bandwidth: not measured (%s)\n", error.c_str());
    }
    std::printf("device %s, copy bandwidth %.0f GB/s; 7B shape, %lld layers, pp %lld, tg %lld\n", qPrintable(device->label()), bandwidth / 1e9,
                (long long)layers, (long long)pp, (long long)tg);
    QFile out(tsv);
    if (!tsv.isEmpty() && out.open(QIODevice::WriteOnly | QIODevice::Text))
        out.write("type\tlayers\tpp_tokens_per_s\ttg_tokens_per_s\ttg_no_graphs_tokens_per_s\tweight_bytes_per_token\tread_GB_per_s\tcopy_GB_per_s\tfraction\n");
    int failures = 0;
    for (const QString& type : types) {
        SynthSpec spec;
        spec.embedding = 4096;
        spec.layers = layers;
        spec.heads = 32;
        spec.kvHeads = 32;
        spec.feedForward = 11008;
        spec.vocab = 32000;
        spec.context = pp + tg + 16;
        spec.weightType = type.toStdString();
        spec.randomBlocks = true;
        const QString path = QDir(dir).filePath(QStringLiteral("bench-7b-%1-%2.gguf").arg(type).arg(layers));
        const auto began = std::chrono::steady_clock::now();
        if (core::Status st = ModelSynthesizer::write(spec, path); !st) {
            std::printf("%s: %s\n", qPrintable(type), qPrintable(st.error().message()));
            ++failures;
            continue;
        }
        const double written = seconds(began);
        Figures f;
        QString error;
        const bool ok = measure(path, *device, pp, tg, f, &error);
        if (!keep)
            QFile::remove(path);
        if (!ok) {
            std::printf("%s: %s\n", qPrintable(type), qPrintable(error));
            ++failures;
            continue;
        }
        const double read = f.bytesPerToken * f.tg;
        std::printf("%-7s written in %.0f s: pp%lld %.0f t/s, tg%lld %.1f t/s (%.1f without graphs), %.2f GB of weights a token, %.0f GB/s read = "
                    "%.0f %% of the copy bandwidth\n",
                    qPrintable(type), written, (long long)pp, f.pp, (long long)tg, f.tg, f.tgLaunches, f.bytesPerToken / 1e9, read / 1e9,
                    bandwidth > 0 ? 100.0 * read / bandwidth : 0.0);
        if (!f.graphs.isEmpty())
            std::printf("%-7s %s\n", qPrintable(type), qPrintable(f.graphs));
        if (out.isOpen()) {
            out.write(QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6\t%7\t%8\t%9\n")
                          .arg(type)
                          .arg(layers)
                          .arg(f.pp, 0, 'f', 1)
                          .arg(f.tg, 0, 'f', 2)
                          .arg(f.tgLaunches, 0, 'f', 2)
                          .arg(f.bytesPerToken, 0, 'f', 0)
                          .arg(read / 1e9, 0, 'f', 1)
                          .arg(bandwidth / 1e9, 0, 'f', 1)
                          .arg(bandwidth > 0 ? read / bandwidth : 0.0, 0, 'f', 3)
                          .toUtf8());
            out.flush(); // a row at a time: a time limit that kills the step keeps the rows before it
        }
    }
    return failures == 0 ? 0 : 1;
}
