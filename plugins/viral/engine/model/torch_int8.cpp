#include <ATen/ATen.h>

#include "model/torch_int8.h"

#include "model/gelu_kernels.h"
#include "model/int8_gemm.h"
#include "model/int8_kernels.h"
#include "model/int8_matmul.h"
#include "model/int8_product_rows.h"
#include "model/torch_parallel.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace bioforge::viral {

namespace {

// The int8 rounding's levels: 255 steps (8-bit activations) or 127.
float int8Levels() { return int8ReducedRange() ? 127.0f : 255.0f; }

} // namespace

bool int8VnniProducts(int64_t out, int64_t in)
{
#if !defined(_OPENMP)
    // Built without OpenMP (clang), LibTorch's loops here run on one thread: oneDNN's product,
    // threaded inside its library, is then faster wherever LibTorch has more than one.
    if (at::get_num_threads() > 1)
        return false;
#endif
    return VnniWeights::runs() && VnniWeights::takes(out, in) && qgetenv("BIOFORGE_INT8_PRODUCTS") != "onednn";
}

Int8Weights Int8Weights::pack(const at::Tensor& weight, Int8Kernel kernel)
{
    const at::Tensor w = weight.to(at::kFloat).contiguous();
    const at::Tensor scales = at::clamp_min(w.abs().amax({1}) / 127.0f, 1e-12f);
    const at::Tensor q = at::clamp(at::round(w / scales.unsqueeze(1)), -127, 127).to(at::kChar).contiguous();
    Int8Weights packed{nullptr, nullptr, scales.contiguous(), (scales * q.sum(1, false, at::kFloat)).contiguous()};
    if (kernel == Int8Kernel::Best && int8VnniProducts(q.size(0), q.size(1))) {
        packed.vnni = std::make_shared<const VnniWeights>(q.data_ptr<int8_t>(), q.size(0), q.size(1));
        return packed;
    }
    auto product = Int8Matmul::pack(q.data_ptr<int8_t>(), q.size(0), q.size(1));
    TORCH_CHECK(product, product ? "" : product.error().message().toStdString());
    packed.product = *product;
    return packed;
}

int64_t Int8Weights::out() const { return vnni ? vnni->out() : product->out(); }

int64_t Int8Weights::in() const { return vnni ? vnni->in() : product->in(); }

