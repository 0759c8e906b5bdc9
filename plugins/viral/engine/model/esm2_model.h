#pragma once

// ESM-2 (fair-esm's ESM2) in LibTorch, float32 (or bf16 products: encoder_precision.h), from a Hugging Face style
// folder (config.json, model.safetensors with EsmForMaskedLM names,
// vocab.txt). The forward pass is the official one: token-dropout scaling,
// pre-LN layers with rotary self-attention, exact GELU, the final LayerNorm,
// and the LM head. Padding is right-padding with <pad>; padded keys are
// masked. No LibTorch types in this header.

#include "model/encoder_device.h"
#include "model/encoder_precision.h"
#include "model/esm2_config.h"
#include "model/host_tensor.h"
#include "util/expected.h"

#include <QString>

#include <memory>
#include <vector>

namespace bioforge::viral {

class Esm2Model {
public:
    struct Output {
        std::vector<HostTensor> representations; // [B, T, hidden] for each requested layer
        HostTensor logits;                       // [B, T, vocab] when asked
    };

    // `precision`: encoder_precision.h (bf16 keeps the layers' weights in bfloat16).
    // `device`: a resolved one (resolveEncoderDevice; not auto): the weights are copied there and
    // every batch runs there; LibTorch's errors on it (out of memory) become errors.
    static core::Expected<std::unique_ptr<Esm2Model>> load(const QString& folder, EncoderPrecision precision = EncoderPrecision::Float32,
                                                           const EncoderDevice& device = {});
    ~Esm2Model();

    const Esm2Config& config() const;

    // tokens: B rows, each <cls> … <eos>; shorter rows are padded. Layer 0 is
    // the embedding, layer L (= layers) the output after the final LayerNorm.
    core::Expected<Output> forward(const std::vector<std::vector<int64_t>>& tokens, const std::vector<int64_t>& layers, bool logits) const;

    // The pipeline's embedding: for each row, the mean of `layer` over the
    // residue positions 1 … min(residues, truncation) (no <cls>, <eos> or padding).
    // Throws EncoderOutOfMemory (encoder_device.h) when the device has no memory for the batch.
    core::Expected<std::vector<std::vector<float>>> meanEmbeddings(const std::vector<std::vector<int64_t>>& tokens, int64_t layer,
                                                                   int64_t truncation) const;

private:
    struct Impl;
    explicit Esm2Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace bioforge::viral
