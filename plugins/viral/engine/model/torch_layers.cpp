#include <ATen/ATen.h>

#include "model/torch_layers.h"

#include "model/encoder_precision.h"
#include "model/gelu_kernels.h"

#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/version.h>

#include <QStringList>
#include <QtGlobal>

#include <algorithm>
#include <array>
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

c10::IValue callQuantizedOp(const char* name, std::vector<c10::IValue> stack)
{
    c10::Dispatcher::singleton().findSchemaOrThrow(name, "").callBoxed(&stack);
    return std::move(stack.at(0));
}

// Whether the selected engine's int8 product saturates 8-bit activations: without VNNI, oneDNN and
// FBGEMM sum u8 × s8 pairs with vpmaddubsw, whose int16 result saturates at 32767 (255 × 127 × 2 =
// 64770). x all 1 rounds to 255 (scale 1/255), w all 1 to 127: the exact product is 64 per
// output, a saturating kernel gives about half.
bool eightBitActivationsSaturate()
{
    try {
        // A tiny product and one of the encoders' shapes (oneDNN picks its kernel by shape).
        for (const auto& [rows, in, out] : {std::array<int64_t, 3>{4, 64, 16}, std::array<int64_t, 3>{338, 640, 1920}}) {
            const Int8Weights w = Int8Weights::pack(at::ones({out, in}));
            const at::Tensor y = callQuantizedOp("quantized::linear_dynamic", {at::ones({rows, in}), w.packed, false}).toTensor();
            if ((y - double(in)).abs().max().item<double>() > 0.5)
                return true;
        }
        return false;
    } catch (const std::exception&) {
        return true; // 7 bits are safe whatever the kernels
    }
}

} // namespace

