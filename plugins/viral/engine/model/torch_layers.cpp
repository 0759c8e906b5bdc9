#include <ATen/ATen.h>

#include "model/torch_layers.h"

#include "model/attention_kernels.h"
#include "model/encoder_precision.h"
#include "model/gelu_kernels.h"
#include "model/int8_kernels.h"
#include "model/int8_matmul.h"

#include <ATen/Parallel.h>

#include <QtGlobal>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace bioforge::viral {

using core::Error;

bool widensBFloat16Products(const at::Tensor& x)
{
    static const bool nativeKernels = cpuHasBFloat16Tiles();
    return x.scalar_type() == at::kBFloat16 && x.device().is_cpu() && !nativeKernels;
}

at::Tensor bfloat16Linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias)
{
    if (!widensBFloat16Products(x))
        return at::linear(x, weight, bias);
    return at::linear(x.to(at::kFloat), weight.to(at::kFloat), bias.defined() ? bias.to(at::kFloat) : bias).to(at::kBFloat16);
}

at::Tensor bfloat16Matmul(const at::Tensor& a, const at::Tensor& b)
{
    if (!widensBFloat16Products(a))
        return at::matmul(a, b);
    return at::matmul(a.to(at::kFloat), b.to(at::kFloat)).to(at::kBFloat16);
}

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

// The int8 rounding's levels: 255 steps (8-bit activations) or 127.
float int8Levels() { return int8ReducedRange() ? 127.0f : 255.0f; }

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
    return QStringLiteral("%1; per-sequence rounding, %2; attention fused per (sequence, head)")
        .arg(int8MatmulImplementation(),
             g_reduceRange ? QStringLiteral("7-bit activations (8-bit pairs saturate its kernels here, or BIOFORGE_INT8_ACTIVATION_BITS=7)")
                           : QStringLiteral("8-bit activations (its kernels sum 8-bit pairs exactly here)"));
}

QString int8ProductsKey()
{
    if (!selectInt8Engine())
        return QStringLiteral("unavailable");
    // The products are exact int32 sums: results depend on the rounding and the bits, not on
    // which of oneDNN's kernels ran; the fused GELU is libmvec's vector erf on AVX-512, std::erf
    // elsewhere (within 4 ulp): "+v512" keeps the two apart.
    // "+fused-attention": the attention's own kernel (attention_kernels.h; its sums and exp differ
    // from LibTorch's products and softmax, which int8 results before it used).
    return (g_reduceRange ? QStringLiteral("sequence-u7") : QStringLiteral("sequence-u8")) + QStringLiteral("+fused-attention") +
           (geluVectorKernels() ? QStringLiteral("+v512") : QString());
}

core::Status int8Precision(const at::Device& device)
{
    if (!device.is_cpu())
        return Error(QStringLiteral("precision int8 runs on the CPU only (its int8 kernels are oneDNN's CPU kernels); on %1 choose fp32 or bf16")
                         .arg(QString::fromStdString(device.str())));
    return selectInt8Engine();
}

Int8Weights Int8Weights::pack(const at::Tensor& weight)
{
    const at::Tensor w = weight.to(at::kFloat).contiguous();
    const at::Tensor scales = at::clamp_min(w.abs().amax({1}) / 127.0f, 1e-12f);
    const at::Tensor q = at::clamp(at::round(w / scales.unsqueeze(1)), -127, 127).to(at::kChar).contiguous();
    auto product = Int8Matmul::pack(q.data_ptr<int8_t>(), q.size(0), q.size(1));
    TORCH_CHECK(product, product ? "" : product.error().message().toStdString());
    return {*product, scales.contiguous(), (scales * q.sum(1, false, at::kFloat)).contiguous()};
}

