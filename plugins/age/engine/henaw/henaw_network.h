#pragma once

// A HENAW network (one ensemble member) behind a plain C++ face: LibTorch
// stays in henaw_network.cpp. The architecture follows the public reference
// (henaw_model.py, HENAWModel), built from the configuration instead of
// hard-coded sizes:
//   weights w = normalise(softmax(-lambda cv / tau) * softmax(ageNet(a)))
//     a = a linear probe's age estimate from the markers (detached): the
//     reference feeds chronological age, the very target, into the weights
//     (label leakage); here the weights adapt to the age the markers suggest;
//   xw = x * w * n (weights average 1);
//   per-marker encoders Linear(1,E)-ReLU-Dropout-Linear(E,E); within each
//   system multi-head self-attention (+ residual) and Linear(k E, E); across
//   systems multi-head attention (+ residual), flattened [B, S E];
//   h(xw) = Linear(n,h0)-ReLU-BN-Dropout-Linear(h0,h1)-ReLU-BN-Dropout;
//   g = Linear(ng,32)-ReLU-Dropout-Linear(32,16) on the engineered features;
//   heads on [systems | h | g]: age mean and age log-variance (Gaussian
//   NLL: the uncertainty the reference lacks), mortality log-hazard (Cox;
//   this head alone also sees chronological age, as PhenoAge does),
//   one logit per morbidity (BCE with logits: safe under autocast, unlike the
//   reference's sigmoid + BCELoss).
// Loss = w_age NLL(age) + w_mort Cox + w_morb BCE (over labels present) +
// w_probe MSE(probe) + lambda (alpha mean|W| + (1 - alpha) mean W^2) over
// Linear and attention weights (not BatchNorm). Age in standardised units.
// Adam (torch.optim.Adam's update, no weight decay: the penalty regularises),
// gradients clipped to a norm.

#include "compute/torch_device.h"
#include "henaw/henaw_config.h"
#include "util/expected.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bioforge::age {

// Rows of a batch, row-major; targets NaN where unknown.
struct HenawBatch {
    int64_t rows = 0;
    const float* x = nullptr;         // rows x markers (standardised)
    const float* g = nullptr;         // rows x engineered
    const float* age = nullptr;       // standardised age
    const float* time = nullptr;      // follow-up months (NaN: no survival data)
    const float* event = nullptr;     // 1 died, 0 censored
    const float* morbidity = nullptr; // rows x morbidities, NaN unknown (may be null when there are none)
};

struct NamedArray {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
};

// Thrown by a step that ran out of device memory: nothing was applied.
struct HenawOutOfMemory {
    std::string what;
};

class HenawNetwork {
public:
    // predict() runs rows in chunks of this many, from the first row it is given: a
    // cluster shard that starts at a multiple of it computes the same bits as a whole-table run.
    static constexpr int64_t kPredictChunkRows = 8192;
    struct Loss {
        double total = 0, age = 0, mortality = 0, morbidity = 0, probe = 0, penalty = 0;
        int64_t rows = 0;
    };
    struct Outputs {
        std::vector<float> ageMean, ageLogVar, logHazard, probe; // per row
        std::vector<float> weights;                              // rows x markers
        std::vector<float> morbidity;                            // rows x morbidities (probabilities)
    };

    // `device`: a resolved one (resolveHenawDevice; not auto). On CUDA the parameters, Adam's
    // moments and every batch live on the device; inputs go in and outputs come back as host
    // arrays, so nothing else changes. Training there is reproducible to float rounding (CUDA's
    // atomics reorder sums), not bit for bit as on the CPU.
    static core::Expected<std::unique_ptr<HenawNetwork>> create(const HenawConfig& config, const std::vector<double>& coefficientsOfVariation, uint64_t seed,
                                                                const core::TorchDevice& device = {});
    ~HenawNetwork();

    // One optimiser step (training mode). Throws HenawOutOfMemory (nothing applied) on device memory exhaustion.
    Loss trainStep(const HenawBatch& batch, double learningRate);
    struct Evaluation {
        Loss loss;
        Outputs outputs;
    };
    // Without dropout and with BatchNorm's running statistics, the forward pass in chunks of
    // kPredictChunkRows (the device holds one chunk's activations; the Cox term of the loss
    // still sees every row). evaluate() gives the loss and the outputs of one pass; `chunkRows`
    // other than the default is for tests (the chunks agree with one pass to float rounding).
    Evaluation evaluate(const HenawBatch& batch, int64_t chunkRows = kPredictChunkRows) const;
    Loss evaluateLoss(const HenawBatch& batch) const;
    Outputs predict(const HenawBatch& batch) const;

    // Parameters and buffers (a trained model), and everything a bit-identical
    // resume needs on top: Adam's moments and step, the random generator.
    std::vector<NamedArray> weights() const;
    std::vector<NamedArray> trainingState() const;
    core::Status load(const std::vector<NamedArray>& arrays, bool withTrainingState);
    int64_t parameterCount() const;

    // Makes trainStep number `step` (counted from now) fail as out of memory: the recovery path's test.
    void injectOutOfMemoryAt(int64_t step);

private:
    HenawNetwork();
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace bioforge::age
