// The llm GPU module on a real device against the CPU engine's scalar
// reference (quant/vec_dot_ref.cpp, quant/quantize.cpp):
//  - activations converted on the device (Q8_0, Q8_K, F16, BF16) equal the
//    CPU's bytes exactly;
//  - y = W·x for every weight format, shapes from 1 × 256 to Llama-2-7B's
//    11008 × 4096, 1 to 45 tokens (45: a prompt's launches of 32, whose rows must equal
//    each token's product alone bit for bit): fresh seeded inputs, y poisoned with NaN
//    before each product, every element within the bound of a reordered float
//    sum of the reference (reorderBound: the longest chain of additions of
//    either order times 2^-24 · Σ|block value|);
//  - errors (a device that does not exist, an unknown weight, a type without a
//    kernel) come back as messages, never an abort.
// Without the module or a device it prints why and exits 77 (CTest: skipped).
// Usage: tst_gpu_kernels [--small] [--seed N] [MODULE.so ...]
// Qt-free: builds on the GPU machine.

#include "compute/weight_tensor.h"
#include "gpu/gpu_block_dot.h"
#include "gpu/llm_gpu_module.h"
#include "gpu_layer_checks.h"
#include "gpu_test_data.h"
#include "quant/block_layouts.h"
#include "quant/vec_dot.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace bioforge::llm;

