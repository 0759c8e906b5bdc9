// What the LibTorch of a GPU machine offers the viral and age engines (issue
// 15, the LibTorch-on-CUDA slice), measured before any of their code is moved:
// its version and C++ ABI, whether CUDA is there and which devices, and the
// difference bf16 and fp16 make against fp32 on a transformer-sized matrix
// product and a softmax (relative max and mean error), with the time of each.
// Built on the device against its own LibTorch (tests/gpu/device-check.sh,
// step 7); Qt-free. Exit 0 with a report, 77 without CUDA.

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <cstdio>

namespace {

double seconds(const std::function<void()>& f, int reps)
{
    f(); // warm-up
    torch::cuda::synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        f();
    torch::cuda::synchronize();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

void compare(const char* what, const torch::Tensor& reference, const torch::Tensor& other)
{
    const auto diff = (other.to(torch::kFloat32) - reference).abs();
    const double scale = reference.abs().max().item<double>();
    std::printf("%-28s max |Δ| %.3e of max |x| %.3e (relative %.3e), mean |Δ| %.3e\n", what, diff.max().item<double>(), scale,
                diff.max().item<double>() / scale, diff.mean().item<double>());
}

} // namespace

int main()
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // line by line: a step its time limit kills keeps what it printed
    std::printf("LibTorch %s, C++11 ABI %d\n", TORCH_VERSION, int(_GLIBCXX_USE_CXX11_ABI));
    if (!torch::cuda::is_available()) {
        std::printf("no CUDA device visible to LibTorch\n");
        return 77;
    }
    std::printf("CUDA devices: %d, cuDNN %s\n", int(torch::cuda::device_count()), torch::cuda::cudnn_is_available() ? "yes" : "no");
    torch::manual_seed(20261201);
    const auto device = torch::Device(torch::kCUDA, 0);
    // ESM-2 3B shape: hidden 2560, a batch of 4 × 512 tokens through one projection.
    const auto x = torch::randn({4 * 512, 2560}, torch::TensorOptions().device(device));
    const auto w = torch::randn({2560, 2560}, torch::TensorOptions().device(device)) / 50.0;
    const auto ref = torch::matmul(x, w);
    for (auto [name, type] : {std::pair{"bf16", torch::kBFloat16}, std::pair{"fp16", torch::kFloat16}}) {
        const auto xl = x.to(type), wl = w.to(type);
        compare((std::string("matmul ") + name).c_str(), ref, torch::matmul(xl, wl));
        compare((std::string("softmax ") + name).c_str(), torch::softmax(ref, -1), torch::softmax(ref.to(type), -1));
        const double t = seconds([&] { (void)torch::matmul(xl, wl); }, 20);
        std::printf("matmul %s: %.3f ms (%.1f TFLOP/s)\n", name, t * 1e3, 2.0 * 4 * 512 * 2560 * 2560 / t / 1e12);
    }
    const double t32 = seconds([&] { (void)torch::matmul(x, w); }, 20);
    std::printf("matmul fp32: %.3f ms (%.1f TFLOP/s)\n", t32 * 1e3, 2.0 * 4 * 512 * 2560 * 2560 / t32 / 1e12);
    return 0;
}