core::Status selectInt8Engine()
{
    static const core::Status chosen = []() -> core::Status {
        const auto& offered = at::globalContext().supportedQEngines();
        for (const at::QEngine engine : {at::kONEDNN, at::kFBGEMM})
            if (std::find(offered.begin(), offered.end(), engine) != offered.end()) {
                at::globalContext().setQEngine(engine);
                c10::InferenceMode guard;
                g_reduceRange = qgetenv("BIOFORGE_INT8_ACTIVATION_BITS") == "7" || eightBitActivationsSaturate();
                return core::okStatus();
            }
        QStringList names;
        for (const at::QEngine engine : offered)
            names << QString::fromStdString(c10::toString(engine));
        return Error(QStringLiteral("int8 needs LibTorch's oneDNN or FBGEMM quantized kernels; this LibTorch (%1) has %2")
                         .arg(QLatin1String(TORCH_VERSION), names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
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
    return QStringLiteral("LibTorch %1 %2, %3")
        .arg(QLatin1String(TORCH_VERSION), QString::fromStdString(c10::toString(at::globalContext().qEngine())),
             g_reduceRange ? QStringLiteral("7-bit activations (8-bit pairs saturate its kernels here, or BIOFORGE_INT8_ACTIVATION_BITS=7)")
                           : QStringLiteral("8-bit activations (its kernels sum 8-bit pairs exactly here)"));
}

QString int8ProductsKey()
{
    if (!selectInt8Engine())
        return QStringLiteral("unavailable");
    return QString::fromStdString(c10::toString(at::globalContext().qEngine())) + (g_reduceRange ? QStringLiteral("/u7") : QStringLiteral("/u8"));
}

core::Status int8Precision(const at::Device& device)
{
    if (!device.is_cpu())
        return Error(QStringLiteral("precision int8 runs on the CPU only (LibTorch's int8 kernels are CPU kernels); on %1 choose fp32 or bf16")
                         .arg(QString::fromStdString(device.str())));
    return selectInt8Engine();
}

Int8Weights Int8Weights::pack(const at::Tensor& weight)
{
    const at::Tensor w = weight.to(at::kFloat).contiguous();
    const at::Tensor scales = at::clamp_min(w.abs().amax({1}).to(at::kDouble) / 127.0, 1e-12);
    const at::Tensor zeros = at::zeros({w.size(0)}, at::TensorOptions().dtype(at::kLong));
    const at::Tensor q = at::quantize_per_channel(w, scales, zeros, 0, at::kQInt8);
    return {callQuantizedOp("quantized::linear_prepack", {q, c10::IValue()}), q.dequantize().sum(1).contiguous()};
}

at::Tensor int8Linear(const at::Tensor& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& padding)
{
    const bool batched = x.dim() == 3;
    const at::Tensor x3 = batched ? x : x.reshape({1, -1, x.size(-1)});
    const int64_t B = x3.size(0), T = x3.size(1), in = x3.size(2), out = weights.rowSums.size(0);
    const bool padded = batched && padding.defined();
    // Each sequence's range over its real tokens → midpoint m and half-range r: the rows' minima
    // and maxima in one pass, padding rows' left out, then over the rows ([B, T] → [B]).
    auto [rowMin, rowMax] = at::aminmax(x3, 2);
    const bool nonFinite = !(at::isfinite(rowMin).all().item<bool>() && at::isfinite(rowMax).all().item<bool>()); // any row, padding too
    if (padded) {
        rowMin = rowMin.masked_fill(padding, std::numeric_limits<float>::infinity());
        rowMax = rowMax.masked_fill(padding, -std::numeric_limits<float>::infinity());
    }
    // A sequence of padding only, or with a non-finite value, gets a finite range (its own
    // result is then meaningless; the clamp below keeps its batch mates' rounding unchanged).
    const at::Tensor lo = at::nan_to_num(rowMin.amin(1), 0, 0, 0), hi = at::nan_to_num(rowMax.amax(1), 0, 0, 0);
    // The extremes land a quarter step inside ±1, not on ±1 (±127.5 steps from the zero point: a
    // rounding tie, which kernels break differently).
    const double inside = 1.0 - 0.5 / (g_reduceRange ? 127.0 : 255.0);
    const at::Tensor mid = ((lo + hi) / 2).view({B, 1, 1});
    const at::Tensor half = ((hi - lo) / (2 * inside)).clamp_min(1e-30).view({B, 1, 1});
    // x' = x / r − m / r in one pass, padding rows 0 (their factors 0). Values past ±1 come only
    // from a non-finite value (in any row: rowMin and rowMax saw them all) or from float rounding of
    // a range tiny against its midpoint; then NaN becomes 0 and the rest is clamped to ±1, so the
    // product's range stays [−1, 1] for the batch mates.
    at::Tensor scale = half.reciprocal(), shift = -mid / half;
    if (padded) {
        const at::Tensor real = padding.logical_not().to(at::kFloat).unsqueeze(-1);
        scale = scale * real;
        shift = shift * real;
    }
    at::Tensor normalised = at::empty({B * T + 2, in}, x3.options());
    at::Tensor body = normalised.slice(0, 0, B * T).view({B, T, in});
    at::addcmul_out(body, shift, x3, scale);
    const bool tinyRange = (hi - lo < 1e-3 * (hi.abs() + lo.abs())).any().item<bool>();
    if (nonFinite || tinyRange)
        body.nan_to_num_(0.0, 1.0, -1.0).clamp_(-1.0, 1.0);
    normalised[B * T].fill_(1.0);
    normalised[B * T + 1].fill_(-1.0);
    const at::Tensor product = callQuantizedOp("quantized::linear_dynamic", {normalised, weights.packed, g_reduceRange}).toTensor();
    // y = r · product + (m · rowSums + bias)
    at::Tensor offset = mid * weights.rowSums.view({1, 1, out});
    if (bias.defined())
        offset = offset + bias.view({1, 1, out});
    at::Tensor y = at::addcmul(offset, product.slice(0, 0, B * T).view({B, T, out}), half);
    if (batched)
        return y;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = out;
    return y.view(shape);
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
