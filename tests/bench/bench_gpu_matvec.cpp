// The llm GPU module's matrix-vector products on a Llama-2-7B-shaped model,
// as a fraction of the device's measured copy bandwidth (issue 15).
//
// The model: 32 layers of q, k, v, o (4096 × 4096), gate, up (11008 × 4096)
// and down (4096 × 11008), and the output matrix (32000 × 4096), each its own
// device allocation (3.8 GB in Q4_K, 7.2 GB in Q8_0: far larger than any L2,
// so nothing is served from cache across a pass). Weights are random bytes with
// finite half scales (the kernels read every byte the same way whatever the
// values). One pass = what one token (or one batch of ≤ 8) costs the module's
// kernels: every matrix's product, its activations converted once per
// distinct input (q, k, v share one, gate and up another), timed on the device
// with events, median of 20 after 3 warm-ups; once replayed as a captured
// graph (the kernels alone) and once launched kernel by kernel. Copy bandwidth: a
// device-to-device copy of 2 GiB, bytes read + written (METHOD: the ceiling a
// read-only stream of weights can approach).
//
// Upper bound of the engine's tokens/s: this slice still copies activations
// over PCIe and runs attention on the CPU, which this does not count.
//
// Usage: bench_gpu_matvec [--tsv FILE] [--quick] MODULE.so   (Qt-free)

#include "gpu/llm_gpu_module.h"
#include "gguf/gguf_types.h"

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace bioforge::llm;

namespace {

struct Matrix {
    const char* name;
    int64_t rows, cols;
};

// Random bytes with every half scale finite (the top exponent bit cleared).
std::vector<uint8_t> randomRows(GgmlType type, int64_t rows, int64_t cols, uint64_t seed)
{
    const size_t rowBytes = ggmlRowBytes(type, cols);
    std::vector<uint8_t> bytes(rowBytes * size_t(rows));
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::memcpy(&bytes[i], &state, 8);
    }
    const auto traits = ggmlTypeTraits(uint32_t(type));
    for (size_t off = 0; off < bytes.size(); off += traits->blockBytes) {
        switch (type) {
        case GgmlType::Q8_0:
        case GgmlType::Q4_0: bytes[off + 1] &= 0x3F; break;
        case GgmlType::Q4_K:
        case GgmlType::Q5_K:
            bytes[off + 1] &= 0x3F;
            bytes[off + 3] &= 0x3F;
            break;
        case GgmlType::Q6_K: bytes[off + 209] &= 0x3F; break;
        default: break;
        }
    }
    return bytes;
}

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
    std::string tsvPath, modulePath;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--tsv" && i + 1 < argc)
            tsvPath = argv[++i];
        else if (arg == "--quick")
            quick = true;
        else
            modulePath = arg;
    }
    if (modulePath.empty()) {
        std::fprintf(stderr, "usage: bench_gpu_matvec [--tsv FILE] [--quick] libbioforge_llm_cuda.so\n");
        return 2;
    }
    std::string error;
    const auto module = GpuModule::load(modulePath, modulePath.find("_hip") != std::string::npos ? GpuVendor::Hip : GpuVendor::Cuda, &error);
    if (!module) {
        std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
        return 77;
    }
    if (module->deviceCount(&error) == 0) {
        std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
        return 77;
    }
    FILE* tsv = tsvPath.empty() ? nullptr : std::fopen(tsvPath.c_str(), "w");
    auto emit = [&](const std::string& line) {
        std::printf("%s\n", line.c_str());
        if (tsv) {
            std::fprintf(tsv, "%s\n", line.c_str());
            std::fflush(tsv);
        }
    };
    const int layers = quick ? 4 : 32;
    const int reps = quick ? 5 : 20;
    const std::vector<Matrix> layer = {{"q", 4096, 4096}, {"k", 4096, 4096}, {"v", 4096, 4096}, {"o", 4096, 4096},
                                       {"gate", 11008, 4096}, {"up", 11008, 4096}, {"down", 4096, 11008}};
    char line[512];
    {
        auto device = GpuDevice::open(module, 0, &error);
        if (!device) {
            std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
            return 1;
        }
        std::string name;
        uint64_t freeBytes = 0, totalBytes = 0;
        device->describe(&name, &freeBytes, &totalBytes, &error);
        double copy = 0;
        if (!device->copyBandwidth(size_t(2) << 30, reps, &copy, &error)) {
            std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
            return 1;
        }
        emit("# device\t" + device->label() + "\t" + name + "\t" + module->runtime());
        std::snprintf(line, sizeof line, "copy_bandwidth_GBps\t%.1f", copy / 1e9);
        emit(line);
        emit("weights\tmode\tlayers\ttokens\tbytes_per_pass\tms_per_pass\ttokens_per_s_upper\tweight_GBps\tfraction_of_copy");
        for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q8_0}) {
            auto dev = GpuDevice::open(module, 0, &error); // a fresh handle frees the last type's matrices
            if (!dev) {
                std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
                return 1;
            }
            std::vector<int> ids, convert;
            size_t bytes = 0;
            std::vector<std::vector<uint8_t>> hostLayer;
            for (size_t m = 0; m < layer.size(); ++m)
                hostLayer.push_back(randomRows(type, layer[m].rows, layer[m].cols, m + 1));
            for (int l = 0; l < layers; ++l)
                for (size_t m = 0; m < layer.size(); ++m) {
                    WeightTensor w{type, layer[m].cols, layer[m].rows, ggmlRowBytes(type, layer[m].cols), hostLayer[m].data()};
                    int id = -1;
                    if (!dev->upload(w, &id, &error)) {
                        std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
                        return 1;
                    }
                    ids.push_back(id);
                    // Activations converted once per distinct input: q, k, v share one, gate and up another.
                    convert.push_back(std::string(layer[m].name) == "k" || std::string(layer[m].name) == "v" || std::string(layer[m].name) == "up" ? 0 : 1);
                    bytes += w.bytes();
                }
            // Q4_K_M keeps the output matrix in Q6_K; Q8_0 models in Q8_0.
            const GgmlType outType = type == GgmlType::Q4_K ? GgmlType::Q6_K : GgmlType::Q8_0;
            const auto outBytes = randomRows(outType, 32000, 4096, 99);
            WeightTensor out{outType, 4096, 32000, ggmlRowBytes(outType, 4096), outBytes.data()};
            int outId = -1;
            if (!dev->upload(out, &outId, &error)) {
                std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
                return 1;
            }
            ids.push_back(outId);
            convert.push_back(1);
            bytes += out.bytes();
            for (bool graph : {true, false})
                for (int64_t tokens : {1, 8, 32}) { // generation, its widest launch, a prompt launch
                    double seconds = 0;
                    if (!dev->timePass(ids, convert, tokens, reps, graph, &seconds, &error)) {
                        std::fprintf(stderr, "bench_gpu_matvec: %s\n", error.c_str());
                        return 1;
                    }
                    const double gbps = double(bytes) / seconds / 1e9;
                    std::snprintf(line, sizeof line, "%s\t%s\t%d\t%lld\t%zu\t%.3f\t%.1f\t%.1f\t%.3f", ggmlTypeName(type), graph ? "graph" : "launches",
                                  layers, (long long)tokens, bytes, seconds * 1e3, double(tokens) / seconds, gbps, gbps * 1e9 / copy);
                    emit(line);
                }
        }
    }
    if (tsv)
        std::fclose(tsv);
    return 0;
}