at::Tensor int8Linear(const at::Tensor& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& padding, Int8Activation activation)
{
    const at::Tensor x3 = (x.dim() == 3 ? x : x.reshape({1, -1, x.size(-1)})).to(at::kFloat).contiguous();
    const int64_t B = x3.size(0), T = x3.size(1), in = x3.size(2), out = weights.product->out(), rows = B * T;
    TORCH_CHECK(in == weights.product->in(), "int8 product: input of ", in, " features for weights of ", weights.product->in());
    TORCH_CHECK(!bias.defined() || bias.numel() == out, "int8 product: a bias of ", bias.numel(), " values for ", out, " outputs");
    const bool gated = activation == Int8Activation::GatedGelu;
    TORCH_CHECK(!gated || out % 2 == 0, "int8 product: a gated GELU needs an even width, not ", out);
    const int64_t width = gated ? out / 2 : out;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = width;
    if (rows == 0)
        return at::empty(shape, x3.options());
    const at::Tensor pad = padding.defined() && x.dim() == 3 ? padding.to(at::kBool).contiguous() : at::zeros({B, T}, at::kBool);
    TORCH_CHECK(pad.dim() == 2 && pad.size(0) == B && pad.size(1) == T, "int8 product: padding of ", pad.sizes(), " for a batch of ", B, " × ", T);
    const bool* isPad = pad.data_ptr<bool>();
    const float* xs = x3.data_ptr<float>();
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(in, 1));
    // Padding rows are left out of the product (the official DNABERT-S code unpads likewise);
    // their outputs are zeros. real: the rows that go in, in order.
    std::vector<int64_t> real;
    real.reserve(size_t(rows));
    for (int64_t r = 0; r < rows; ++r)
        if (!isPad[r])
            real.push_back(r);
    const int64_t n = int64_t(real.size());
    at::Tensor y = at::empty({B, T, width}, x3.options());
    for (int64_t r = 0; r < rows; ++r)
        if (isPad[r])
            std::fill_n(y.data_ptr<float>() + r * width, width, 0.0f);
    if (n == 0)
        return y.view(shape);
    // Each real row's range, then each sequence's over its finite rows.
    std::vector<RowRange> ranges(static_cast<size_t>(rows));
    at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            ranges[size_t(real[size_t(i)])] = rowRange(xs + real[size_t(i)] * in, size_t(in));
    });
    const float levels = int8Levels();
    std::vector<float> lo(size_t(B), 0.0f), step(size_t(B), 1.0f), inverse(size_t(B), 1.0f);
    for (int64_t b = 0; b < B; ++b) {
        float mn = std::numeric_limits<float>::infinity(), mx = -mn;
        for (int64_t t = 0; t < T; ++t)
            if (const RowRange& r = ranges[size_t(b * T + t)]; !isPad[b * T + t] && r.finite) {
                mn = std::min(mn, r.lo);
                mx = std::max(mx, r.hi);
            }
        if (mn > mx) // no real finite row: anything finite
            mn = mx = 0.0f;
        // A constant sequence (or a range below float32's resolution) rounds to q = 0: exact.
        const float s = std::max(float((double(mx) - double(mn)) / levels), std::numeric_limits<float>::min());
        lo[size_t(b)] = mn;
        step[size_t(b)] = std::isfinite(s) ? s : std::numeric_limits<float>::max();
        inverse[size_t(b)] = 1.0f / step[size_t(b)];
    }
    at::Tensor q = at::empty({n, in}, at::TensorOptions().dtype(at::kByte));
    uint8_t* qs = q.data_ptr<uint8_t>();
    at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t r = real[size_t(i)];
            const size_t b = size_t(r / T);
            quantizeRow(xs + r * in, qs + i * in, size_t(in), lo[b], inverse[b], levels);
        }
    });
    // The int32 sums land in y's storage and are scaled back in place (gated, or with padding
    // rows left out: in a buffer of their own, kept per thread — DNABERT-S's gated product's
    // 2144 × 6144 sums are above glibc's largest mmap threshold, so a fresh buffer each call
    // cost page faults and the kernel's zeroing of every page).
    const bool inPlace = !gated && n == rows;
    thread_local std::vector<float> scratch;
    if (!inPlace && scratch.size() < size_t(n * out))
        scratch.resize(size_t(n * out));
    float* ss = inPlace ? y.data_ptr<float>() : scratch.data();
    float* ys = y.data_ptr<float>();
    if (auto st = weights.product->run(qs, n, reinterpret_cast<int32_t*>(ss)); !st)
        TORCH_CHECK(false, st.error().message().toStdString());
    const float* scales = weights.scales.data_ptr<float>();
    const float* rowSums = weights.rowSums.data_ptr<float>();
    const at::Tensor b32 = bias.defined() ? bias.to(at::kFloat).contiguous() : at::Tensor();
    const float* bs = b32.defined() ? b32.data_ptr<float>() : nullptr;
    at::parallel_for(0, n, std::max<int64_t>(1, 16384 / std::max<int64_t>(out, 1)), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t r = real[size_t(i)];
            float* sr = ss + i * out;
            float* yr = ys + r * width;
            if (!ranges[size_t(r)].finite) {
                std::fill_n(yr, width, std::numeric_limits<float>::quiet_NaN());
                continue;
            }
            const int32_t* p = reinterpret_cast<const int32_t*>(sr);
            const size_t b = size_t(r / T);
            if (gated) {
                int8Epilogue(p, sr, size_t(out), step[b], lo[b], scales, rowSums, bs);
                geluFloat(sr, sr + width, yr, size_t(width));
                continue;
            }
            int8Epilogue(p, yr, size_t(out), step[b], lo[b], scales, rowSums, bs);
            if (activation == Int8Activation::Gelu)
                geluFloat(yr, nullptr, yr, size_t(out));
        }
    });
    return y.view(shape);
}

