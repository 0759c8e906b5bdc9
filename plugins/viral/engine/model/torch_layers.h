#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> first):
// the building blocks both encoders use — a linear layer and a LayerNorm
// read from TorchWeights with shape checks, and a right-padded token batch
// with its mask.

#include <ATen/ATen.h>

#include "model/encoder_device.h"
#include "model/torch_weights.h"

#include <memory>
#include <string>
#include <vector>

namespace bioforge::viral {

class Int8Matmul; // model/int8_matmul.h

// Whether bfloat16 products of tensors on this device are widened (bfloat16Linear,
// bfloat16Matmul): on a CPU without AVX-512 BF16 LibTorch 1.13's own bfloat16 GEMM is a scalar
// loop on one thread — measured on a Zen 3 (AVX2), one ESM-2 150M batch of 8 × 166 residues took
// 253 s in bf16 against 3.0 s in fp32, a [1344 × 640] · [640 × 1920] product 2.03 s against
// 0.035 s widened; with AVX-512 BF16 but no AMX tiles its oneDNN kernels ran at about half
// OpenBLAS's float32 speed (cpuHasBFloat16Tiles has the figures). On a GPU or a CPU with AMX
// bfloat16 tiles the bfloat16 kernels run as they are.
bool widensBFloat16Products(const at::Tensor& x);
// x · weightᵀ + bias for x [..., in], weight [out, in], bias [out] or undefined → [..., out] of
// x's dtype: at::linear, except that bfloat16 operands on a device where widensBFloat16Products
// are widened to float32 (exact: a bfloat16 is a float32's upper half), multiplied by the float32
// BLAS and the result rounded to bfloat16 once. That is what oneDNN's bfloat16 kernels compute
// (products of bfloat16 values summed in float32, one rounding of the result), up to the order of
// the float32 sums; the bfloat16 results stay bf16's, not fp32's.
at::Tensor bfloat16Linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);
// at::matmul(a, b) with the same widening (the attention products of a bf16 layer).
at::Tensor bfloat16Matmul(const at::Tensor& a, const at::Tensor& b);

// EncoderPrecision::Int8 (encoder_precision.h). selectInt8Engine checks once per process that
// this build has oneDNN (int8_matmul.h; an error naming it if not) and picks the activations'
// bits: all 8 where oneDNN's kernels sum u8 × s8 pairs without saturating (VNNI's vpdpbusd;
// without it vpmaddubsw saturates pairs above 32767): a self-test product of 255 × 127 pairs at
// two shapes decides, whatever the CPU, its OS or ONEDNN_MAX_CPU_ISA; else 7 bits.
core::Status selectInt8Engine();
// Whether the encoders can run in int8 on `device`: the CPU's (oneDNN's int8 kernels here are CPU
// kernels; on a GPU the error says to choose fp32 or bf16) and selectInt8Engine.
core::Status int8Precision(const at::Device& device);
// A linear layer's weights for the int8 products: int8 with one symmetric scale per output row,
// max |w| / 127 (a zero row gets a tiny scale), in oneDNN's layout; the scales (float32 [out])
// and R = scales · the rows' sums of int8 weights (float32 [out]: the sums of the rounded rows).
// pack: weight [out, in] float32 on the CPU; throws c10::Error where oneDNN cannot pack.
struct Int8Weights {
    std::shared_ptr<const Int8Matmul> product;
    at::Tensor scales;
    at::Tensor rowSums;
    static Int8Weights pack(const at::Tensor& weight);
};
// x [B, T, in] (or [N, in]: one sequence) float32 on the CPU → [B, T, out] (or [N, out]) float32:
// x · ŵᵀ + bias, with each sequence's input rounded to uint8 (7 bits with int8ReducedRange) over
// its own range (int8_kernels.h gives the formulas): step_b = (max_b − min_b) / 255 over its real
// tokens (padding: [B, T] true at padding, or undefined), one oneDNN int32 product for the whole
// batch, then y = step_b · scales · P + min_b · R + bias. A sequence's result does not depend on
// its batch mates or its padding (cached per-contig results stay valid whatever the batching or
// sharding); a row holding a non-finite value gives a NaN row (as float32 would) and is left out
// of its sequence's range. Padding rows are left out of the product (as the official DNABERT-S
// code unpads) and give zero rows. Throws c10::Error where oneDNN fails (the message names it).
// activation: applied to each row in the epilogue, while the row is in cache, instead of in a
// pass of its own — Gelu: gelu(y) (geluErf's kernel); GatedGelu: gelu(y[:out/2]) · y[out/2:]
// → [..., out/2] (geluGate's, DNABERT-S's gated feed-forward). The same bits as the layer then
// the activation where the AVX-512 GELU kernels run.
enum class Int8Activation { None, Gelu, GatedGelu };
at::Tensor int8Linear(const at::Tensor& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& padding = {},
                      Int8Activation activation = Int8Activation::None);
// Whether the int8 products' activations have 7 bits rather than 8: where oneDNN's kernels
// saturate 8-bit u8 × s8 pairs (the self-test in selectInt8Engine; 7 if it fails), or where
// BIOFORGE_INT8_ACTIVATION_BITS=7 (to reproduce such a CPU's results).
bool int8ReducedRange();

// Multi-head self-attention, softmax(scale · q·kᵀ − slope_h · |i − j|) · v, in one pass per
// (sequence, head) on attention_kernels.h's kernel, the per-head work shared among LibTorch's
// threads. q, k, v: float32 on the CPU, [B, T, heads, D] views with one layout (any strides, D
// contiguous: the heads of a fused q/k/v product in place, or a [B, heads, T, D] tensor
// transposed); slopes: float32 [heads] (ALiBi) or undefined; keyPadding: [B, T] true at padding
// keys (left out of the softmax) or undefined; cos, sin: rotary tables float32 [T, D] (D even)
// to rotate q and k by position first (ESM-2), or undefined → [B, T, heads·D] float32
// contiguous. Throws c10::Error on other shapes, dtypes or devices.
at::Tensor fusedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale, const at::Tensor& slopes,
                          const at::Tensor& keyPadding, const at::Tensor& cos = {}, const at::Tensor& sin = {});