namespace {

// A row's rounding from its range: step = (hi − lo) / levels (a constant row, or one below
// float32's resolution, gets the least step: q = 0, exact), in float32 as int8_kernels.h says.
struct Rounding {
    float lo, step, inverse;
};
Rounding roundingFor(const RowRange& r, float levels)
{
    const float s = std::max(float((double(r.hi) - double(r.lo)) / levels), std::numeric_limits<float>::min());
    const float step = std::isfinite(s) ? s : std::numeric_limits<float>::max();
    return {r.lo, step, 1.0f / step};
}

// Rounds row i of `rows` (rows.q, lo, step, finite) from x[0..width).
void roundRow(const float* x, Int8Rows& rows, int64_t i, float levels)
{
    uint8_t* q = rows.q.data_ptr<uint8_t>() + i * rows.width;
    const RowRange range = rowRange(x, size_t(rows.width));
    rows.finite[size_t(i)] = range.finite;
    if (!range.finite) { // its product row is NaN whatever q holds
        std::fill_n(q, rows.width, uint8_t(0));
        return;
    }
    const Rounding r = roundingFor(range, levels);
    rows.lo[size_t(i)] = r.lo;
    rows.step[size_t(i)] = r.step;
    quantizeRow(x, q, size_t(rows.width), r.lo, r.inverse, levels);
}

Int8Rows emptyLike(const Int8Rows& x, int64_t width)
{
    Int8Rows y;
    y.shape = x.shape;
    y.shape.back() = width;
    y.width = width;
    y.real = x.real;
    const size_t n = x.real.size();
    y.q = at::empty({int64_t(n), width}, at::TensorOptions().dtype(at::kByte));
    y.lo.assign(n, 0.0f);
    y.step.assign(n, 1.0f);
    y.finite.assign(n, 1);
    return y;
}

using int8rows::int8Product;

// The rows of x's B·T that are not among its real ones (x.real is ascending), of `rows` in all.
std::vector<int64_t> paddingRows(const Int8Rows& x, int64_t rows)
{
    std::vector<int64_t> padding;
    for (int64_t row = 0, i = 0; row < rows; ++row) {
        if (i < int64_t(x.real.size()) && x.real[size_t(i)] == row)
            ++i;
        else
            padding.push_back(row);
    }
    return padding;
}

// Throws unless x, the weights, the bias and the activation fit together; returns the output width.
int64_t checkedWidth(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, Int8Activation activation)
{
    const int64_t out = weights.out();
    TORCH_CHECK(x.width == weights.in(), "int8 product: input of ", x.width, " features for weights of ", weights.in());
    TORCH_CHECK(!bias.defined() || bias.numel() == out, "int8 product: a bias of ", bias.numel(), " values for ", out, " outputs");
    TORCH_CHECK(activation != Int8Activation::GatedGelu || out % 2 == 0, "int8 product: a gated GELU needs an even width, not ", out);
    return activation == Int8Activation::GatedGelu ? out / 2 : out;
}

// A row's activation from its `out` scaled values (overwritten) into y (width out, or out/2
// gated; y may be `scaled`: each output element is written after the inputs it reads).
void activateRow(float* scaled, float* y, int64_t out, Int8Activation activation)
{
    switch (activation) {
    case Int8Activation::GatedGelu:
        geluFloat(scaled, scaled + out / 2, y, size_t(out / 2)); // y[k] from scaled[k] and scaled[out/2 + k] only
        return;
    case Int8Activation::Gelu:
        geluFloat(scaled, nullptr, y, size_t(out));
        return;
    case Int8Activation::None:
        if (y != scaled)
            std::copy_n(scaled, out, y);
        return;
    }
}

const float* biasValues(const at::Tensor& bias, at::Tensor& holder)
{
    holder = bias.defined() ? bias.to(at::kFloat).contiguous() : at::Tensor();
    return holder.defined() ? holder.data_ptr<float>() : nullptr;
}

// int8Round's rows, each rounded from source(row of x) (x's row itself, or its LayerNorm in scratch).
template <typename Source>
Int8Rows roundRealRows(const at::Tensor& x, const at::Tensor& padding, Source source)
{
    const at::Tensor x3 = (x.dim() == 3 ? x : x.reshape({1, -1, x.size(-1)})).to(at::kFloat).contiguous();
    const int64_t B = x3.size(0), T = x3.size(1), in = x3.size(2), rows = B * T;
    TORCH_CHECK(!padding.defined() || x.dim() == 3, "int8 product: padding given for an input of ", x.dim(), " dimensions (3 expected)");
    const at::Tensor pad = padding.defined() ? padding.to(at::kBool).contiguous() : at::zeros({B, T}, at::kBool);
    TORCH_CHECK(pad.dim() == 2 && pad.size(0) == B && pad.size(1) == T, "int8 product: padding of ", pad.sizes(), " for a batch of ", B, " × ", T);
    const bool* isPad = pad.data_ptr<bool>();
    Int8Rows r;
    r.shape = x.sizes().vec();
    r.width = in;
    r.real.reserve(size_t(rows));
    for (int64_t row = 0; row < rows; ++row)
        if (!isPad[row])
            r.real.push_back(row);
    const int64_t n = int64_t(r.real.size());
    r.q = at::empty({n, in}, at::TensorOptions().dtype(at::kByte));
    r.lo.assign(size_t(n), 0.0f);
    r.step.assign(size_t(n), 1.0f);
    r.finite.assign(size_t(n), 1);
    if (n == 0 || in == 0)
        return r;
    const float* xs = x3.data_ptr<float>();
    const float levels = int8Levels();
    at::parallel_for(0, n, std::max<int64_t>(1, 16384 / in), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            roundRow(source(xs + r.real[size_t(i)] * in, in), r, i, levels);
    });
    return r;
}

// The calling thread's scratch for one normalised row (apart from blockScratch, which a product's
// block holds while its rows are finished).
float* rowScratch(int64_t n)
{
    thread_local std::vector<float> row;
    if (row.size() < size_t(n))
        row.resize(size_t(n));
    return row.data();
}

struct NormView {
    const float* gamma;
    const float* beta;
    float eps;
};
NormView normView(const Int8Norm& norm, int64_t width)
{
    for (const at::Tensor* t : {&norm.gamma, &norm.beta})
        TORCH_CHECK(t->defined() && t->scalar_type() == at::kFloat && t->is_contiguous() && t->device().is_cpu() && t->numel() == width,
                    "int8 LayerNorm: its weight and bias must be contiguous float32 of ", width, " values on the CPU");
    return {norm.gamma.data_ptr<float>(), norm.beta.data_ptr<float>(), norm.eps};
}

} // namespace

Int8Rows int8Round(const at::Tensor& x, const at::Tensor& padding)
{
    return roundRealRows(x, padding, [](const float* row, int64_t) { return row; });
}

Int8Rows int8NormRound(const at::Tensor& x, const Int8Norm& norm, const at::Tensor& padding)
{
    const NormView n = normView(norm, x.size(-1));
    return roundRealRows(x, padding, [n](const float* row, int64_t width) {
        float* normalised = rowScratch(width);
        layerNormRow(row, normalised, size_t(width), n.gamma, n.beta, n.eps);
        return static_cast<const float*>(normalised);
    });
}