at::Tensor TorchLinear::gelu(const at::Tensor& x, const at::Tensor& padding) const
{
    return int8Weights ? int8Linear(x, *int8Weights, bias, padding, Int8Activation::Gelu) : geluErf((*this)(x, padding));
}

at::Tensor TorchLinear::gatedGelu(const at::Tensor& x, const at::Tensor& padding) const
{
    if (int8Weights)
        return int8Linear(x, *int8Weights, bias, padding, Int8Activation::GatedGelu);
    const at::Tensor g = (*this)(x, padding);
    return geluGate(g, g.size(-1) / 2);
}

at::Tensor fusedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale, const at::Tensor& slopes,
                          const at::Tensor& keyPadding, const at::Tensor& cos, const at::Tensor& sin)
{
    TORCH_CHECK(q.dim() == 4 && k.sizes() == q.sizes() && v.sizes() == q.sizes(), "fusedAttention: q, k and v must be [B, T, heads, D] alike, got ",
                q.sizes(), ", ", k.sizes(), ", ", v.sizes());
    TORCH_CHECK(k.strides() == q.strides() && v.strides() == q.strides() && q.stride(3) == 1,
                "fusedAttention: q, k and v must share one layout with contiguous heads");
    for (const at::Tensor* t : {&q, &k, &v})
        TORCH_CHECK(t->scalar_type() == at::kFloat && t->device().is_cpu(), "fusedAttention: float32 tensors on the CPU expected");
    const int64_t B = q.size(0), T = q.size(1), heads = q.size(2), D = q.size(3);
    TORCH_CHECK(!slopes.defined() || (slopes.scalar_type() == at::kFloat && slopes.numel() == heads),
                "fusedAttention: one float32 ALiBi slope per head expected");
    TORCH_CHECK(!keyPadding.defined() || keyPadding.sizes() == at::IntArrayRef({B, T}), "fusedAttention: key padding must be [B, T]");
    TORCH_CHECK(cos.defined() == sin.defined(), "fusedAttention: rotary tables come in pairs (cos and sin)");
    const bool rotary = cos.defined();
    TORCH_CHECK(!rotary || (D % 2 == 0 && cos.sizes() == at::IntArrayRef({T, D}) && sin.sizes() == cos.sizes() && cos.scalar_type() == at::kFloat &&
                            sin.scalar_type() == at::kFloat),
                "fusedAttention: rotary tables must be float32 [T, D] with D even");
    const at::Tensor cosValues = rotary ? cos.contiguous().cpu() : at::Tensor(), sinValues = rotary ? sin.contiguous().cpu() : at::Tensor();
    at::Tensor out = at::empty({B, T, heads * D}, q.options());
    if (out.numel() == 0)
        return out;
    const at::Tensor slopeValues = slopes.defined() ? slopes.contiguous().cpu() : at::Tensor();
    const at::Tensor padding = keyPadding.defined() ? keyPadding.to(at::kByte).contiguous().cpu() : at::Tensor();
    AttentionProblem p;
    p.tokens = T;
    p.headSize = D;
    p.q = q.data_ptr<float>();
    p.k = k.data_ptr<float>();
    p.v = v.data_ptr<float>();
    p.in = {q.stride(0), q.stride(1), q.stride(2)};
    p.out = out.data_ptr<float>();
    p.outLayout = {T * heads * D, heads * D, D};
    p.scale = float(scale);
    p.slopes = slopeValues.defined() ? slopeValues.data_ptr<float>() : nullptr;
    p.keyPadding = padding.defined() ? padding.data_ptr<uint8_t>() : nullptr;
    p.cos = rotary ? cosValues.data_ptr<float>() : nullptr;
    p.sin = rotary ? sinValues.data_ptr<float>() : nullptr;
    at::parallel_for(0, B * heads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t bh = begin; bh < end; ++bh)
            attendHead(p, bh / heads, bh % heads);
    });
    return out;
}

