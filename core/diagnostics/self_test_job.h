#pragma once

// The workbench's built-in self-test: a deterministic job of real work that
// exercises every shared path — stages with weights, progress and ETA,
// per-unit checkpoints with tensors, pause/resume, provenance of outputs and
// a report. The demo runs it until the plugins bring their own demos.
//
// Stage "generate": unit k draws `values` numbers from a seeded generator,
// mixes them through `work` rounds of integer hashing (the cost knob) and
// checkpoints them. Stage "summarise": reads every checkpoint back (verified)
// and writes units.tsv, values.safetensors and summary.json. The outputs are
// a pure function of the parameters, so an interrupted and resumed run gives
// byte-identical files.

#include "jobs/job.h"
#include "util/expected.h"

#include <QJsonObject>

#include <span>
#include <vector>

namespace bioforge::core {

class SelfTestJob final : public Job {
public:
    bool resumesFromCheckpoints() const override { return true; }
    struct Parameters {
        int units = 60;
        int values = 4096;
        int work = 5000;
        qint64 seed = 42;
        int failAtUnit = -1; // diagnostic: throw at this unit
        // The units this run generates, [firstUnit, endUnit): a cluster shard's (self_test_shards.h);
        // endUnit −1: up to `units`.
        int firstUnit = 0;
        int endUnit = -1;
        int end() const { return endUnit < 0 ? units : endUnit; }
    };

    explicit SelfTestJob(Parameters parameters) : m_parameters(parameters) {}
    static Parameters fromJson(const QJsonObject& json);

    JobOutcome run(JobContext& ctx) override;
    int checkpointSchema() const override { return 1; }

    // The numbers of one unit (exposed for tests).
    static std::vector<float> unitValues(const Parameters& p, int unit);
    // The sum of a unit's numbers in the order summary.json's grandMean adds them (double, in order).
    static double unitSum(std::span<const float> values);
    // values.safetensors: tensor "values" [units, valuesPerUnit] F32, the producer in the metadata.
    static Status writeValues(const QString& path, int units, int valuesPerUnit, const std::vector<float>& all);
    // summary.json's object: units, valuesPerUnit, seed and grandMean = grandSum / (units · valuesPerUnit).
    static QJsonObject summary(int units, int valuesPerUnit, qint64 seed, double grandSum);

private:
    void summarise(JobContext& ctx);
    Parameters m_parameters;
};

} // namespace bioforge::core