namespace {

int g_failures = 0;

void fail(const std::string& what)
{
    ++g_failures;
    std::printf("FAIL %s\n", what.c_str());
}

// How far two sums of the same per-block values can differ only because they
// were added in other orders (relative to Σ|value|, unit roundoff 2^-24 per
// addition on the longest path): the GPU's lane-serial part and its 5-level
// tree across 32 lanes, plus the CPU reference's serial float sum (the F32,
// F16 and BF16 references sum in double: about one rounding).
double reorderBound(GgmlType type, int64_t values)
{
    const bool elements = type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
    const bool kQuant = type == GgmlType::Q4_K || type == GgmlType::Q5_K || type == GgmlType::Q6_K;
    // K-quants: 4 blocks per 32 lanes (8 parts each), so ceil(B/4) values per accumulating lane.
    const int64_t gpuSerial = kQuant ? (values + 3) / 4 : (values + 31) / 32;
    const int64_t cpuSerial = elements ? 2 : values;
    return double(gpuSerial + 6 + cpuSerial + 2) * std::ldexp(1.0, -24);
}

struct Shape {
    int64_t rows, cols;
};

void checkConversions(GpuDevice& device, std::mt19937& rng)
{
    const int64_t n = 4 * kQK_K;
    const auto rows = gputest::activationRows(n, rng);
    std::vector<float> all;
    for (const auto& r : rows)
        all.insert(all.end(), r.begin(), r.end());
    const int64_t tokens = int64_t(rows.size());
    for (GgmlType type : {GgmlType::Q8_0, GgmlType::Q8_K, GgmlType::F16, GgmlType::BF16, GgmlType::F32}) {
        const size_t rowBytes = ggmlRowBytes(type, n);
        std::vector<uint8_t> want(rowBytes * size_t(tokens)), got(rowBytes * size_t(tokens), 0xEE);
        // The activation quantisers (Q8_0's differs from the weight one: 127/amax, ties to even).
        for (int64_t t = 0; t < tokens; ++t) {
            const float* x = all.data() + t * n;
            uint8_t* row = want.data() + size_t(t) * rowBytes;
            if (type == GgmlType::Q8_0)
                quantizeActivationsQ8_0(x, row, n);
            else
                quantizeRow(type, x, row, n); // Q8_K: the activation form; F16, BF16: conversions; F32: a copy
        }
        std::string error;
        if (!device.convert(type, all.data(), tokens, n, got.data(), &error)) {
            fail(std::string("convert to ") + ggmlTypeName(type) + ": " + error);
            continue;
        }
        int rowsDiffering = 0;
        for (int64_t t = 0; t < tokens; ++t)
            if (std::memcmp(want.data() + size_t(t) * rowBytes, got.data() + size_t(t) * rowBytes, rowBytes) != 0)
                ++rowsDiffering;
        if (rowsDiffering)
            fail(std::string("activations ") + ggmlTypeName(type) + ": " + std::to_string(rowsDiffering) + " of " + std::to_string(tokens)
                 + " rows differ from the CPU's bytes");
        else
            std::printf("ok   activations %-5s %lld rows of %lld: the CPU's bytes\n", ggmlTypeName(type), (long long)tokens, (long long)n);
    }
}

void checkMatmul(GpuDevice& device, GgmlType type, Shape shape, std::mt19937& rng)
{
    const int64_t n = shape.cols;
    std::vector<uint8_t> weights;
    weights.reserve(ggmlRowBytes(type, n) * size_t(shape.rows));
    for (int64_t r = 0; r < shape.rows; ++r) {
        const auto row = type == GgmlType::F32 ? std::vector<uint8_t>() : gputest::weightRow(type, n, rng, r % 5 == 4);
        if (type == GgmlType::F32) {
            std::vector<float> values(static_cast<size_t>(n));
            std::normal_distribution<float> normal(0.0f, 0.05f);
            for (float& v : values)
                v = normal(rng);
            const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
            weights.insert(weights.end(), bytes, bytes + 4 * n);
        } else {
            weights.insert(weights.end(), row.begin(), row.end());
        }
    }
    WeightTensor w;
    w.type = type;
    w.rows = shape.rows;
    w.cols = n;
    w.rowBytes = ggmlRowBytes(type, n);
    w.data = weights.data();
    int id = -1;
    std::string error;
    const std::string label = std::string(ggmlTypeName(type)) + " " + std::to_string(shape.rows) + "x" + std::to_string(n);
    if (!device.upload(w, &id, &error)) {
        fail(label + ": upload: " + error);
        return;
    }
    const WeightKernel kernel = kernelFor(type, KernelPath::Reference);
    const bool large = shape.rows * n > (int64_t(1) << 20);
    for (int64_t tokens : {1, 3, 8, 11, 45}) { // 45: a prompt, launched 32 tokens wide, then 13
        if (large && tokens != 1 && tokens != 8)
            continue; // the scalar reference of the large shapes dominates the run
        std::vector<float> x(static_cast<size_t>(tokens * n));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (float& v : x)
            v = normal(rng);
        std::vector<float> y(static_cast<size_t>(tokens * shape.rows), std::numeric_limits<float>::quiet_NaN());
        if (!device.matmul(id, x.data(), tokens, y.data(), &error)) {
            fail(label + ": matmul: " + error);
            return;
        }
        const size_t aBytes = ggmlRowBytes(kernel.activationType, n);
        std::vector<uint8_t> a(aBytes * size_t(tokens));
        for (int64_t t = 0; t < tokens; ++t) {
            if (kernel.convert)
                kernel.convert(x.data() + t * n, a.data() + size_t(t) * aBytes, n);
            else // F32: the activations as they are
                std::memcpy(a.data() + size_t(t) * aBytes, x.data() + t * n, aBytes);
        }
        double worst = 0; // |got − want| / bound
        int64_t bad = 0;
        for (int64_t t = 0; t < tokens; ++t)
            for (int64_t r = 0; r < shape.rows; ++r) {
                const uint8_t* act = a.data() + size_t(t) * aBytes;
                const float want = kernel.dot(n, w.row(r), act);
                const float got = y[size_t(t * shape.rows + r)];
                double magnitude = 0;
                const auto values = gputest::blockValues(type, w.row(r), act, n);
                for (float v : values)
                    magnitude += std::fabs(double(v));
                const double bound = reorderBound(type, int64_t(values.size())) * magnitude + 1e-30;
                const double error = std::fabs(double(got) - double(want));
                if (!(error <= bound)) { // NaN (an element never written) fails too
                    if (++bad <= 3)
                        std::printf("     %s tokens %lld: y[%lld][%lld] = %.9g, reference %.9g (bound %.3g)\n", label.c_str(), (long long)tokens,
                                    (long long)t, (long long)r, double(got), double(want), bound);
                } else {
                    worst = std::max(worst, error / bound);
                }
            }
        // However a product is grouped into launches, each (row, token) is summed in the same order:
        // a token's row of a prompt's product has the bits of that token's product alone.
        if (tokens > 8) {
            for (int64_t t : {int64_t(0), int64_t(31), int64_t(32), tokens - 1}) {
                if (t >= tokens)
                    continue;
                std::vector<float> alone(static_cast<size_t>(shape.rows), std::numeric_limits<float>::quiet_NaN());
                if (!device.matmul(id, x.data() + t * n, 1, alone.data(), &error)) {
                    fail(label + ": matmul: " + error);
                    return;
                }
                if (std::memcmp(alone.data(), y.data() + t * shape.rows, alone.size() * sizeof(float)) != 0) {
                    ++bad;
                    std::printf("     %s tokens %lld: token %lld's row differs from its product alone\n", label.c_str(), (long long)tokens,
                                (long long)t);
                }
            }
        }
        if (bad)
            fail(label + " tokens " + std::to_string(tokens) + ": " + std::to_string(bad) + " elements outside the bound");
        else
            std::printf("ok   matmul %-5s %6lld x %-6lld tokens %2lld: worst error %.3f of the bound\n", ggmlTypeName(type),
                        (long long)shape.rows, (long long)n, (long long)tokens, worst);
    }
}

void checkErrors(const std::shared_ptr<const GpuModule>& module, GpuDevice& device)
{
    std::string error;
    if (GpuDevice::open(module, 99, &error) || error.find("does not exist") == std::string::npos)
        fail("opening device 99 should be refused with a message, got: " + error);
    std::vector<float> x(256, 1.0f), y(256);
    error.clear();
    if (device.matmul(12345, x.data(), 1, y.data(), &error) || error.find("no weight matrix 12345") == std::string::npos)
        fail("an unknown weight should be refused with a message, got: " + error);
    std::vector<uint8_t> bytes(ggmlRowBytes(GgmlType::Q8_K, 256));
    WeightTensor w{GgmlType::Q8_K, 256, 1, bytes.size(), bytes.data()};
    int id = -1;
    error.clear();
    if (device.upload(w, &id, &error) || error.find("no GPU kernel") == std::string::npos)
        fail("Q8_K weights should be refused with a message, got: " + error);
    std::printf("ok   errors come back as messages\n");
}

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
    bool small = false;
    uint32_t seed = uint32_t(std::chrono::steady_clock::now().time_since_epoch().count());
    std::vector<std::pair<std::string, GpuVendor>> modules;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--small")
            small = true;
        else if (arg == "--seed" && i + 1 < argc)
            seed = uint32_t(std::stoul(argv[++i]));
        else
            modules.emplace_back(arg, arg.find("_hip") != std::string::npos ? GpuVendor::Hip : GpuVendor::Cuda);
    }
    if (modules.empty()) { // the modules this build made
#ifdef BIOFORGE_LLM_CUDA_MODULE
        modules.emplace_back(BIOFORGE_LLM_CUDA_MODULE, GpuVendor::Cuda);
#endif
#ifdef BIOFORGE_LLM_HIP_MODULE
        modules.emplace_back(BIOFORGE_LLM_HIP_MODULE, GpuVendor::Hip);
#endif
    }
    std::printf("tst_gpu_kernels: seed %u (rerun with --seed %u)\n", seed, seed);
    std::mt19937 rng(seed);
    int devicesTested = 0;
    for (const auto& [path, vendor] : modules) {
        std::string error;
        const auto module = GpuModule::load(path, vendor, &error);
        if (!module) {
            std::printf("skip %s\n", error.c_str());
            continue;
        }
        const int count = module->deviceCount(&error);
        if (count == 0) {
            std::printf("skip %s (%s): %s\n", path.c_str(), module->runtime().c_str(), error.c_str());
            continue;
        }
        auto device = GpuDevice::open(module, 0, &error);
        if (!device) {
            fail(path + ": " + error);
            continue;
        }
        std::string name;
        uint64_t freeBytes = 0, totalBytes = 0;
        if (!device->describe(&name, &freeBytes, &totalBytes, &error))
            fail(error);
        std::printf("device %s: %s, %.1f of %.1f GiB free, %s\n", device->label().c_str(), name.c_str(), freeBytes / 1073741824.0,
                    totalBytes / 1073741824.0, module->runtime().c_str());
        ++devicesTested;
        checkErrors(module, *device);
        checkConversions(*device, rng);
        std::vector<Shape> shapes = {{1, 256}, {257, 512}, {64, 4096}};
        if (!small)
            shapes.insert(shapes.end(), {{4096, 4096}, {11008, 4096}, {4096, 11008}});
        for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K,
                              GgmlType::Q6_K})
            for (const Shape& shape : shapes)
                checkMatmul(*device, type, shape, rng);
        g_failures += layercheck::checkLayerOps(*device, rng);
    }
    if (devicesTested == 0) {
        std::printf("tst_gpu_kernels: no GPU device here; nothing tested (skipped)\n");
        return 77;
    }
    std::printf("tst_gpu_kernels: %d failure%s\n", g_failures, g_failures == 1 ? "" : "s");
    return g_failures == 0 ? 0 : 1;
}
