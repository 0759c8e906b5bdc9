#include <ATen/ATen.h>

#include "model/esm2_rotary.h"

#include "model/torch_parallel.h"

#include <algorithm>
#include <type_traits>

// This file is compiled without FMA contraction and with GCC's dynamic vectoriser cost model
// (plugins/viral/CMakeLists.txt): the same bits as LibTorch's operations (tst_esm2_model).

namespace bioforge::viral {

// x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (non-interleaved halves).
at::Tensor applyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin)
{
    const auto halves = x.chunk(2, -1);
    return x * cos + at::cat({-halves[1], halves[0]}, -1) * sin;
}

// cos and sin of the rotary angles for positions 0 … T-1: [T, headSize].
std::pair<at::Tensor, at::Tensor> rotaryTables(const at::Tensor& invFreq, int64_t T)
{
    const at::Tensor positions = at::arange(T, at::TensorOptions().dtype(at::kFloat).device(invFreq.device()));
    const at::Tensor freqs = at::outer(positions, invFreq);
    const at::Tensor angles = at::cat({freqs, freqs}, -1);
    return {angles.cos(), angles.sin()};
}

namespace {

// y = x·cos + rotate_half(x)·sin over one head's D = 2·half values, rotate_half(x) = [−x2, x1]:
// float32, a clone for AVX-512 (16 lanes) beside the baseline one, picked at load. This file is
// compiled without FMA contraction: each product and sum rounds as LibTorch's operations do.
#if defined(__x86_64__) && defined(__GLIBC__) // target_clones needs ifunc
#define BIOFORGE_AVX512_CLONE __attribute__((target_clones("avx512f", "default")))
#else
#define BIOFORGE_AVX512_CLONE
#endif
BIOFORGE_AVX512_CLONE void rotateHead(const float* __restrict x, const float* __restrict c, const float* __restrict s, float* __restrict y,
                                      int64_t half)
{
    for (int64_t i = 0; i < half; ++i) {
        const float x1 = x[i], x2 = x[i + half];
        y[i] = x1 * c[i] - x2 * s[i];
        y[i + half] = x2 * c[i + half] + x1 * s[i + half];
    }
}

} // namespace

template <typename Scalar>
std::array<at::Tensor, 3> splitRotate(const at::Tensor& qkv, const at::Tensor& cos, const at::Tensor& sin, int64_t heads, int64_t D)
{
    const int64_t B = qkv.size(0), T = qkv.size(1), width = heads * D, half = D / 2;
    const at::Tensor in = qkv.contiguous();
    std::array<at::Tensor, 3> out;
    for (at::Tensor& o : out)
        o = at::empty({B, heads, T, D}, in.options());
    const auto* src = in.data_ptr<Scalar>();
    const float* c = cos.data_ptr<float>();
    const float* s = sin.data_ptr<float>();
    Scalar* dst[3] = {out[0].data_ptr<Scalar>(), out[1].data_ptr<Scalar>(), out[2].data_ptr<Scalar>()};
    at::parallel_for(0, B * T, 8, [&](int64_t begin, int64_t end) {
        for (int64_t bt = begin; bt < end; ++bt) {
            const int64_t b = bt / T, t = bt % T;
            const Scalar* row = src + bt * 3 * width;
            const float* ct = c + t * D;
            const float* st = s + t * D;
            for (int part = 0; part < 3; ++part)
                for (int64_t h = 0; h < heads; ++h) {
                    const Scalar* x = row + part * width + h * D;
                    Scalar* y = dst[part] + ((b * heads + h) * T + t) * D;
                    if (part == 2) {
                        std::copy(x, x + D, y);
                        continue;
                    }
                    if constexpr (std::is_same_v<Scalar, float>) {
                        rotateHead(x, ct, st, y, half);
                        continue;
                    }
                    // x·cos + rotate_half(x)·sin, rotate_half(x) = [−x2, x1]
                    for (int64_t i = 0; i < half; ++i) {
                        const float x1 = float(x[i]), x2 = float(x[i + half]);
                        y[i] = Scalar(x1 * ct[i] - x2 * st[i]);
                        y[i + half] = Scalar(x2 * ct[i + half] + x1 * st[i + half]);
                    }
                }
        }
    });
    return out;
}


template std::array<at::Tensor, 3> splitRotate<float>(const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t, int64_t);
template std::array<at::Tensor, 3> splitRotate<at::BFloat16>(const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t, int64_t);

} // namespace bioforge::viral