core::Expected<TorchLinear> TorchLinear::read(const TorchWeights& w, const std::string& name, int64_t out, int64_t in, bool withBias)
{
    TorchLinear l;
    auto weight = w.get(name + ".weight", {out, in});
    if (!weight)
        return weight.error();
    l.weight = *weight;
    if (withBias) {
        auto bias = w.get(name + ".bias", {out});
        if (!bias)
            return bias.error();
        l.bias = *bias;
    }
    return l;
}

core::Expected<TorchLayerNorm> TorchLayerNorm::read(const TorchWeights& w, const std::string& name, int64_t width, double eps)
{
    TorchLayerNorm n;
    n.eps = eps;
    auto weight = w.get(name + ".weight", {width});
    if (!weight)
        return weight.error();
    auto bias = w.get(name + ".bias", {width});
    if (!bias)
        return bias.error();
    n.weight = *weight;
    n.bias = *bias;
    return n;
}

namespace {

// y = gelu(a) [· b] over `rows` rows of `width` elements; a row of a (and b) starts every
// `stride` elements, a row of y every `width`. Rows are shared among LibTorch's threads.
template<typename T, typename Kernel>
void geluRows(const T* a, const T* b, T* y, int64_t rows, int64_t width, int64_t stride, Kernel kernel)
{
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(width, 1));
    at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            kernel(a + r * stride, b ? b + r * stride : nullptr, y + r * width, size_t(width));
    });
}

bool vectorGelu(const at::Tensor& x)
{
    return geluVectorKernels() && x.is_contiguous() && x.device().is_cpu() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16);
}

// c10::BFloat16 is a uint16_t of the float's upper half: the kernels' bfloat16.
const uint16_t* bf16(const at::Tensor& t) { return reinterpret_cast<const uint16_t*>(t.data_ptr<at::BFloat16>()); }
uint16_t* bf16(at::Tensor& t) { return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>()); }

} // namespace

at::Tensor geluErf(const at::Tensor& x)
{
    // A contiguous bfloat16 GELU LibTorch hands to oneDNN's JIT eltwise kernel, as fast as ours
    // (ESM-2 bf16: the same CPU time over 6 batches, perf); float32 it runs on SLEEF's 8-lane erf.
    // Where the bfloat16 products are widened (no AMX bfloat16 tiles) LibTorch's bfloat16 GELU is SLEEF's
    // 8-lane erf, not oneDNN's (6 % of a bf16 ESM-2 batch on a Zen 3): the float32 one, rounded once.
    if (widensBFloat16Products(x) && !vectorGelu(x))
        return at::gelu(x.to(at::kFloat)).to(at::kBFloat16);
    if (!vectorGelu(x) || x.numel() == 0 || x.scalar_type() != at::kFloat)
        return at::gelu(x);
    at::Tensor y = at::empty_like(x);
    const int64_t width = x.dim() > 0 ? x.size(-1) : 1, rows = x.numel() / width;
    geluRows(x.data_ptr<float>(), static_cast<const float*>(nullptr), y.data_ptr<float>(), rows, width, width, geluFloat);
    return y;
}