struct TorchLinear {
    at::Tensor weight, bias; // bias undefined for a layer without one
    // Set by toInt8: the packed int8 weights; then operator() runs int8Linear.
    std::shared_ptr<const Int8Weights> int8Weights{};
    // Set by toBFloat16 where the products are widened: weight and bias hold bfloat16 values in
    // float32 tensors (converted once at load, not per product).
    bool widened = false;
    // x: [..., in] of the layer's precision (bfloat16 after toBFloat16) -> [..., out] of x's
    // dtype (bfloat16Linear; widened weights are float32 already, so they are not converted).
    // padding: x [B, T, in]'s padding rows ([B, T], true at padding; undefined without), for the
    // int8 product (int8Linear).
    at::Tensor operator()(const at::Tensor& x, const at::Tensor& padding = {}) const
    {
        return int8Weights ? int8Linear(x, *int8Weights, bias, padding) : bfloat16Linear(x, weight, bias);
    }
    // geluErf(this(x, padding)); in int8 the GELU runs in the product's epilogue (int8Linear).
    at::Tensor gelu(const at::Tensor& x, const at::Tensor& padding = {}) const;
    // geluGate(this(x, padding), out / 2) (DNABERT-S's gated feed-forward); fused likewise in int8.
    at::Tensor gatedGelu(const at::Tensor& x, const at::Tensor& padding = {}) const;
    // Packs the weights for EncoderPrecision::Int8 (selectInt8Engine first) and frees the float32
    // ones (the packed copy is all the products need; the bias stays).
    void toInt8()
    {
        int8Weights = std::make_shared<const Int8Weights>(Int8Weights::pack(weight));
        weight = at::Tensor();
    }
    // Rounds the weight and bias to bfloat16 (EncoderPrecision::BFloat16) and keeps them so — or,
    // where widensBFloat16Products, as float32 tensors of those values.
    void toBFloat16()
    {
        weight = weight.to(at::kBFloat16);
        if (bias.defined())
            bias = bias.to(at::kBFloat16);
        if (widensBFloat16Products(weight)) {
            weight = weight.to(at::kFloat);
            if (bias.defined())
                bias = bias.to(at::kFloat);
            widened = true;
        }
    }
    // "<name>.weight" [out, in] and, when `withBias`, "<name>.bias" [out].
    static core::Expected<TorchLinear> read(const TorchWeights& w, const std::string& name, int64_t out, int64_t in, bool withBias = true);
};

struct TorchLayerNorm {
    at::Tensor weight, bias;
    double eps = 1e-5;
    at::Tensor operator()(const at::Tensor& x) const { return at::layer_norm(x, {weight.size(0)}, weight, bias, eps); }
    static core::Expected<TorchLayerNorm> read(const TorchWeights& w, const std::string& name, int64_t width, double eps);
};

// Reads a model's parts in sequence; after the first failure the rest are
// skipped and that error is kept (status()), so loaders read as a list.
class PartReader {
public:
    explicit PartReader(const TorchWeights& weights) : m_weights(weights) {}
    void tensor(const std::string& name, const std::vector<int64_t>& shape, at::Tensor& out);
    void linear(const std::string& name, int64_t out, int64_t in, TorchLinear& layer, bool withBias = true);
    void norm(const std::string& name, int64_t width, double eps, TorchLayerNorm& layer);
    const core::Status& status() const { return m_status; }

private:
    const TorchWeights& m_weights;
    core::Status m_status;
};

// gelu(x) = x/2 · (1 + erf(x/√2)) of a float32 or bfloat16 tensor (any shape), same shape and
// dtype: float32 on the vector kernels of gelu_kernels.h where this CPU has them, else (and
// bfloat16, which LibTorch runs on oneDNN's kernel) at::gelu.
at::Tensor geluErf(const at::Tensor& x);
// DNABERT-S's gated linear unit: gelu(g[..., :I]) · g[..., I:] for g [..., 2I] (float32 or
// bfloat16) → [..., I] of g's dtype (MosaicBERT's BertGatedLinearUnitMLP).
at::Tensor geluGate(const at::Tensor& g, int64_t I);

struct TokenBatch {
    at::Tensor ids;  // [B, T] int64, right-padded with the pad id
    at::Tensor mask; // [B, T] int64, 1 at real tokens
};

// Rows of ids → a padded batch; an empty batch or an id outside [0, vocab) is an error.
core::Expected<TokenBatch> padTokenRows(const std::vector<std::vector<int64_t>>& rows, int64_t padId, int64_t vocab);

// The message of an encoder batch that ran out of device memory: "<model> on <device>: out of
// memory for a batch of R rows × T tokens: <LibTorch's first line>".
QString outOfMemoryMessage(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason);
// Whether a LibTorch error that is not c10::OutOfMemoryError still means the device had no memory
// (cuBLAS's CUBLAS_STATUS_ALLOC_FAILED, a CUDA "out of memory" raised as a plain error).
bool isOutOfMemoryMessage(const std::string& message);
// EncoderDevice::outOfMemoryAboveTokens (tests): throws EncoderOutOfMemory for a batch over it.
void applyTestMemoryLimit(const char* model, const at::Device& device, const TokenBatch& batch, int64_t limit);

} // namespace bioforge::viral
