// The viral encoders and HENAW on a CUDA device against the same code on the
// CPU (issue 15, the LibTorch-on-CUDA slice; docs/gpu.md). Built on the
// device against its own LibTorch, from the plugins' LibTorch sources, the
// carried libbioforge_core and Qt's headers (tests/gpu/device-check.sh, step
// "engines"; CMake option BIOFORGE_TORCH_ENGINES of tests/gpu).
//
//   torch_engines_check MODELS_DIR [--cpu]
//
// MODELS_DIR holds the shared fixtures' dnabert_s_tiny/ and esm2_tiny/. For
// each encoder, precision fp32 and bf16: mean embeddings of a seeded batch of
// token rows of different lengths on cuda:0 against the CPU's float32 ones
// (largest difference relative to the largest value; fp32 must agree within
// 1e-4, bf16 within 0.05), and batches/s on each device. HENAW (dropout 0):
// the same seeded network trained 20 steps on each device from the same
// batches, loss by loss (within 1e-3 relative), training samples/s on each (batches of 256 and 4096 rows), and
// a batch far too large for the device: it must end as HenawOutOfMemory (the
// recovery path's signal), not a crash; likewise a DNABERT-S batch far too large
// must end as EncoderOutOfMemory and the model still run the next batch. Exit 0 when every check holds, 1 when
// one fails, 77 without a CUDA device (--cpu runs the same comparisons with
// the CPU in the device's place: the dry run on a machine without one).

#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include "henaw/henaw_network.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/torch_runtime.h"

#include <QString>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace bioforge;

