#pragma once

// tst_gpu_backend's targets and helpers: where a check runs (a real device, the SIMT module, the
// per-block host emulation), the logit tolerances, loading a model on a target, greedy decoding.

#include "compute/device_choice.h"
#include "compute/gpu_backend.h"
#include "gguf/gguf_file.h"
#include "gpu/llm_gpu_module.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"

#include <QString>

#include <algorithm>
#include <memory>
#include <vector>

namespace bioforge::llm::gpubackendtest {

// Of the largest |logit| of the CPU's row. The matrix products differ from the
// CPU's only in the order of float sums (~1e-7 relative), but a layer's output
// is rounded again when it becomes the next product's activations (Q8_0, Q8_K,
// F16): a value that lands on the other side of a rounding step moves by a
// whole step (2^-11 relative for F16). Measured with the host emulation
// against the scalar reference: Q8_0 and Q4_0 0 (same order), K-quants and
// BF16 ~3e-7, F32 1.2e-6, F16 5.7e-4.
constexpr double kLogitTolerance = 2e-3;
// BF16 activations round at a step of 2^-8 relative, 8 times F16's: the same argument gives 8 times
// the bound, on every target (a real device sums in the kernels' order too). The module's real
// kernels (SIMT emulation: each lane sums 8 products of a 16-byte load, then the team's tree)
// measured up to 3.2e-3 over the 9 steps on the BF16 model (2.2e-3 at the first); the per-block
// emulation, whose order differs, 3e-7.
constexpr double kLogitToleranceBF16 = 8 * kLogitTolerance;

// Where a test runs: a real device, or the host emulation module.
struct Target {
    QString label;
    DeviceChoice device;                     // a real device, when module is null
    std::shared_ptr<const GpuModule> module; // the host emulation
};

// What the GPU back-end runs on the CPU (norms, attention, SiLU) takes the reference kernels, as
// the CPU model it is compared with: the comparison isolates the device's matrix products (the
// AVX-512 elementwise ops use a vector exp a few ulp from libm's, enough to move a random model's
// logits by a rounding step of its activations).
inline core::Expected<LlamaModel::Options> optionsFor(const Target& target, size_t weightBytes = 0)
{
    if (target.module)
        return gpuBackendOptions(target.module, 0, 2, weightBytes, KernelPath::Reference);
    return backendOptions(target.device, 2, weightBytes, KernelPath::Reference);
}

inline std::unique_ptr<LlamaModel> load(const QString& path, const Target* target, QString* error)
{
    auto file = GgufFile::open(path);
    if (!file) {
        *error = file.error().message();
        return nullptr;
    }
    std::shared_ptr<const GgufFile> shared(std::move(*file));
    auto options = target ? optionsFor(*target) : core::Expected<LlamaModel::Options>(LlamaModel::Options::cpu(2, KernelPath::Reference));
    if (!options) {
        *error = options.error().message();
        return nullptr;
    }
    auto model = LlamaModel::load(shared, *options);
    if (!model) {
        *error = model.error().message();
        return nullptr;
    }
    return std::move(*model);
}

inline TokenId argmax(const std::vector<float>& logits)
{
    return TokenId(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Greedy continuation of `prompt` for `count` tokens; every step's logits in *rows; the host's KV
// cache at the end (every layer's keys, then values, of the stored positions) in *cacheRows.
inline std::vector<TokenId> greedy(LlamaModel& model, const std::vector<TokenId>& prompt, int count, std::vector<std::vector<float>>* rows,
                            std::vector<float>* cacheRows = nullptr)
{
    auto cache = model.newCache(int64_t(prompt.size()) + count + 1);
    std::vector<float> logits;
    std::vector<TokenId> out;
    if (!model.evaluate(prompt.data(), int64_t(prompt.size()), *cache, logits))
        return out;
    for (int i = 0; i < count; ++i) {
        if (rows)
            rows->push_back(logits);
        const TokenId next = argmax(logits);
        out.push_back(next);
        if (!model.evaluate(&next, 1, *cache, logits))
            break;
    }
    if (cacheRows) {
        cacheRows->clear();
        for (int64_t layer = 0; layer < cache->layers(); ++layer) {
            cacheRows->insert(cacheRows->end(), cache->key(layer, 0), cache->key(layer, 0) + cache->size() * cache->width());
            cacheRows->insert(cacheRows->end(), cache->value(layer, 0), cache->value(layer, 0) + cache->size() * cache->width());
        }
    }
    return out;
}


} // namespace bioforge::llm::gpubackendtest
