#pragma once

// DNABERT-2 / DNABERT-S (the MosaicBERT-style BertModel of DNABERT-2's
// bert_layers.py) in LibTorch, float32, from a folder with config.json and
// model.safetensors (BertModel names, with or without a "bert." prefix).
// Embeddings + LayerNorm, post-LN layers with a fused Wqkv, ALiBi biases,
// padded keys at −10000, a gated-GELU feed-forward, and the pooler. Padding
// is right-padding; outputs are zero at padded positions, as the official
// unpadded computation leaves them. No LibTorch types in this header.

#include "model/dnabert_config.h"
#include "model/encoder_device.h"
#include "model/encoder_precision.h"
#include "model/host_tensor.h"
#include "util/expected.h"

#include <QString>

#include <memory>
#include <vector>

namespace bioforge::viral {

class DnabertModel {
public:
    struct Output {
        std::vector<HostTensor> hiddenStates; // layers + 1 tensors [B, T, hidden]; the last is last_hidden_state
        HostTensor pooler;                    // [B, hidden]
    };

    // `precision`: encoder_precision.h (bf16 keeps the layers' weights in bfloat16). `device`: a
    // resolved one (resolveEncoderDevice; not auto): the weights are copied there and every
    // batch runs there. LibTorch's errors on a device (out of memory) become errors.
    static core::Expected<std::unique_ptr<DnabertModel>> load(const QString& folder, EncoderPrecision precision = EncoderPrecision::Float32,
                                                              const EncoderDevice& device = {});
    ~DnabertModel();

    const DnabertConfig& config() const;

    // ids: B rows ([CLS] … [SEP]); shorter rows are padded and masked.
    core::Expected<Output> forward(const std::vector<std::vector<int64_t>>& ids) const;
    // The pipeline's embedding: the mean of the last hidden state over every
    // real token of the row ([CLS] and [SEP] included). Throws EncoderOutOfMemory
    // (encoder_device.h) when the device has no memory for the batch.
    core::Expected<std::vector<std::vector<float>>> meanEmbeddings(const std::vector<std::vector<int64_t>>& ids) const;

private:
    struct Impl;
    explicit DnabertModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace bioforge::viral
