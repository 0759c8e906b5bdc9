#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> first): the encoders' int8
// linear layers (EncoderPrecision::Int8) — oneDNN's int8 product (int8_matmul.h) between our
// per-token rounding and scaling (int8_kernels.h). torch_layers.h's TorchLinear runs them.

#include <ATen/ATen.h>

#include "util/expected.h"

#include <memory>
#include <vector>

namespace bioforge::viral {

class Int8Matmul;  // model/int8_matmul.h
class VnniWeights; // model/int8_gemm.h

// EncoderPrecision::Int8 (encoder_precision.h). selectInt8Engine checks once per process that
// this build has oneDNN (int8_matmul.h; an error naming it if not) and picks the activations'
// bits: all 8 where oneDNN's kernels sum u8 × s8 pairs without saturating (VNNI's vpdpbusd;
// without it vpmaddubsw saturates pairs above 32767): a self-test product of 255 × 127 pairs at
// two shapes decides, whatever the CPU, its OS or ONEDNN_MAX_CPU_ISA; else 7 bits.
core::Status selectInt8Engine();
// Whether the encoders can run in int8 on `device`: the CPU's (the int8 kernels, ours and oneDNN's, are CPU
// kernels; on a GPU the error says to choose fp32 or bf16) and selectInt8Engine.
core::Status int8Precision(const at::Device& device);
// A linear layer's weights for the int8 products: int8 with one symmetric scale per output row,
// max |w| / 127 (a zero row gets a tiny scale); the scales (float32 [out]) and R = scales · the
// rows' sums of int8 weights (float32 [out]: the sums of the rounded rows). The int32 sums come
// from our AVX-512 VNNI kernel (int8_gemm.h) where it runs and takes the shape, else from oneDNN's
// matmul (int8_matmul.h; also with kernel OneDnn or BIOFORGE_INT8_PRODUCTS=onednn): both are the
// exact sums, so results do not depend on which ran. pack: weight [out, in] float32 on the CPU;
// throws c10::Error where oneDNN cannot pack.
enum class Int8Kernel { Best, OneDnn };
struct Int8Weights {
    std::shared_ptr<const Int8Matmul> product; // oneDNN's, where vnni is not used
    std::shared_ptr<const VnniWeights> vnni;   // ours, in its panels
    at::Tensor scales;
    at::Tensor rowSums;
    int64_t out() const;
    int64_t in() const;
    static Int8Weights pack(const at::Tensor& weight, Int8Kernel kernel = Int8Kernel::Best);
};
// Which kernel Int8Weights::pack chooses for weights of out × in here (for provenance and tests).
bool int8VnniProducts(int64_t out, int64_t in);
// The int8 products' input: each real row of x [B, T, in] (or [N, in]: one sequence) float32
// rounded to uint8 (7 bits with int8ReducedRange) over its own range (int8_kernels.h gives the
// formulas): step_r = (max_r − min_r) / 255, q = round((x − min_r) / step_r). Per token, so a
// sequence's result does not depend on its batch mates or its padding (cached per-contig results
// stay valid whatever the batching or sharding), and a product's epilogue can round its output
// for the next product while the row is in cache (int8LinearRounded). Padding rows (padding:
// [B, T] true at padding, or undefined) are left out (the official DNABERT-S code unpads too); a
// row holding NaN or ±inf is marked and gives a NaN row in the product.
struct Int8Rows {
    std::vector<int64_t> shape;  // x's shape (the product's output: the same with its own width)
    int64_t width = 0;           // in
    std::vector<int64_t> real;   // the real rows' indices among the B·T, in order
    at::Tensor q;                // uint8 [real.size(), width]
    std::vector<float> lo, step; // per real row: x ≈ lo + step · q
    std::vector<uint8_t> finite; // per real row: 0 where it held a non-finite value
};
Int8Rows int8Round(const at::Tensor& x, const at::Tensor& padding = {});
// rows · ŵᵀ + bias: the exact int32 sums over the real rows (our VNNI kernel in blocks of rows, or
// one oneDNN product), then per row y = step_r · scales · P + min_r · R + bias → float32 of the
// input's shape with width out (zero rows at padding, NaN rows where the input row was not
// finite). Throws c10::Error where oneDNN fails (the message names it) or the widths do not match.
// activation: applied to each row in the epilogue, while the row is in cache, instead of in a
// pass of its own — Gelu: gelu(y) (geluErf's kernel); GatedGelu: gelu(y[:out/2]) · y[out/2:]
// → width out/2 (geluGate's, DNABERT-S's gated feed-forward). The same bits as the layer then
// the activation where the AVX-512 GELU kernels run.
enum class Int8Activation { None, Gelu, GatedGelu };
at::Tensor int8Linear(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, Int8Activation activation = Int8Activation::None);
// The same, the result rounded for the next product in the epilogue (never written as float32):
// the same rows as int8Round(int8Linear(x, …)) would give, bit for bit.
Int8Rows int8LinearRounded(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, Int8Activation activation = Int8Activation::None);
// int8Linear(int8Round(x, padding), weights, bias, activation).
at::Tensor int8Linear(const at::Tensor& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& padding = {},
                      Int8Activation activation = Int8Activation::None);
// A LayerNorm for the int8 epilogues (int8_kernels.h's layerNormRow): gamma, beta float32 [width]
// contiguous on the CPU; eps as the model's config gives it.
struct Int8Norm {
    at::Tensor gamma, beta;
    float eps = 1e-5f;
};
// int8Round(LN(x), padding) with layerNormRow, the normalised row rounded while in cache (never
// written as float32): the first pre-LN block's input (ESM-2).
Int8Rows int8NormRound(const at::Tensor& x, const Int8Norm& norm, const at::Tensor& padding);
// A residual block's end in the product's epilogue, each row while in cache: y = residual + x·ŵᵀ +
// bias (int8Linear's rows; padding rows: the residual's), then y = LN_post(y) where post is given
// (post-LN blocks: DNABERT-S) → float32 of residual's shape [B, T, out] (a row of x that was not
// finite: NaN). next (optional): the rows of the next product, rounded (as int8Round) from
// LN_nextNorm(y) where nextNorm is given (pre-LN blocks: ESM-2; the normalised row is not written)
// or from y — the same real rows as x. One pass instead of a sum, a LayerNorm and a rounding over
// the batch. Throws c10::Error where the residual's shape or a norm's width does not fit.
at::Tensor int8LinearResidual(const Int8Rows& x, const Int8Weights& weights, const at::Tensor& bias, const at::Tensor& residual,
                              const Int8Norm* post, Int8Rows* next = nullptr, const Int8Norm* nextNorm = nullptr);
// Whether the int8 products' activations have 7 bits rather than 8: where oneDNN's kernels
// saturate 8-bit u8 × s8 pairs (the self-test in selectInt8Engine; 7 if it fails), or where
// BIOFORGE_INT8_ACTIVATION_BITS=7 (to reproduce such a CPU's results).
bool int8ReducedRange();

} // namespace bioforge::viral
