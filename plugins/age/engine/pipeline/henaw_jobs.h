#pragma once

// The HENAW runs:
//  - `train`: read a cohort, pick the markers (given, or those the table has
//    for most people), split it (seeded, stratified by sex, age band and
//    death), fit the standardisation on the training rows, train the
//    ensemble (henaw/henaw_trainer.h: resumable, bit-identical), save the
//    model folder (henaw-model/), and check it on the test split: age error,
//    C-index of the mortality head and of the acceleration, and whether the
//    50/80/95 % intervals cover as many people as they say;
//  - `predict`: a saved model on another table: henaw.csv with each
//    person's biological age, its SD (aleatoric and epistemic parts),
//    acceleration and mortality log-hazard.
// `evaluate --henaw MODEL` puts HENAW beside the published clocks.

#include "compute/torch_device.h"
#include "henaw/henaw_config.h"
#include "jobs/job.h"
#include "jobs/progress_model.h"
#include "pipeline/henaw_rows.h" // readHenawConfigFile, checkPrediction
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace bioforge::age {

struct HenawRunSettings {
    QString table;
    QString mapping = QStringLiteral("nhanes-bioage");
    QString model;          // predict: the model folder
    QStringList markers;    // train: empty = those the table has for most people
    QString configFile;     // train: a JSON HenawConfig whose fields override the defaults
    QJsonObject overrides;  // train: epochs, ensemble, batch_size, seed from the command line
    int threads = 0;
    // Where HENAW computes (core/compute/torch_device.h; default cpu: the network is small, and on
    // the CPU a resumed training is bit-identical to an uninterrupted one).
    core::TorchDevice device;
    double minimumCoverage = 0.7; // train: a marker enters when this share of rows has it
    // predict as a cluster shard ("shard": "i/N", 1-based): rows of the plan's shard only (henaw_shards.h).
    int shardIndex = -1; // 0-based; -1: every row
    int shardCount = 0;
    QString shardPlan;   // the plan file; empty: planned by the run itself

    static core::Expected<HenawRunSettings> fromParameters(const QJsonObject& parameters);
};

class HenawModel;

// Reads the table, trains an ensemble on it (stages "henaw-read", "henaw",
// "henaw-test") and saves it under `modelDir`; nullopt when a stop was
// requested. `summary` gets what the train run reports; the table's problems, by line and
// column, go to `validationFile` in the run folder.
std::optional<HenawModel> trainHenawOnTable(core::JobContext& ctx, const HenawRunSettings& settings, const QString& modelDir, QJsonObject* summary,
                                            const QString& validationFile, int64_t injectOutOfMemoryAt = -1);
QList<core::StageSpec> henawTrainingStages();

// A GPU lease when the device may be CUDA and this LibTorch sees one; the CPU otherwise.
core::JobRequirements henawRequirements(const HenawRunSettings& settings);
// The run's device (its lease, if any, picks the GPU), recorded in its provenance.
core::TorchDevice henawRunDevice(core::JobContext& ctx, const HenawRunSettings& settings);

class HenawTrainJob final : public core::Job {
public:
    bool resumesFromCheckpoints() const override { return true; }
    explicit HenawTrainJob(HenawRunSettings settings) : m_settings(std::move(settings)) {}
    core::JobRequirements requirements() const override { return henawRequirements(m_settings); }
    int checkpointSchema() const override { return 1; }
    core::JobOutcome run(core::JobContext& ctx) override;
    // Tests: member 0's training step n runs out of memory.
    void injectOutOfMemoryAt(int64_t step) { m_injectOutOfMemory = step; }

private:
    HenawRunSettings m_settings;
    int64_t m_injectOutOfMemory = -1;
};

class HenawPredictJob final : public core::Job {
public:
    explicit HenawPredictJob(HenawRunSettings settings) : m_settings(std::move(settings)) {}
    core::JobRequirements requirements() const override { return henawRequirements(m_settings); }
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    HenawRunSettings m_settings;
};

} // namespace bioforge::age