at::Tensor int8LinearResidual(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& residual,
                              const Int8Norm* post, Int8Rows* next, const Int8Norm* nextNorm)
{
    const int64_t out = checkedWidth(x, weights, bias, Int8Activation::None);
    std::vector<int64_t> shape = x.shape;
    shape.back() = out;
    TORCH_CHECK(residual.sizes().vec() == shape && residual.scalar_type() == at::kFloat && residual.device().is_cpu(), "int8 product: a residual of ",
                residual.sizes(), " ", residual.scalar_type(), " for an output of ", at::IntArrayRef(shape), " float32 on the CPU");
    TORCH_CHECK(next != &x, "int8 product: the next product's rows cannot replace its input's");
    const std::optional<NormView> postView = post ? std::optional(normView(*post, out)) : std::nullopt;
    const std::optional<NormView> nextView = nextNorm ? std::optional(normView(*nextNorm, out)) : std::nullopt;
    const at::Tensor res = residual.contiguous();
    at::Tensor y = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    const float* rs = res.data_ptr<float>();
    float* ys = y.data_ptr<float>();
    auto normalise = [out](const std::optional<NormView>& n, const float* row, float* to) {
        layerNormRow(row, to, size_t(out), n->gamma, n->beta, n->eps);
    };
    // Padding rows: the residual's, normalised like the others.
    const std::vector<int64_t> padding = paddingRows(x, y.numel() / std::max<int64_t>(out, 1));
    at::parallel_for(0, int64_t(padding.size()), std::max<int64_t>(1, 16384 / std::max<int64_t>(out, 1)), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const int64_t row = padding[size_t(p)];
            if (postView)
                normalise(postView, rs + row * out, ys + row * out);
            else
                std::copy_n(rs + row * out, out, ys + row * out);
        }
    });
    if (next)
        *next = emptyLike(x, out);
    const float levels = int8Levels();
    at::Tensor holder;
    const float* bs = biasValues(bias, holder);
    int8Product(
        x, weights, bs,
        [&](int64_t i, float* scaled) {
            const int64_t row = x.real[size_t(i)];
            float* yr = ys + row * out;
            if (!x.finite[size_t(i)]) { // NaN in, NaN out, and the next product's row NaN
                std::fill_n(yr, out, std::numeric_limits<float>::quiet_NaN());
                if (next) {
                    next->finite[size_t(i)] = 0;
                    std::fill_n(next->q.data_ptr<uint8_t>() + i * out, out, uint8_t(0));
                }
                return;
            }
            const float* rr = rs + row * out;
            addRow(rr, scaled, yr, size_t(out)); // scaled may be yr (scaled straight into y)
            if (postView)
                normalise(postView, yr, yr);
            if (!next)
                return;
            const float* source = yr;
            if (nextView) {
                float* normalised = rowScratch(out);
                normalise(nextView, yr, normalised);
                source = normalised;
            }
            roundRow(source, *next, i, levels);
        },
        ys);
    return y;
}

at::Tensor int8Linear(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, Int8Activation activation)
{
    const int64_t out = weights.out(), width = checkedWidth(x, weights, bias, activation);
    std::vector<int64_t> shape = x.shape;
    shape.back() = width;
    at::Tensor y = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    float* ys = y.data_ptr<float>();
    for (const int64_t row : paddingRows(x, y.numel() / std::max<int64_t>(width, 1)))
        std::fill_n(ys + row * width, width, 0.0f);
    at::Tensor holder;
    const float* bs = biasValues(bias, holder);
    int8Product(
        x, weights, bs,
        [&](int64_t i, float* scaled) {
            float* yr = ys + x.real[size_t(i)] * width;
            if (!x.finite[size_t(i)])
                std::fill_n(yr, width, std::numeric_limits<float>::quiet_NaN());
            else
                activateRow(scaled, yr, out, activation); // in place (no copy) where scaled straight into y
        },
        activation == Int8Activation::None ? ys : nullptr);
    return y;
}

Int8Rows int8LinearRounded(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, Int8Activation activation)
{
    const int64_t out = weights.out(), width = checkedWidth(x, weights, bias, activation);
    Int8Rows y = emptyLike(x, width);
    at::Tensor holder;
    const float* bs = biasValues(bias, holder);
    const float levels = int8Levels();
    int8Product(x, weights, bs, [&](int64_t i, float* scaled) {
        if (!x.finite[size_t(i)]) { // NaN in, NaN out: the next product's row is NaN
            y.finite[size_t(i)] = 0;
            std::fill_n(y.q.data_ptr<uint8_t>() + i * width, width, uint8_t(0));
            return;
        }
        activateRow(scaled, scaled, out, activation);
        roundRow(scaled, y, i, levels);
    });
    return y;
}

at::Tensor int8Linear(const at::Tensor& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& padding, Int8Activation activation)
{
    TORCH_CHECK(x.dim() >= 2, "int8 product: input of ", x.dim(), " dimensions (2 or 3 expected)");
    return int8Linear(int8Round(x, padding), weights, bias, activation);
}

} // namespace bioforge::viral
