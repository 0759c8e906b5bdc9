#include <ATen/ATen.h>

// How EncoderPrecision::Int8 runs here (torch_int8.h): the engine's self-test, the activations'
// bits, and the words provenance and the result key give it. The layers are torch_int8.cpp.

#include "model/torch_int8.h"

#include "model/encoder_precision.h"
#include "model/gelu_kernels.h"
#include "model/int8_matmul.h"
#include "model/torch_layers.h" // fusedAttentionRuns

#include <QtGlobal>

#include <algorithm>
#include <array>
#include <vector>

namespace bioforge::viral {

using core::Error;

namespace {

bool g_reduceRange = true; // set by selectInt8Engine

// Whether oneDNN's int8 product saturates 8-bit activations: without VNNI its kernels sum u8 × s8
// pairs with vpmaddubsw, whose int16 result saturates at 32767 (255 × 127 × 2 = 64770). All
// activations 255 by all weights 127 must give exactly 255 · 127 · in. oneDNN's own failure is
// an error (int8 is then unavailable, before any run starts).
core::Expected<bool> eightBitActivationsSaturate()
{
    // A tiny product and one of the encoders' shapes (oneDNN picks its kernel by shape).
    for (const auto& [rows, in, out] : {std::array<int64_t, 3>{4, 64, 16}, std::array<int64_t, 3>{338, 640, 1920}}) {
        const std::vector<int8_t> w(size_t(out * in), 127);
        const std::vector<uint8_t> q(size_t(rows * in), 255);
        std::vector<int32_t> p(size_t(rows * out), 0);
        const auto product = Int8Matmul::pack(w.data(), out, in);
        if (!product)
            return product.error();
        if (auto st = (*product)->run(q.data(), rows, p.data()); !st)
            return st.error();
        const int64_t exact = 255 * 127 * in; // (a structured binding: C++17 lambdas cannot capture it)
        if (std::any_of(p.begin(), p.end(), [exact](int32_t v) { return v != exact; }))
            return true;
    }
    return false;
}

} // namespace

core::Status selectInt8Engine()
{
    static const core::Status chosen = []() -> core::Status {
        if (auto st = int8MatmulStatus(); !st)
            return st;
        const auto saturates = eightBitActivationsSaturate();
        if (!saturates)
            return Error(QStringLiteral("precision int8: oneDNN's self-test failed: %1").arg(saturates.error().message()));
        g_reduceRange = qgetenv("BIOFORGE_INT8_ACTIVATION_BITS") == "7" || *saturates;
        return core::okStatus();
    }();
    return chosen;
}

bool int8ReducedRange()
{
    (void)selectInt8Engine(); // sets g_reduceRange (7 bits where int8 cannot run: nothing uses it then)
    return g_reduceRange;
}

QString int8ProductsDescription()
{
    if (auto st = selectInt8Engine(); !st)
        return st.error().message();
    // The encoders' widths are multiples of 4: where the VNNI kernel runs it takes all their products.
    const QString products = int8VnniProducts(4, 4)
                                 ? QStringLiteral("products on our AVX-512 VNNI kernel (vpdpbusd, 12 × 32 tiles; %1 for widths not a multiple of 4)")
                                       .arg(int8MatmulImplementation())
                                 : int8MatmulImplementation();
    return QStringLiteral("%1; per-token rounding, %2; %3")
        .arg(products,
             g_reduceRange ? QStringLiteral("7-bit activations (8-bit pairs saturate its kernels here, or BIOFORGE_INT8_ACTIVATION_BITS=7)")
                           : QStringLiteral("8-bit activations (its kernels sum 8-bit pairs exactly here)"),
             fusedAttentionRuns() ? QStringLiteral("attention fused per (sequence, head)") : QStringLiteral("attention on LibTorch's operations"))
        + QStringLiteral("; residual sums, LayerNorms and rounding in the products' epilogues");
}

QString int8ProductsKey()
{
    if (!selectInt8Engine())
        return QStringLiteral("unavailable");
    // The products are exact int32 sums: results depend on the rounding and the bits, not on
    // which kernel ran (ours on AVX-512 VNNI or one of oneDNN's); the fused GELU is libmvec's vector erf on AVX-512, std::erf
    // elsewhere (within 4 ulp): "+v512" keeps the two apart.
    // "+fused-attention": the attention's own kernel (attention_kernels.h, where it runs:
    // fusedAttentionRuns; its sums and exp differ from LibTorch's products and softmax).
    // "token": per-token rounding (stop 37's was per sequence). "+norm-epilogue": the LayerNorms
    // between int8 products run in the products' epilogues on layerNormRow (int8_kernels.h; its
    // sums' order differs from at::layer_norm's).
    return (g_reduceRange ? QStringLiteral("token-u7") : QStringLiteral("token-u8")) + QStringLiteral("+norm-epilogue") +
           (fusedAttentionRuns() ? QStringLiteral("+fused-attention") : QString()) + (geluVectorKernels() ? QStringLiteral("+v512") : QString());
}

core::Status int8Precision(const at::Device& device)
{
    if (!device.is_cpu())
        return Error(QStringLiteral("precision int8 runs on the CPU only (its int8 kernels, ours and oneDNN's, are CPU kernels); on %1 choose fp32 or bf16")
                         .arg(QString::fromStdString(device.str())));
    return selectInt8Engine();
}

} // namespace bioforge::viral
