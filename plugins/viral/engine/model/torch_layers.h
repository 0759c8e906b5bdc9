#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> first):
// the building blocks both encoders use — a linear layer and a LayerNorm
// read from TorchWeights with shape checks, and a right-padded token batch
// with its mask.

#include <ATen/ATen.h>

#include "model/encoder_device.h"
#include "model/torch_int8.h"
#include "model/torch_weights.h"

#include <memory>
#include <string>
#include <vector>

namespace bioforge::viral {

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


// Multi-head self-attention, softmax(scale · q·kᵀ − slope_h · |i − j|) · v, in one pass per
// (sequence, head) on attention_kernels.h's kernel, the per-head work shared among LibTorch's
// threads. q, k, v: float32 on the CPU, [B, T, heads, D] views with one layout (any strides, D
// contiguous: the heads of a fused q/k/v product in place, or a [B, heads, T, D] tensor
// transposed); slopes: float32 [heads] (ALiBi) or undefined; keyPadding: [B, T] true at padding
// keys (left out of the softmax; a sequence with no real key gives NaN rows; padding query rows
// are computed like the others, and the int8 products then leave them out) or undefined; cos, sin: rotary tables float32 [T, D] (D even)
// to rotate q and k by position first (ESM-2), or undefined → [B, T, heads·D] float32
// contiguous. Throws c10::Error on other shapes, dtypes or devices.
// Where fusedAttention runs its AVX-512 kernel (int8VectorKernels), which the int8 layers then
// use; elsewhere they keep LibTorch's products (the scalar reference would be far slower).
bool fusedAttentionRuns();
at::Tensor fusedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale, const at::Tensor& slopes,
                          const at::Tensor& keyPadding, const at::Tensor& cos = {}, const at::Tensor& sin = {});
// How many threads LibTorch's at::parallel_for loops in this engine run on (a loop of 1024
// iterations, the distinct threads counted): at::get_num_threads() where its OpenMP pragmas were
// compiled in (GCC builds: plugins/viral/CMakeLists.txt), 1 where not (clang builds).
int parallelLoopThreads();

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
    // A feed-forward block, down(activation(this(x))) (Gelu: ESM-2's fc1 → fc2; GatedGelu: DNABERT-S's
    // gated → wo). In int8 this product's epilogue rounds the activation for `down` while the row is
    // in cache (int8LinearRounded): the wide activation is never written as float32.
    at::Tensor feedForward(const TorchLinear& down, const at::Tensor& x, const at::Tensor& padding, Int8Activation activation) const;
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
    // The same parameters for the int8 epilogues (torch_int8.h; float32 weights on the CPU).
    Int8Norm int8() const { return {weight.to(at::kFloat).contiguous(), bias.to(at::kFloat).contiguous(), float(eps)}; }
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

// A batch's way in and out of a device (issue 15: pinned host buffers). copyToDevice: `host` (CPU
// memory) on `device`; on CUDA through page-locked memory and without blocking the host (the copy
// is ordered on the current stream before the kernels that read it; LibTorch's pinned-memory
// allocator keeps the staging buffer until it is done); on the CPU `host` itself.
// copyToHost: a device tensor's values in host memory, one copy the host waits for, into
// page-locked memory on CUDA; on the CPU `t` itself (as at::Tensor::cpu()). Where no page-locked
// memory can be had, both make a plain copy.
at::Tensor copyToDevice(const at::Tensor& host, const at::Device& device);
at::Tensor copyToHost(const at::Tensor& t);

// The message of an encoder batch that ran out of device memory: "<model> on <device>: out of
// memory for a batch of R rows × T tokens: <LibTorch's first line>" (the CPU allocator's without
// its source location: "can't allocate memory: you tried to allocate N bytes (x GB)").
QString outOfMemoryMessage(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason);
// What an encoder throws for it: the message above, and whether the machine's memory ran out (the
// device is the CPU, or the CPU allocator failed during a GPU run: the batch's host tensors, a
// pinned staging copy) rather than a GPU's, which decides the advice.
EncoderOutOfMemory encoderOutOfMemory(const char* model, const at::Device& device, const TokenBatch& batch, const std::string& reason);
// Whether a LibTorch error that is not c10::OutOfMemoryError still means the device had no memory
// (cuBLAS's CUBLAS_STATUS_ALLOC_FAILED, a CUDA "out of memory" raised as a plain error, the CPU
// allocator's "can't allocate memory").
bool isOutOfMemoryMessage(const std::string& message);
// EncoderDevice::outOfMemoryAboveTokens (tests): throws EncoderOutOfMemory for a batch over it.
void applyTestMemoryLimit(const char* model, const at::Device& device, const TokenBatch& batch, int64_t limit);

} // namespace bioforge::viral
