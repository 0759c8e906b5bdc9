#pragma once

// `viral predict`: VirNucPro on a set of FASTA files, as a resumable job.
// Stages, each checkpointed per shard of whole contigs:
//   frames   (chunk + six-frame translation; frame_stage.h)
//   dnabert  (DNABERT-S embeddings of the nucleotide spans; embedding_stage.h)
//   esm      (ESM-2 embeddings of the proteins)
//   merge    ([DNABERT | ESM] per frame, ids checked one to one)
//   classify (the MLP head: class probabilities per frame)
//   results  (reference-layout predictions, frames/chunks/contigs tables,
//             contig calls, the project's result cache, summary.json)
// A pause or a crash at any point resumes to byte-identical result files.

#include "jobs/job.h"
#include "pipeline/predict_settings.h"

#include <vector>

namespace bioforge::core {
class DeviceLease;
}

namespace bioforge::viral {

struct FrameIndex;

// A GPU lease where the encoders may run on CUDA (device auto or cuda[:N] and a LibTorch that
// sees a CUDA device); the CPU otherwise. PredictJob's and ValidateJob's.
core::JobRequirements encoderRequirements(const PredictSettings& settings);
// The CUDA device number of the job's GPU lease; -1 without one.
int leasedCudaIndex(const core::JobContext& ctx);
// The devices the encoder stages run on: `resolved` (the run's device) and, where the device
// asked for is auto or cuda without a number, every other CUDA GPU of the job's lease.
std::vector<EncoderDevice> encoderDevices(const EncoderDevice& resolved, const EncoderDevice& requested, const core::DeviceLease* lease);

class PredictJob final : public core::Job {
public:
    bool resumesFromCheckpoints() const override { return true; }
    explicit PredictJob(PredictSettings settings) : m_settings(std::move(settings)) {}

    // A GPU lease where the encoders may run on CUDA (device auto or cuda[:N] and a LibTorch
    // that sees a CUDA device); the CPU otherwise.
    core::JobRequirements requirements() const override { return encoderRequirements(m_settings); }
    // 3: a contig that fits in a shard never spans two; 4: U read as T (a run paused before
    // would mix both readings of an RNA contig: its checkpoints are recomputed); 5: alignment
    // gaps removed (likewise).
    int checkpointSchema() const override { return 5; }
    core::JobOutcome run(core::JobContext& ctx) override;
    // The devices the encoder stages split their shards over, instead of those of the lease
    // (tests: two CPU workers stand in for two GPUs).
    void spreadOver(std::vector<EncoderDevice> devices) { m_spreadOver = std::move(devices); }

private:
    bool mergeStage(core::JobContext& ctx, const FrameIndex& index);
    bool classifyStage(core::JobContext& ctx, const FrameIndex& index);
    void resolveModelDigests(core::JobContext& ctx);
    void recordProvenance(core::JobContext& ctx);

    PredictSettings m_settings;
    EncoderDevice m_device;               // resolved when the run starts
    std::vector<EncoderDevice> m_devices; // m_device and the lease's other GPUs (auto, cuda)
    std::vector<EncoderDevice> m_spreadOver;
};

} // namespace bioforge::viral
