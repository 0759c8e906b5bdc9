#include "pipeline/predict_job.h"

#include "compute/blas_core.h"
#include "compute/thread_budget.h"
#include "compute/thread_waits.h"
#include "compute/device_lease.h"
#include "checkpoint/checkpoint_store.h"
#include "io/atomic_file.h"
#include "io/safetensors_writer.h"
#include "jobs/job_context.h"
#include "model/esm2_config.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "models/model_registry.h"
#include "pipeline/embedding_stage.h"
#include "pipeline/frame_shard.h"
#include "pipeline/frame_stage.h"
#include "pipeline/model_digest.h"
#include "pipeline/results_stage.h"
#include "pipeline/result_cache.h"
#include "pipeline/shard_keys.h"
#include "pipeline/stage_weights.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstring>

namespace bioforge::viral {

using core::JobFailure;
using core::JobOutcome;
using core::orThrow;

namespace {

QByteArray floatBytes(const std::vector<float>& v)
{
    QByteArray b(qsizetype(v.size() * sizeof(float)), Qt::Uninitialized);
    std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
    return b;
}

FrameShard loadShard(core::CheckpointStore& store, int s)
{
    const QString key = shardKey("frames", s);
    auto c = store.loadOrDiscard(key);
    if (!c)
        throw JobFailure(QStringLiteral("checkpoint %1 is missing or damaged; start the run again").arg(key));
    return orThrow(FrameShard::fromCheckpoint(c->state, c->blobs.value(QStringLiteral("frames.tsv")), key));
}

// A stage checkpoint of shard s that belongs to these frames, with its tensor as floats.
std::optional<std::vector<float>> loadTensor(core::CheckpointStore& store, const QString& key, const QString& digest, const char* tensor, int64_t rows)
{
    auto c = store.loadOrDiscard(key);
    if (!c || c->state.value(QLatin1String("digest")).toString() != digest || c->state.value(QLatin1String("partial")).toBool())
        return std::nullopt;
    if (rows == 0)
        return std::vector<float>();
    if (!c->tensors)
        return std::nullopt;
    auto values = c->tensors->toFloat(QLatin1String(tensor));
    if (!values)
        return std::nullopt;
    return std::move(*values);
}

JobOutcome stopped(const core::JobContext& ctx) { return ctx.stopRequest() == core::StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled; }

} // namespace

core::JobRequirements encoderRequirements(const PredictSettings& settings)
{
    // GpuPreferred for an explicit cuda too: the lease only picks the device; a LibTorch that
    // cannot use it fails the run with resolveEncoderDevice's reason.
    if (settings.device.kind == EncoderDevice::Kind::Cpu || torchCudaDeviceCount() == 0)
        return {core::DeviceNeed::CpuOnly, false};
    core::JobRequirements needs{core::DeviceNeed::GpuPreferred, false};
    // auto and cuda (no number) spread the shards over every GPU that is free when the run
    // starts; cuda:N is that device alone.
    if (settings.device.index < 0)
        needs.maxGpus = torchCudaDeviceCount();
    return needs;
}

std::vector<EncoderDevice> encoderDevices(const EncoderDevice& resolved, const EncoderDevice& requested, const core::DeviceLease* lease)
{
    std::vector<EncoderDevice> devices{resolved};
    if (!resolved.isCuda() || requested.index >= 0 || !lease)
        return devices;
    for (const core::DeviceInfo& d : lease->devices())
        if (d.kind == core::DeviceKind::Cuda && d.index != resolved.index) {
            EncoderDevice more = resolved;
            more.index = d.index;
            devices.push_back(more);
        }
    return devices;
}

int leasedCudaIndex(const core::JobContext& ctx)
{
    const core::DeviceLease* lease = ctx.device();
    return lease && lease->device().kind == core::DeviceKind::Cuda ? lease->device().index : -1;
}

JobOutcome PredictJob::run(core::JobContext& ctx)
{
    // The encoders' shares of the bar by what a frame costs in each (the ETA extrapolates the bar);
    // models that cannot be read fail below, where they are loaded, with the file named.
    const auto costs = encoderCosts(m_settings);
    ctx.defineStages(predictStages(costs ? std::optional<EncoderCosts>(*costs) : std::nullopt));
    m_device = orThrow(resolveEncoderDevice(m_settings.device, leasedCudaIndex(ctx)));
    m_devices = m_spreadOver.empty() ? encoderDevices(m_device, m_settings.device, ctx.device()) : m_spreadOver;
    for (EncoderDevice& d : m_devices) // each leased GPU checked against what LibTorch sees
        d = orThrow(resolveEncoderDevice(d));
    m_settings.computedOnCuda = m_device.isCuda();
    if (QString note; m_settings.threads > 0) { // 0: every core
        m_settings.threads = core::usableThreads(m_settings.threads, &note);
        if (!note.isEmpty())
            ctx.warn(note);
    }
    setTorchThreads(m_settings.threads, m_settings.precision);
    configureTorchHeap();
    if (m_settings.esmLayer < 0) // the model's last layer, from its own configuration
        m_settings.esmLayer = orThrow(Esm2Config::fromFile(QDir(m_settings.esm.path).filePath(QStringLiteral("config.json")))).layers;
    resolveModelDigests(ctx);
    recordProvenance(ctx);
    if (auto spec = ClassifierSpec::fromFile(ClassifierSpec::pathFor(m_settings.classifier.path)); spec) {
        if (spec->randomWeights())
            ctx.warn(QStringLiteral("the classifier %1 is a TEST model with %2: its viral / non-viral calls mean nothing") // the note: "random weights (seed N), never trained"
                         .arg(m_settings.classifier.path, spec->note));
        // A classifier learnt what chunks of one length look like: cut otherwise, its calls are not the method's.
        if (spec->chunkLength > 0 && spec->chunkLength != m_settings.chunkLength)
            ctx.warn(QStringLiteral("the classifier %1 was trained on %2-base chunks (its chunk_length) and this run cuts %3-base chunks: its calls "
                                    "are not those it was validated for; give --chunk_length %2, or a classifier trained on %3-base chunks")
                         .arg(m_settings.classifier.path, QString::number(spec->chunkLength), QString::number(m_settings.chunkLength)));
        else if (spec->chunkLength == 0 && m_settings.chunkLength != 300 && m_settings.chunkLength != 500)
            ctx.warn(QStringLiteral("chunk_length %1 is not one the published VirNucPro classifiers were trained on (300 and 500), and the classifier "
                                    "%2 does not say its own (\"chunk_length\" in its JSON): its calls may mean little")
                         .arg(QString::number(m_settings.chunkLength), m_settings.classifier.path));
    }
    // Bounds that make the rule say "viral" of everything it scores (allowed: [0, 1] both): said once.
    if (m_settings.call.threshold <= 0 || (m_settings.call.rule == ContigRule::ViralFraction && m_settings.call.minFraction <= 0))
        ctx.warn(QStringLiteral("the contig rule (%1) calls every scored contig viral, whatever its scores: %2 0 decides nothing")
                     .arg(m_settings.call.describe(), m_settings.call.threshold <= 0 ? QStringLiteral("--threshold") : QStringLiteral("--viral_fraction")));
    const ResultCache cache(m_settings.resultsCacheable() ? ctx.cacheDir() : QString(), m_settings.cacheKey());

    const std::optional<FrameIndex> index = runFrameStage(ctx, m_settings, cache);
    if (!index)
        return stopped(ctx);
    for (Encoder e : {Encoder::Dnabert, Encoder::Esm2})
        if (!runEmbeddingStage(ctx, e, m_settings, m_devices, *index))
            return stopped(ctx);
    if (!mergeStage(ctx, *index) || !classifyStage(ctx, *index))
        return stopped(ctx);
    runResultsStage(ctx, m_settings, *index);
    if (!m_settings.keepFeatures)
        for (int s = 0; s < index->shards; ++s)
            for (const char* stage : {"dnabert", "esm", "merged"})
                (void)ctx.checkpoints().remove(shardKey(stage, s));
    return JobOutcome::Finished;
}

void PredictJob::resolveModelDigests(core::JobContext& ctx)
{
    // Models given by path are checksummed as the registry would; a resumed run
    // reuses the checksums of files whose names, sizes and times are unchanged.
    // Models given by name are the registry's files: a file changed since it was registered (an
    // in-place update, a bad copy) would give other results under the registry's checksum, and
    // fill the result cache with them under that key.
    for (ModelSource* m : {&m_settings.dnabert, &m_settings.esm, &m_settings.classifier}) {
        if (!m->registered)
            continue;
        m->files = m->registered->provenanceFiles();
        ctx.setMessage(QStringLiteral("checking the files of model %1").arg(m->name));
        QList<core::ModelFile> read; // files whose time was not the recorded one (or none was): read whole
        core::Status same = m->registered->verifyFiles(true, &read);
        if (same && !read.isEmpty() && !m->registryFile.isEmpty())
            if (core::Status noted = core::ModelRegistry(m->registryFile).recordTimes(m->name, read); !noted) // the next run's check is quick
                ctx.warn(QStringLiteral("model %1: its files verify, but their times could not be recorded (%2); the next run reads them again")
                             .arg(m->name, noted.error().message()));
        if (!same)
            throw JobFailure(core::Error(QStringLiteral("%1; the run does not use a model that changed since it was registered (bioforge models verify %2 "
                                                        "says it again; bioforge models import %2 … registers the files as they are now, if the change is meant)")
                                             .arg(same.error().message(), m->name),
                                         same.error().kind()));
    }
    core::CheckpointStore& store = ctx.checkpoints();
    const QString key = QStringLiteral("models/digests");
    QJsonObject known = store.loadOrDiscard(key).value_or(core::LoadedCheckpoint{}).state;
    bool changed = false;
    for (ModelSource* m : {&m_settings.dnabert, &m_settings.esm, &m_settings.classifier}) {
        if (!m->sha256.isEmpty())
            continue;
        const QString fingerprint = modelFingerprint(m->path);
        const QJsonObject entry = known.value(m->path).toObject();
        if (entry.value(QLatin1String("fingerprint")).toString() == fingerprint) {
            m->sha256 = entry.value(QLatin1String("sha256")).toString();
            m->files = core::filesFromJson(entry.value(QLatin1String("files"))); // none in a checkpoint of an earlier version
            continue;
        }
        ctx.setMessage(QStringLiteral("computing the checksum of %1").arg(m->path));
        const core::ModelEntry digests = orThrow(modelFileDigests(m->path));
        m->sha256 = digests.combinedSha256();
        m->files = digests.provenanceFiles();
        known.insert(m->path, QJsonObject{{QStringLiteral("fingerprint"), fingerprint}, {QStringLiteral("sha256"), m->sha256},
                                          {QStringLiteral("files"), core::filesToJson(m->files)}});
        changed = true;
    }
    if (changed)
        orThrow(store.save(key, known));
    // Checkpoints only fit the models and settings they were made with.
    const QString usedKey = QStringLiteral("models/used");
    if (auto used = store.loadOrDiscard(usedKey)) {
        if (used->state.value(QLatin1String("result_key")).toString() != m_settings.resultKey())
            throw JobFailure::needingNewRun(QStringLiteral("the models or settings changed since this run began; start a new run"));
    } else {
        orThrow(store.save(usedKey, {{QStringLiteral("result_key"), m_settings.resultKey()}}));
    }
}

void PredictJob::recordProvenance(core::JobContext& ctx)
{
    for (const QString& input : m_settings.inputs)
        orThrow(ctx.provenance().addInputFile(QStringLiteral("FASTA"), input));
    for (const ModelSlot& slot : kModelSlots) {
        const ModelSource& m = m_settings.*slot.member;
        ctx.provenance().addModel({QStringLiteral("%1 (%2)").arg(m.name, QString::fromUtf8(slot.label)), m.revision, m.sha256, m.path, m.files});
    }
    ctx.provenance().addLibrary(QStringLiteral("LibTorch"), QString::fromStdString(torchVersion()));
    ctx.provenance().addLibrary(QStringLiteral("LibTorch threads"), QString::number(torchThreads()) + torchThreadPools());
    ctx.provenance().addLibrary(QStringLiteral("idle compute threads"), core::describeThreadWaits());
    ctx.provenance().addLibrary(QStringLiteral("encoder precision"), precisionName(m_settings.precision));
    if (const QString blas = core::describeLoadedBlas(); !blas.isEmpty())
        ctx.provenance().addLibrary(QStringLiteral("BLAS"), blas);
    ctx.provenance().addLibrary(QStringLiteral("LibTorch CPU kernels"), core::describeAtenCapability());
    if (m_settings.precision == EncoderPrecision::BFloat16 && !m_device.isCuda() && !cpuHasBFloat16Tiles())
        ctx.provenance().addWarning(QStringLiteral("precision bf16: this CPU has no AMX bfloat16 tiles this process may use, so the bfloat16 products run as float32 "
                                                   "products of the bfloat16 values, rounded to bfloat16 once: bf16's results at about fp32's speed"));
    if (m_settings.precision == EncoderPrecision::Int8) {
        ctx.provenance().addLibrary(QStringLiteral("int8 products"), int8ProductsDescription());
        ctx.provenance().addWarning(QStringLiteral("precision int8: approximate — the encoders' linear layers ran as dynamic int8 products; embeddings differ from fp32 "
                                                   "by 1-2 % of their largest value on the test models and more where activations have outlier channels; "
                                                   "calls near the threshold may differ from an fp32 run (docs/viral.md)"));
    }
    QString device;
    if (m_device.isCuda()) {
        const core::DeviceLease* lease = ctx.device();
        QStringList names;
        for (const EncoderDevice& d : m_devices) {
            QString name;
            if (lease)
                for (const core::DeviceInfo& leased : lease->devices())
                    if (leased.kind == core::DeviceKind::Cuda && leased.index == d.index)
                        name = QStringLiteral(", ") + leased.name;
            names << d.label() + name;
        }
        device = QStringLiteral("%1 (encoders on LibTorch CUDA%2; the classifier on the CPU)")
                     .arg(names.join(QStringLiteral("; ")), m_devices.size() > 1 ? QStringLiteral(", shards split over %1 GPUs").arg(m_devices.size()) : QString());
    } else {
        device = m_settings.precision == EncoderPrecision::Int8 ? QStringLiteral("CPU (precision int8 runs on the CPU only)")
                 : m_settings.device.kind == EncoderDevice::Kind::Cpu ? QStringLiteral("CPU (asked for)")
                 : torchHasCuda()                                    ? QStringLiteral("CPU")
                                                                     : QStringLiteral("CPU (this LibTorch has no CUDA)");
    }
    ctx.provenance().addLibrary(QStringLiteral("viral compute device"), device);
}

bool PredictJob::mergeStage(core::JobContext& ctx, const FrameIndex& index)
{
    core::CheckpointStore& store = ctx.checkpoints();
    ctx.beginStage(QStringLiteral("merge"), std::max(1, index.shards));
    for (int s = 0; s < index.shards; ++s) {
        const FrameShard shard = loadShard(store, s);
        const QString digest = shard.digest();
        const int64_t rows = int64_t(shard.frames.size());
        if (loadTensor(store, shardKey("merged", s), digest, "features", rows)) {
            ctx.advance();
            continue;
        }
        const auto dna = loadTensor(store, shardKey("dnabert", s), digest, "embeddings", rows);
        const auto protein = loadTensor(store, shardKey("esm", s), digest, "embeddings", rows);
        if (!dna || !protein)
            throw JobFailure(QStringLiteral("shard %1: the DNABERT-S and ESM-2 embeddings do not belong to the same frames "
                                            "(the checkpoints name other frame ids); start the run again").arg(s));
        const int64_t dw = rows ? int64_t(dna->size()) / rows : 0, pw = rows ? int64_t(protein->size()) / rows : 0;
        std::vector<float> merged(size_t(rows * (dw + pw)));
        for (int64_t r = 0; r < rows; ++r) {
            std::copy_n(dna->begin() + r * dw, dw, merged.begin() + r * (dw + pw));
            std::copy_n(protein->begin() + r * pw, pw, merged.begin() + r * (dw + pw) + dw);
        }
        core::SafetensorsWriter tensors;
        if (rows)
            orThrow(tensors.add(QStringLiteral("features"), core::DType::F32, {rows, dw + pw}, floatBytes(merged)));
        orThrow(store.save(shardKey("merged", s), {{QStringLiteral("digest"), digest}, {QStringLiteral("rows"), double(rows)}}, rows ? &tensors : nullptr));
        ctx.advance();
        if (ctx.stopRequested())
            return false;
    }
    return true;
}

bool PredictJob::classifyStage(core::JobContext& ctx, const FrameIndex& index)
{
    core::CheckpointStore& store = ctx.checkpoints();
    ctx.beginStage(QStringLiteral("classify"), std::max(1, index.shards));
    std::unique_ptr<VirusClassifier> classifier;
    for (int s = 0; s < index.shards; ++s) {
        const FrameShard shard = loadShard(store, s);
        const QString digest = shard.digest();
        const int64_t rows = int64_t(shard.frames.size());
        if (loadTensor(store, shardKey("classify", s), digest, "probabilities", rows)) {
            ctx.advance();
            continue;
        }
        const auto features = loadTensor(store, shardKey("merged", s), digest, "features", rows);
        if (!features)
            throw JobFailure(QStringLiteral("checkpoint %1 is missing or damaged; start the run again").arg(shardKey("merged", s)));
        if (!classifier)
            classifier = orThrow(VirusClassifier::load(m_settings.classifier.path));
        const int64_t width = rows ? int64_t(features->size()) / rows : 0;
        if (rows && width != classifier->spec().inputDim)
            throw JobFailure(QStringLiteral("the merged features have %1 values per frame but the classifier takes %2: "
                                            "the encoders and the classifier do not belong together").arg(QString::number(width),
                                                                                                          QString::number(classifier->spec().inputDim)));
        std::vector<std::vector<float>> input;
        for (int64_t r = 0; r < rows; ++r)
            input.emplace_back(features->begin() + r * width, features->begin() + (r + 1) * width);
        const auto probabilities = orThrow(classifier->probabilities(input));
        std::vector<float> flat;
        for (const auto& p : probabilities)
            flat.insert(flat.end(), p.begin(), p.end());
        core::SafetensorsWriter tensors;
        const int64_t classes = classifier->spec().classes.size();
        if (rows)
            orThrow(tensors.add(QStringLiteral("probabilities"), core::DType::F32, {rows, classes}, floatBytes(flat)));
        orThrow(store.save(shardKey("classify", s), {{QStringLiteral("digest"), digest}, {QStringLiteral("rows"), double(rows)}}, rows ? &tensors : nullptr));
        ctx.advance();
        if (ctx.stopRequested())
            return false;
    }
    return true;
}

} // namespace bioforge::viral
