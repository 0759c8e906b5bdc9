#pragma once

// Everything a `viral predict` run is configured with, from its parameters.
// Models are folders (or, for the classifier, a .safetensors file) already
// resolved from the model registry; their shapes come from their own files.
// resultKey() digests exactly what changes a contig's result (chunking, span
// rule, model checksums, layer, truncation), so a result computed under the
// same key can be reused by a later run.

#include "model/encoder_device.h"
#include "models/model_entry.h"
#include "model/encoder_precision.h"
#include "pipeline/contig_call.h"
#include "sequence/six_frames.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <array>

#include <optional>

namespace bioforge::viral {

struct ModelSource {
    QString name;   // registry name, or the path when given directly
    QString path;   // folder (encoders) or .safetensors file (classifier)
    QString sha256; // combined checksum of the model's files
    QString revision;
    // The registry's entry when the model was given by name: the run checks its files against it
    // (ModelEntry::verifyFiles) before they are used. Not a parameter: set by the plugin.
    std::optional<core::ModelEntry> registered;
    QString registryFile; // where `registered` is kept: the times of files read by the check are recorded there
    // Each file with its SHA-256, once the run knows them (provenance: core::ModelRef::files).
    QList<core::FileRef> files{};
};

struct PredictSettings {
    QStringList inputs;            // FASTA files, plain or gzip
    int chunkLength = 300;
    NucleotideSpan span = NucleotideSpan::Reference;
    ModelSource dnabert, esm, classifier;
    int64_t esmLayer = -1;         // -1: the model's last layer
    int64_t esmTruncation = 1024;  // residues averaged per protein
    int64_t dnabertTokensPerBatch = 8192;
    int64_t esmTokensPerBatch = 4096;
    int framesPerShard = 512;
    CallRule call;
    bool keepFeatures = true;      // keep the per-shard feature checkpoints after the run
    bool reuseResults = true;      // reuse results of unchanged contigs from earlier runs
    int threads = 0;               // 0: all cores
    EncoderPrecision precision = EncoderPrecision::Float32; // part of resultKey()
    // Where the encoders run (encoder_device.h; resolved when the run starts). The run sets
    // computedOnCuda once it is: results computed on a GPU get keys of their own (its kernels
    // round differently, in bf16 more than by reordering), CPU keys stay those of older runs.
    EncoderDevice device = core::TorchDevice{core::TorchDevice::Kind::Auto};
    bool computedOnCuda = false;
    // A cluster shard run ("shard": "i/N", 1-based in the parameters): the
    // run computes shard i of N of the single-machine layout (shard_plan.h).
    int shardIndex = -1;           // 0-based; -1: the whole input
    int shardCount = 0;
    QString shardPlan;             // the plan file; empty: planned by the run itself
    bool sharded() const { return shardIndex >= 0; }

    // Parameters as the run records them (model fields already resolved to paths).
    static core::Expected<PredictSettings> fromParameters(const QJsonObject& parameters);
    QString resultKey() const;
    // The project cache's key (ResultCache): resultKey() and the batching (shard_frames, tokens per
    // batch), since the encoders' floating-point results depend on a frame's batch: a run reused
    // results computed at other batch sizes, and its numbers differed from a fresh run's and the
    // cluster run's in the last digits (trial 22). Not the checkpoints' key: a run keeps its own.
    QString cacheKey() const;
    // Results can be cached for later runs only when every model's checksum is known.
    bool resultsCacheable() const;
};

// The run's three models, in the order runs list them: `parameter` names the model in the verb's
// parameters (--dnabert, --esm, --classifier), a shard plan's `made_from.models` and its messages;
// `label` is the model's name in provenance (DNABERT-S, ESM-2, classifier).
struct ModelSlot {
    const char* parameter;
    const char* label;
    ModelSource PredictSettings::*member;
};
inline constexpr std::array<ModelSlot, 3> kModelSlots{{{"dnabert", "DNABERT-S", &PredictSettings::dnabert},
                                                       {"esm", "ESM-2", &PredictSettings::esm},
                                                       {"classifier", "classifier", &PredictSettings::classifier}}};

} // namespace bioforge::viral