namespace {

int g_failures = 0;

void check(bool ok, const char* what, double value, double bound)
{
    std::printf("%-58s %.3e (bound %.0e) %s\n", what, value, bound, ok ? "ok" : "FAILED");
    if (!ok)
        ++g_failures;
}

double relativeDifference(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b)
{
    double diff = 0, scale = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        for (size_t j = 0; j < a[i].size() && j < b[i].size(); ++j) {
            diff = std::max(diff, double(std::fabs(a[i][j] - b[i][j])));
            scale = std::max(scale, double(std::fabs(b[i][j])));
        }
    return a.size() == b.size() ? diff / std::max(scale, 1e-30) : INFINITY;
}

double secondsPerCall(const std::function<void()>& f, int reps)
{
    f(); // warm-up: kernels chosen, memory pools grown
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

std::vector<std::vector<int64_t>> tokenRows(int64_t vocab, int64_t first, int64_t last, int rows, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int64_t> id(first, last), length(6, 40);
    std::vector<std::vector<int64_t>> out(static_cast<size_t>(rows));
    for (auto& r : out) {
        r.resize(size_t(length(rng)));
        for (int64_t& t : r)
            t = std::min(id(rng), vocab - 1);
    }
    return out;
}

// firstId: the first id of an ordinary token (the ids below are [PAD], <cls> and the like).
template <class Model>
void compareEncoder(const char* name, const QString& folder, const viral::EncoderDevice& device, bool deviceIsCuda,
                    const std::function<core::Expected<std::vector<std::vector<float>>>(const Model&, const std::vector<std::vector<int64_t>>&)>& embed,
                    int64_t firstId)
{
    auto reference = Model::load(folder, viral::EncoderPrecision::Float32);
    if (!reference) {
        std::printf("%s: %s FAILED\n", name, qPrintable(reference.error().message()));
        ++g_failures;
        return;
    }
    const int64_t vocab = (*reference)->config().vocabSize;
    const auto rows = tokenRows(vocab, firstId, vocab - 1, 16, 20261202);
    const auto cpu = embed(**reference, rows);
    for (auto precision : {viral::EncoderPrecision::Float32, viral::EncoderPrecision::BFloat16}) {
        auto model = Model::load(folder, precision, device);
        if (!model || !cpu) {
            std::printf("%s %s: %s FAILED\n", name, qPrintable(viral::precisionName(precision)),
                        qPrintable(model ? cpu.error().message() : model.error().message()));
            ++g_failures;
            continue;
        }
        const auto out = embed(**model, rows);
        const std::string what = std::string(name) + " " + viral::precisionName(precision).toStdString() + " on " + device.label().toStdString() +
                                 " against fp32 on the CPU";
        const double bound = precision == viral::EncoderPrecision::Float32 ? 1e-4 : 5e-2;
        const double d = out ? relativeDifference(*out, *cpu) : INFINITY;
        check(out && d <= bound, what.c_str(), d, bound);
        const double s = secondsPerCall([&] { (void)embed(**model, rows); }, 10);
        std::printf("  %s %s: %.2f ms per batch of %zu rows on %s\n", name, qPrintable(viral::precisionName(precision)), s * 1e3, rows.size(),
                    deviceIsCuda ? "the GPU" : "the CPU");
    }
}

age::HenawConfig henawConfig()
{
    age::HenawConfig c = age::HenawConfig::defaults({QStringLiteral("crp"), QStringLiteral("wbc"), QStringLiteral("glucose"), QStringLiteral("hba1c"),
                                                     QStringLiteral("creatinine"), QStringLiteral("albumin"), QStringLiteral("alp"), QStringLiteral("rdw"),
                                                     QStringLiteral("mcv"), QStringLiteral("lymphocyte_pct"), QStringLiteral("sbp"), QStringLiteral("bmi")});
    c.dropout = 0.0; // the devices draw different dropout masks; without dropout the steps are the same arithmetic
    return c;
}

struct SyntheticRows {
    int64_t rows = 0;
    std::vector<float> x, g, age, time, event;
    age::HenawBatch batch(int64_t first, int64_t count) const
    {
        const int64_t n = int64_t(x.size()) / rows, ng = int64_t(g.size()) / rows;
        age::HenawBatch b;
        b.rows = count;
        b.x = x.data() + first * n;
        b.g = ng ? g.data() + first * ng : nullptr;
        b.age = age.data() + first;
        b.time = time.data() + first;
        b.event = event.data() + first;
        return b;
    }
};

SyntheticRows syntheticRows(const age::HenawConfig& c, int64_t rows)
{
    SyntheticRows s;
    s.rows = rows;
    const int64_t n = c.markers.size(), ng = c.interactions.size() + c.ratios.size();
    std::mt19937 rng(7);
    std::normal_distribution<float> z(0, 1);
    for (int64_t r = 0; r < rows; ++r) {
        const float a = z(rng);
        for (int64_t j = 0; j < n; ++j)
            s.x.push_back(0.6f * a + 0.8f * z(rng));
        for (int64_t j = 0; j < ng; ++j)
            s.g.push_back(z(rng));
        s.age.push_back(a);
        s.time.push_back(12.0f + 100.0f * std::fabs(z(rng)));
        s.event.push_back(z(rng) + a > 1.2f ? 1.0f : 0.0f);
    }
    return s;
}

void compareHenaw(const core::TorchDevice& device)
{
    const age::HenawConfig c = henawConfig();
    const std::vector<double> cv(size_t(c.markers.size()), 0.2);
    const int64_t batchRows = 256, steps = 20;
    const SyntheticRows data = syntheticRows(c, batchRows * steps);
    auto onCpu = age::HenawNetwork::create(c, cv, 11);
    auto onDevice = age::HenawNetwork::create(c, cv, 11, device);
    if (!onCpu || !onDevice) {
        std::printf("HENAW: %s FAILED\n", qPrintable(onCpu ? onDevice.error().message() : onCpu.error().message()));
        ++g_failures;
        return;
    }
    double worst = 0;
    for (int64_t s = 0; s < steps; ++s) {
        const double a = (*onCpu)->trainStep(data.batch(s * batchRows, batchRows), 1e-3).total;
        const double b = (*onDevice)->trainStep(data.batch(s * batchRows, batchRows), 1e-3).total;
        worst = std::max(worst, std::fabs(a - b) / std::max(std::fabs(a), 1e-12));
    }
    check(worst <= 1e-3, ("HENAW 20 training steps on " + device.label().toStdString() + " against the CPU, loss").c_str(), worst, 1e-3);
    // Training samples/s: the default batch (HenawConfig::batchSize, 256) and a large one, where a
    // GPU is no longer bound by launching kernels.
    for (const int64_t rows : {int64_t(c.batchSize), int64_t(4096)}) {
        const SyntheticRows timed = syntheticRows(c, rows * 4);
        double perSecond[2] = {0, 0};
        for (int which = 0; which < 2; ++which) {
            auto& net = which == 0 ? *onCpu : *onDevice;
            int64_t s = 0;
            const double t = secondsPerCall([&] { (void)net->trainStep(timed.batch((s++ % 4) * rows, rows), 1e-3); }, rows > 1000 ? 10 : 40);
            perSecond[which] = double(rows) / t;
        }
        std::printf("  HENAW training, batches of %lld rows: %.0f samples/s on the CPU, %.0f on %s (%.2f×)\n", (long long)rows, perSecond[0], perSecond[1],
                    device.label().toUtf8().constData(), perSecond[1] / perSecond[0]);
    }
    if (!device.isCuda())
        return;
    // A batch beyond the device's memory: its per-marker tokens alone (rows × markers × embedding
    // floats) fill an H200's 139 GiB, and autograd keeps several tensors of that size; ~25 GB of host
    // memory. The recovery path's signal, nothing applied.
    const int64_t huge = int64_t(139.0 * double(1LL << 30) / (4.0 * double(c.markers.size()) * double(c.embedding)));
    std::vector<float> x(size_t(huge) * size_t(c.markers.size()), 0.5f), col(size_t(huge), 0.5f), g(size_t(huge) * size_t(c.interactions.size() + c.ratios.size()), 0.5f);
    age::HenawBatch b;
    b.rows = huge;
    b.x = x.data();
    b.g = g.empty() ? nullptr : g.data();
    b.age = col.data();
    b.time = col.data();
    b.event = col.data();
    bool signalled = false;
    std::string what;
    try {
        (void)(*onDevice)->trainStep(b, 1e-3);
    } catch (const age::HenawOutOfMemory& oom) {
        signalled = true;
        what = oom.what.substr(0, 120);
    } catch (const std::exception& e) {
        what = std::string("another error: ") + e.what();
    }
    std::printf("%-58s %s (%s)\n", QStringLiteral("HENAW batch of %1 M rows on the device").arg(huge / 1000000).toUtf8().constData(), signalled ? "out of memory, signalled: ok" : "FAILED", what.c_str());
    if (!signalled)
        ++g_failures;
}

// A DNABERT-S batch beyond the device's memory: 40,000 rows of 512 tokens make an attention bias
// of [rows, heads, T, T] floats (160 GB with the tiny model's 4 heads), more than an H200 has. It
// must end as EncoderOutOfMemory (what the embedding stage splits batches on), and a batch of
// ordinary size must run on the same model afterwards.
void checkEncoderOutOfMemory(const QString& folder, const viral::EncoderDevice& device)
{
    auto model = viral::DnabertModel::load(folder, viral::EncoderPrecision::Float32, device);
    if (!model) {
        std::printf("DNABERT-S out of memory: %s FAILED\n", qPrintable(model.error().message()));
        ++g_failures;
        return;
    }
    const std::vector<std::vector<int64_t>> huge(40000, std::vector<int64_t>(512, 5));
    bool signalled = false;
    std::string what;
    try {
        const auto out = (*model)->meanEmbeddings(huge);
        what = out ? "it ran" : "an error: " + out.error().message().toStdString();
    } catch (const viral::EncoderOutOfMemory& oom) {
        signalled = true;
        what = oom.what.left(160).toStdString();
    }
    std::printf("%-58s %s (%s)\n", "DNABERT-S batch of 40,000 × 512 tokens on the device", signalled ? "out of memory, signalled: ok" : "FAILED", what.c_str());
    const auto after = (*model)->meanEmbeddings(tokenRows((*model)->config().vocabSize, 5, (*model)->config().vocabSize - 1, 16, 7));
    std::printf("%-58s %s\n", "DNABERT-S ordinary batch after it", after ? "ok" : "FAILED");
    if (!signalled || !after)
        ++g_failures;
}

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
    if (argc < 2) {
        std::fprintf(stderr, "usage: torch_engines_check MODELS_DIR [--cpu]\n");
        return 2;
    }
    const QString models = QString::fromLocal8Bit(argv[1]);
    const bool dryRun = argc > 2 && std::strcmp(argv[2], "--cpu") == 0;
    std::printf("LibTorch %s, C++11 ABI %d, CUDA %s, %d device(s)\n", TORCH_VERSION, int(_GLIBCXX_USE_CXX11_ABI), at::hasCUDA() ? "built" : "absent",
                viral::torchCudaDeviceCount());
    viral::EncoderDevice device;
    if (dryRun) {
        device.portableKernels = true; // the CPU runs what a device would
    } else {
        auto resolved = viral::resolveEncoderDevice(*viral::parseEncoderDevice(QStringLiteral("cuda:0")));
        if (!resolved) {
            std::printf("%s\n", qPrintable(resolved.error().message()));
            return 77;
        }
        device = *resolved;
    }
    viral::setTorchThreads(0);
    compareEncoder<viral::DnabertModel>("DNABERT-S tiny", models + QStringLiteral("/dnabert_s_tiny"), device, !dryRun,
                                        [](const viral::DnabertModel& m, const std::vector<std::vector<int64_t>>& rows) { return m.meanEmbeddings(rows); }, 5);
    compareEncoder<viral::Esm2Model>("ESM-2 tiny", models + QStringLiteral("/esm2_tiny"), device, !dryRun,
                                     [](const viral::Esm2Model& m, const std::vector<std::vector<int64_t>>& rows) {
                                         return m.meanEmbeddings(rows, m.config().layers, 1024);
                                     },
                                     4);
    compareHenaw(device);
    if (!dryRun)
        checkEncoderOutOfMemory(models + QStringLiteral("/dnabert_s_tiny"), device);
    std::printf("%s\n", g_failures == 0 ? "all checks held" : "SOME CHECKS FAILED");
    return g_failures == 0 ? 0 : 1;
}