at::Tensor geluGate(const at::Tensor& g, int64_t I)
{
    if (widensBFloat16Products(g) && !vectorGelu(g)) { // as in geluErf: float32, rounded once
        const at::Tensor f = g.to(at::kFloat);
        return (at::gelu(f.slice(-1, 0, I)) * f.slice(-1, I, 2 * I)).to(at::kBFloat16);
    }
    if (!vectorGelu(g) || g.numel() == 0 || g.size(-1) != 2 * I)
        return at::gelu(g.slice(-1, 0, I)) * g.slice(-1, I, 2 * I);
    std::vector<int64_t> shape = g.sizes().vec();
    shape.back() = I;
    at::Tensor y = at::empty(shape, g.options());
    const int64_t rows = g.numel() / (2 * I);
    if (g.scalar_type() == at::kFloat) {
        const float* a = g.data_ptr<float>();
        geluRows(a, a + I, y.data_ptr<float>(), rows, I, 2 * I, geluFloat);
    } else {
        const uint16_t* a = bf16(g);
        geluRows(a, a + I, bf16(y), rows, I, 2 * I, geluBFloat16);
    }
    return y;
}

void PartReader::tensor(const std::string& name, const std::vector<int64_t>& shape, at::Tensor& out)
{
    if (!m_status)
        return;
    if (auto t = m_weights.get(name, shape))
        out = *t;
    else
        m_status = t.error();
}

void PartReader::linear(const std::string& name, int64_t out, int64_t in, TorchLinear& layer, bool withBias)
{
    if (!m_status)
        return;
    if (auto l = TorchLinear::read(m_weights, name, out, in, withBias))
        layer = *l;
    else
        m_status = l.error();
}

void PartReader::norm(const std::string& name, int64_t width, double eps, TorchLayerNorm& layer)
{
    if (!m_status)
        return;
    if (auto n = TorchLayerNorm::read(m_weights, name, width, eps))
        layer = *n;
    else
        m_status = n.error();
}

core::Expected<TokenBatch> padTokenRows(const std::vector<std::vector<int64_t>>& rows, int64_t padId, int64_t vocab)
{
    size_t longest = 0;
    for (const auto& r : rows)
        longest = std::max(longest, r.size());
    if (rows.empty() || longest == 0)
        return Error(QStringLiteral("nothing to run: an empty batch"));
    const auto options = at::TensorOptions().dtype(at::kLong);
    TokenBatch b{at::full({int64_t(rows.size()), int64_t(longest)}, padId, options), at::zeros({int64_t(rows.size()), int64_t(longest)}, options)};
    auto ids = b.ids.accessor<int64_t, 2>();
    auto mask = b.mask.accessor<int64_t, 2>();
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = 0; j < rows[i].size(); ++j) {
            if (rows[i][j] < 0 || rows[i][j] >= vocab)
                return Error(QStringLiteral("row %1, position %2: token id %3 is outside the vocabulary (%4 tokens)")
                        .arg(QString::number(i), QString::number(j), QString::number(rows[i][j]), QString::number(vocab)));
            ids[int64_t(i)][int64_t(j)] = rows[i][j];
            mask[int64_t(i)][int64_t(j)] = 1;
        }
    return b;
}

QString outOfMemoryMessage(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason)
{
    return QStringLiteral("%1 on %2: out of memory for a batch of %3 rows × %4 tokens: %5")
        .arg(QLatin1String(model), QString::fromStdString(device.str()), QString::number(batch.ids.size(0)), QString::number(batch.ids.size(1)),
             QString::fromStdString(reason).section(QLatin1Char('\n'), 0, 0));
}

bool isOutOfMemoryMessage(const std::string& message)
{
    return message.find("out of memory") != std::string::npos || message.find("CUBLAS_STATUS_ALLOC_FAILED") != std::string::npos
           || message.find("hipErrorOutOfMemory") != std::string::npos;
}

void applyTestMemoryLimit(const char* model, const at::Device& device, const TokenBatch& batch, int64_t limit)
{
    if (limit >= 0 && batch.ids.numel() > limit)
        throw EncoderOutOfMemory{outOfMemoryMessage(model, device, batch, "over the test limit of " + std::to_string(limit) + " padded tokens")};
}

} // namespace bioforge::viral
