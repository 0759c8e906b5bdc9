// bench_viral products (see bench_viral.cpp's usage): the int8 linear layers (int8Linear,
// model/torch_int8.h: product and epilogue) with the sums from our AVX-512 VNNI kernel
// (model/int8_gemm.h) against oneDNN's matmul, at the four products of an ESM-2 150M layer
// (8 × 168 tokens) and of a DNABERT-S layer (32 × 67 tokens), each as the encoders run it (the
// feed-forward's first product with its activation, rounded for the second in the epilogue:
// int8LinearRounded), interleaved in one process with the threads of an int8 run. Both give the
// same bits (checked here too).
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "bench_support.h"
#include "viral_bench_models.h"

#include "model/encoder_precision.h"
#include "model/torch_layers.h"
#include "model/torch_runtime.h"

#include <cstdio>

namespace bioforge::bench {

using namespace bioforge::viral;

int benchProducts(const QStringList& args)
{
    const int threads = int(option(args, QStringLiteral("--threads"), 2));
    const long reps = option(args, QStringLiteral("--reps"), 20);
    setTorchThreads(threads, EncoderPrecision::Int8);
    if (auto st = int8Precision(at::kCPU); !st) {
        std::fprintf(stderr, "%s\n", qPrintable(st.error().message()));
        return 1;
    }
    if (!int8VnniProducts(4, 4)) {
        std::fprintf(stderr, "our VNNI kernel does not run here (no AVX-512 VNNI, or BIOFORGE_INT8_PRODUCTS=onednn): nothing to compare\n");
        return 1;
    }
    c10::InferenceMode guard;
    at::manual_seed(1);
    std::printf("%s; LibTorch's loops on %d threads\n", qPrintable(int8ProductsDescription()), parallelLoopThreads());
    struct Shape {
        const char* model;
        int64_t rows, in, out;
        Int8Activation activation = Int8Activation::None; // with one: rounded for the next product
    };
    const int64_t esm = kEsm2_150M.hidden, dnabert = 768;
    const Shape shapes[] = {{"ESM-2 150M q/k/v", 8 * 168, esm, 3 * esm}, {"ESM-2 150M out", 8 * 168, esm, esm},
                            {"ESM-2 150M fc1", 8 * 168, esm, 4 * esm, Int8Activation::Gelu},   {"ESM-2 150M fc2", 8 * 168, 4 * esm, esm},
                            {"DNABERT-S Wqkv", 32 * 67, dnabert, 3 * dnabert}, {"DNABERT-S out", 32 * 67, dnabert, dnabert},
                            {"DNABERT-S gated", 32 * 67, dnabert, 8 * dnabert, Int8Activation::GatedGelu}, {"DNABERT-S wo", 32 * 67, 4 * dnabert, dnabert}};
    double oursTotal = 0, theirsTotal = 0;
    for (const Shape& s : shapes) {
        const at::Tensor w = at::randn({s.out, s.in}) * 0.05, bias = at::randn({s.out});
        const Int8Weights ours = Int8Weights::pack(w), theirs = Int8Weights::pack(w, Int8Kernel::OneDnn);
        const Int8Rows x = int8Round(at::randn({s.rows, s.in}));
        at::Tensor a, b;
        auto layer = [&](const Int8Weights& weights) {
            if (s.activation == Int8Activation::None)
                return int8Linear(x, weights, bias);
            return int8LinearRounded(x, weights, bias, s.activation).q;
        };
        const auto [tOurs, tTheirs] = alternate([&] { a = layer(ours); }, [&] { b = layer(theirs); }, reps);
        const double macs = double(s.rows) * double(s.in) * double(s.out);
        std::printf("%-17s [%lld × %lld] · [%lld × %lld]: ours %.2f ms (%.0f G MAC/s), oneDNN %.2f ms (%.0f G MAC/s): %.2f×%s\n", s.model,
                    (long long)s.rows, (long long)s.in, (long long)s.in, (long long)s.out, tOurs * 1e3, macs / tOurs * 1e-9, tTheirs * 1e3,
                    macs / tTheirs * 1e-9, tTheirs / tOurs, at::equal(a, b) ? "" : "  RESULTS DIFFER");
        oursTotal += tOurs;
        theirsTotal += tTheirs;
    }
    std::printf("%d threads, median of %ld alternating, sums of the medians: ours %.2f ms, oneDNN %.2f ms (%.2f×)\n", threads, reps, oursTotal * 1e3,
                theirsTotal * 1e3, theirsTotal / oursTotal);
    return 0;
}

} // namespace bioforge::bench
