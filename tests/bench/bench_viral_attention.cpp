// bench_viral attention (see bench_viral.cpp's usage): the int8 layers' fused attention
// (fusedAttention, model/attention_kernels.h) against the LibTorch operations it replaced —
// q·kᵀ, mask or bias, softmax, ·v, transpose back — at the ESM-2 150M and DNABERT-S batch shapes,
// interleaved in one process (the same threads as an int8 run), so that machine noise hits both.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "bench_support.h"
#include "viral_bench_models.h"

#include "model/encoder_precision.h"
#include "model/torch_layers.h"
#include "model/torch_runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

namespace bioforge::bench {

using namespace bioforge::viral;

int benchAttention(const QStringList& args)
{
    const int threads = int(option(args, QStringLiteral("--threads"), 2));
    const long reps = option(args, QStringLiteral("--reps"), 30);
    setTorchThreads(threads, EncoderPrecision::Int8);
    c10::InferenceMode guard;
    at::manual_seed(1);
    { // ESM-2 150M: 8 × 168 tokens, 20 heads of 32; q (pre-scaled), k, v in the fused product's
      // [B, T, 3, heads, D], rotated by the kernel — against the rotation and split as LibTorch's
      // operations (fp32's splitRotate computes the same in one pass) and its attention
        const int64_t B = 8, T = 168, heads = kEsm2_150M.heads, D = kEsm2_150M.hidden / kEsm2_150M.heads;
        const at::Tensor qkv = at::randn({B, T, 3, heads, D}) * 0.5;
        const at::Tensor padding = at::zeros({B, T}, at::kBool).index_put_({B - 1, at::indexing::Slice(T - 20, at::indexing::None)}, true);
        const at::Tensor invFreq = 1.0 / at::pow(10000.0, at::arange(0, D, 2, at::kFloat) / double(D));
        const at::Tensor freqs = at::outer(at::arange(T, at::kFloat), invFreq);
        const at::Tensor angles = at::cat({freqs, freqs}, -1);
        const at::Tensor cos = angles.cos(), sin = angles.sin();
        at::Tensor fused, torch;
        const auto [f, t] = alternate(
            [&] { fused = fusedAttention(qkv.select(2, 0), qkv.select(2, 1), qkv.select(2, 2), 1.0, {}, padding, cos, sin); },
            [&] {
                const at::Tensor parts = qkv.permute({2, 0, 3, 1, 4}); // [3, B, heads, T, D]
                const at::Tensor qk = parts.slice(0, 0, 2);
                const auto halves = qk.chunk(2, -1);
                const at::Tensor rotated = (qk * cos + at::cat({-halves[1], halves[0]}, -1) * sin).contiguous();
                at::Tensor scores = at::matmul(rotated[0], rotated[1].transpose(-1, -2));
                scores.masked_fill_(padding.view({B, 1, 1, T}), -std::numeric_limits<float>::infinity());
                torch = at::matmul(at::softmax(scores, -1), parts[2].contiguous()).transpose(1, 2).reshape({B, T, heads * D});
            },
            reps);
        std::printf("attention, ESM-2 150M layer (%lld × %lld tokens, %lld heads of %lld, rotary), %d threads, median of %ld alternating: "
                    "fused %.2f ms, LibTorch %.2f ms (%.2f×); largest difference %.2g\n",
                    (long long)B, (long long)T, (long long)heads, (long long)D, threads, reps, f * 1e3, t * 1e3, t / f,
                    (fused - torch).abs().max().item<double>());
    }
    { // DNABERT-S: 32 × 68 tokens, 12 heads of 64, ALiBi; q, k, v in place in the fused product's output
        const int64_t B = 32, T = 68, heads = kDnabertS.heads, D = kDnabertS.hidden / kDnabertS.heads;
        const at::Tensor qkv = at::randn({B, T, 3, heads, D});
        std::vector<float> s;
        for (int64_t h = 0; h < heads; ++h)
            s.push_back(float(std::pow(2.0, -8.0 * double(h + 1) / double(heads))));
        const at::Tensor slopes = at::tensor(s);
        const at::Tensor mask = at::ones({B, T}, at::kLong).index_put_({B - 1, at::indexing::Slice(T - 10, at::indexing::None)}, 0);
        const at::Tensor padding = mask.eq(0);
        const double scale = std::sqrt(double(D));
        at::Tensor fused, torch;
        const auto [f, t] = alternate(
            [&] { fused = fusedAttention(qkv.select(2, 0), qkv.select(2, 1), qkv.select(2, 2), 1.0 / scale, slopes, padding); },
            [&] { // as dnabert_model.cpp's float32 path, the bias built per batch
                const at::Tensor positions = at::arange(T);
                const at::Tensor alibi = slopes.view({heads, 1, 1}) * (-(positions.view({1, T}) - positions.view({T, 1})).abs()).unsqueeze(0);
                const at::Tensor bias = ((1.0 - mask.to(at::kFloat)) * -10000.0).view({B, 1, 1, T}) + alibi.unsqueeze(0);
                const at::Tensor q = qkv.select(2, 0).permute({0, 2, 1, 3}), k = qkv.select(2, 1).permute({0, 2, 3, 1});
                const at::Tensor v = qkv.select(2, 2).permute({0, 2, 1, 3});
                torch = at::matmul(at::softmax(at::matmul(q, k) / scale + bias, -1), v).permute({0, 2, 1, 3}).reshape({B, T, heads * D});
            },
            reps);
        const at::Tensor real = mask.unsqueeze(-1).to(at::kFloat);
        std::printf("attention, DNABERT-S layer (%lld × %lld tokens, %lld heads of %lld, ALiBi), %d threads, median of %ld alternating: "
                    "fused %.2f ms, LibTorch %.2f ms (%.2f×); largest difference %.2g\n",
                    (long long)B, (long long)T, (long long)heads, (long long)D, threads, reps, f * 1e3, t * 1e3, t / f,
                    ((fused - torch) * real).abs().max().item<double>());
    }
    return 0;
}

} // namespace bioforge::bench
