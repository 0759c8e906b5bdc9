#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> first):
// the building blocks both encoders use — a linear layer and a LayerNorm
// read from TorchWeights with shape checks, and a right-padded token batch
// with its mask.

#include <ATen/ATen.h>

#include "model/encoder_device.h"
#include "model/torch_weights.h"

#include <string>
#include <vector>

namespace bioforge::viral {

struct TorchLinear {
    at::Tensor weight, bias; // bias undefined for a layer without one
    // x: [..., in] of the weight's dtype -> [..., out] of the same dtype.
    at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
    // Keeps the weight and bias in bfloat16 only (EncoderPrecision::BFloat16).
    void toBFloat16()
    {
        weight = weight.to(at::kBFloat16);
        if (bias.defined())
            bias = bias.to(at::kBFloat16);
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
