#include <ATen/ATen.h>

#include "model/torch_layers.h"

#include "model/attention_kernels.h"
#include "model/encoder_precision.h"
#include "model/gelu_kernels.h"
#include "model/int8_kernels.h"

#include "model/torch_parallel.h"

#include <QLocale>
#include <QRegularExpression>
#include <QtGlobal>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

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

at::Tensor TorchLinear::feedForward(const TorchLinear& down, const at::Tensor& x, const at::Tensor& padding, Int8Activation activation) const
{
    if (int8Weights && down.int8Weights) // the activation rounded for `down` in this product's epilogue
        return int8Linear(int8LinearRounded(int8Round(x, padding), *int8Weights, bias, activation), *down.int8Weights, down.bias);
    switch (activation) {
    case Int8Activation::Gelu: return down(gelu(x, padding), padding);
    case Int8Activation::GatedGelu: return down(gatedGelu(x, padding), padding);
    case Int8Activation::None: break;
    }
    return down((*this)(x, padding), padding);
}

bool fusedAttentionRuns() { return int8VectorKernels(); }

int parallelLoopThreads()
{
    std::mutex m;
    std::set<std::thread::id> seen;
    at::parallel_for(0, 1024, 1, [&](int64_t, int64_t) {
        const std::lock_guard<std::mutex> lock(m);
        seen.insert(std::this_thread::get_id());
    });
    return int(seen.size());
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

at::Tensor copyToDevice(const at::Tensor& host, const at::Device& device)
{
    if (!device.is_cuda())
        return host.to(device);
    at::Tensor pinned;
    try {
        pinned = host.pin_memory();
    } catch (const c10::Error&) { // no page-locked memory to be had (a sandbox, a limit): a plain copy
        return host.to(device);
    }
    return pinned.to(device, /*non_blocking=*/true);
}

at::Tensor copyToHost(const at::Tensor& t)
{
    if (!t.is_cuda())
        return t.cpu();
    at::Tensor out;
    try {
        out = at::empty(t.sizes(), t.options().device(at::kCPU).pinned_memory(true));
    } catch (const c10::Error&) { // as in copyToDevice
        return t.cpu();
    }
    out.copy_(t, /*non_blocking=*/false);
    return out;
}

QString outOfMemoryMessage(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason)
{
    QString why = QString::fromStdString(reason).section(QLatin1Char('\n'), 0, 0);
    // "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you
    // tried to allocate N bytes. Error code 12 (…)": LibTorch's words after its source location.
    static const QRegularExpression cpu(QStringLiteral("DefaultCPUAllocator: (can't allocate memory: you tried to allocate (\\d+) bytes)"));
    if (const auto m = cpu.match(why); m.hasMatch())
        why = QStringLiteral("%1 (%2)").arg(m.captured(1), QLocale(QLocale::English).formattedDataSize(m.captured(2).toLongLong(), 1, QLocale::DataSizeSIFormat));
    return QStringLiteral("%1 on %2: out of memory for a batch of %3 rows × %4 tokens: %5")
        .arg(QLatin1String(model), QString::fromStdString(device.str()), QString::number(batch.ids.size(0)), QString::number(batch.ids.size(1)), why);
}

EncoderOutOfMemory encoderOutOfMemory(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason)
{
    const bool host = device.is_cpu() || reason.find("DefaultCPUAllocator") != std::string::npos || reason.find("can't allocate memory") != std::string::npos;
    return {outOfMemoryMessage(model, device, batch, reason), host};
}

bool isOutOfMemoryMessage(const std::string& message)
{
    return message.find("out of memory") != std::string::npos || message.find("CUBLAS_STATUS_ALLOC_FAILED") != std::string::npos
           || message.find("hipErrorOutOfMemory") != std::string::npos || message.find("can't allocate memory") != std::string::npos;
}

void applyTestMemoryLimit(const char* model, const at::Device& device, const TokenBatch& batch, int64_t limit)
{
    if (limit >= 0 && batch.ids.numel() > limit)
        throw encoderOutOfMemory(model, device, batch, "over the test limit of " + std::to_string(limit) + " padded tokens");
}

} // namespace bioforge::viral
