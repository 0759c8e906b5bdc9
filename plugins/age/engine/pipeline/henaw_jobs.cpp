#include "pipeline/henaw_jobs.h"
#include "pipeline/henaw_rows.h"
#include "pipeline/henaw_shards.h"

#include "checkpoint/checkpoint_store.h"
#include "cluster/shard_split.h"
#include "compute/blas_core.h"
#include "compute/thread_budget.h"
#include "compute/thread_waits.h"
#include "compute/device_lease.h"
#include "henaw/age_stratified_sampler.h"
#include "henaw/feature_encoder.h"
#include "henaw/henaw_model.h"
#include "henaw/henaw_model_folder.h"
#include "henaw/henaw_network.h"
#include "henaw/henaw_runtime.h"
#include "henaw/henaw_trainer.h"
#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "io/json_file.h"
#include "jobs/job_context.h"
#include "pipeline/clock_outputs.h"
#include "pipeline/clock_run.h"
#include "provenance/provenance_recorder.h"
#include "stats/survival_stats.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bioforge::age {

using core::Error;
using core::JobFailure;
using core::JobOutcome;
using core::orThrow;

// The fewest usable people HENAW trains on: with the default 70/15/15 split, 15 validation and
// 15 test rows — fewer give an early stop and a test C-index on a handful of people.
constexpr qsizetype kHenawMinimumRows = 100;

core::Expected<HenawRunSettings> HenawRunSettings::fromParameters(const QJsonObject& p)
{
    HenawRunSettings s;
    s.table = p.value(QLatin1String("table")).toString();
    if (s.table.isEmpty())
        return Error(QStringLiteral("age: no table given"));
    s.mapping = p.value(QLatin1String("map")).toString(s.mapping);
    if (s.mapping.isEmpty())
        s.mapping = QStringLiteral("nhanes-bioage");
    s.model = henawModelFolder(p.value(QLatin1String("model")).toString()); // model.json, as train prints it: its folder
    for (const QString& m : p.value(QLatin1String("markers")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
        s.markers << m.trimmed();
    s.configFile = p.value(QLatin1String("config")).toString();
    for (const char* key : {"epochs", "ensemble", "batch_size", "seed"})
        if (p.contains(QLatin1String(key)) && !p.value(QLatin1String(key)).isNull()) // null: not given (the verb's default)
            s.overrides.insert(QLatin1String(key), p.value(QLatin1String(key)));
    s.threads = p.value(QLatin1String("threads")).toInt(0);
    const auto device = core::parseTorchDevice(p.value(QLatin1String("device")).toString(QStringLiteral("cpu")));
    if (!device)
        return Error(QStringLiteral("age: %1").arg(device.error().message()));
    s.device = *device;
    if (const QString shard = p.value(QLatin1String("shard")).toString(); !shard.isEmpty()) {
        const auto spec = core::parseShardSpec(shard, QStringLiteral("age predict"));
        if (!spec)
            return spec.error();
        s.shardIndex = spec->index;
        s.shardCount = spec->count;
        s.shardPlan = p.value(QLatin1String("shard_plan")).toString();
    }
    return s;
}

namespace {

JobOutcome stopped(const core::JobContext& ctx) { return ctx.stopRequest() == core::StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled; }

// --threads (0: every core), at most the hardware threads, said when capped.
int usableHenawThreads(core::JobContext& ctx, int asked)
{
    QString note;
    const int threads = asked > 0 ? core::usableThreads(asked, &note) : 0;
    if (!note.isEmpty())
        ctx.warn(note);
    return threads;
}

HenawSplitData splitData(const Cohort& c, const FeatureEncoder& encoder, const std::vector<qsizetype>& rows)
{
    HenawSplitData d;
    d.rows = orThrow(encoder.encode(c, rows));
    d.ageSd = encoder.ageSd();
    for (qsizetype r : rows) {
        d.time.push_back(c.hasSurvival(r) ? float(c.followupMonths[size_t(r)]) : std::nanf(""));
        d.event.push_back(c.hasSurvival(r) ? float(c.event[size_t(r)]) : 0.0f);
    }
    return d;
}

// Each system's markers with their adaptive weight, averaged over the people predicted.
QJsonArray meanWeights(const HenawConfig& config, const HenawPrediction& p)
{
    std::vector<double> mean(static_cast<size_t>(config.markers.size()), 0.0);
    for (const auto& row : p.weights)
        for (size_t j = 0; j < mean.size() && j < row.size(); ++j)
            mean[j] += row[j] / double(p.weights.size());
    QJsonArray out;
    for (const HenawSystem& s : config.systems)
        for (const QString& m : s.markers)
            out.append(QJsonObject{{QStringLiteral("system"), s.name}, {QStringLiteral("marker"), m},
                                   {QStringLiteral("weight"), mean[size_t(config.markers.indexOf(m))]}});
    return out;
}

} // namespace

core::JobRequirements henawRequirements(const HenawRunSettings& s)
{
    if (s.device.kind == core::TorchDevice::Kind::Cpu || henawCudaDevices() == 0)
        return {core::DeviceNeed::CpuOnly, false};
    return {core::DeviceNeed::GpuPreferred, false};
}

core::TorchDevice henawRunDevice(core::JobContext& ctx, const HenawRunSettings& s)
{
    const core::DeviceLease* lease = ctx.device();
    const core::TorchDevice d = orThrow(resolveHenawDevice(s.device, lease && lease->device().kind == core::DeviceKind::Cuda ? lease->device().index : -1));
    ctx.provenance().addLibrary(QStringLiteral("HENAW device"), d.isCuda() ? QStringLiteral("%1 (LibTorch CUDA)").arg(d.label()) : QStringLiteral("CPU"));
    return d;
}

QList<core::StageSpec> henawTrainingStages()
{
    return {{QStringLiteral("henaw-read"), QStringLiteral("Read the training table"), 0.05, QStringLiteral("tables")},
            {QStringLiteral("henaw"), QStringLiteral("Train the HENAW ensemble"), 0.9, QStringLiteral("epochs")},
            {QStringLiteral("henaw-test"), QStringLiteral("Check HENAW on the test split"), 0.05, QStringLiteral("steps")}};
}

namespace {

// The LibTorch threads of a training, the same for its resume: LibTorch's CPU reductions split by
// thread, so another count (a resume in another shell, another Slurm allocation, "every core" on
// another machine) would change the last bits of the weights. Checkpointed as "henaw-threads".
int trainingThreads(core::JobContext& ctx, int asked)
{
    const QString key = QStringLiteral("henaw-threads");
    if (auto saved = ctx.checkpoints().loadOrDiscard(key); saved && saved->state.value(QLatin1String("threads")).toInt() > 0) {
        const int threads = saved->state.value(QLatin1String("threads")).toInt();
        if (threads > core::availableCpuThreads())
            ctx.warn(QStringLiteral("the training began with %1 LibTorch threads and goes on with as many (another count would change the last bits "
                                    "of the weights); this process may use %2 CPUs, so it runs slower")
                         .arg(QString::number(threads), QString::number(core::availableCpuThreads())));
        return threads;
    }
    const int threads = asked > 0 ? usableHenawThreads(ctx, asked) : core::availableCpuThreads();
    orThrow(ctx.checkpoints().save(key, QJsonObject{{QStringLiteral("threads"), threads}}));
    return threads;
}

} // namespace

std::optional<HenawModel> trainHenawOnTable(core::JobContext& ctx, const HenawRunSettings& s, const QString& modelDir, QJsonObject* summaryOut,
                                            const QString& validationFile, int64_t injectOutOfMemoryAt)
{
    setHenawThreads(trainingThreads(ctx, s.threads));
    const core::TorchDevice device = henawRunDevice(ctx, s);
    ctx.provenance().addLibrary(QStringLiteral("LibTorch"), QString::fromStdString(libTorchVersion()));
    ctx.provenance().addLibrary(QStringLiteral("LibTorch threads"), QString::number(henawThreads()));
    if (const QString blas = core::describeLoadedBlas(); !blas.isEmpty())
        ctx.provenance().addLibrary(QStringLiteral("BLAS"), blas);
    ctx.provenance().addLibrary(QStringLiteral("LibTorch CPU kernels"), core::describeAtenCapability());
    ctx.provenance().addLibrary(QStringLiteral("idle compute threads"), core::describeThreadWaits());
    ctx.beginStage(QStringLiteral("henaw-read"), 1);
    const ColumnMapping mapping = loadRunMapping(ctx, s.mapping);
    CohortReadReport report;
    const Cohort cohort = readRunTable(ctx, s.table, mapping, &report, QStringLiteral("HENAW training cohort"), {},
                                       QStringLiteral("HENAW is trained on the markers the table has"));
    orThrow(report.saveIssues(QDir(ctx.outputDir()).filePath(validationFile)));
    ctx.provenance().addOutput(validationFile, validationFile);
    const QStringList markers = chooseHenawMarkers(cohort, s.markers, s.minimumCoverage);
    const HenawConfig config = configureHenaw(markers, s.configFile, s.overrides);
    const std::vector<qsizetype> rows = henawUsableRows(cohort, config.markers); // the rule predict() applies: the configuration's markers
    if (rows.size() < kHenawMinimumRows)
        throw JobFailure::needingNewRun(QStringLiteral("%1: %2 people have age, sex and most of the markers: too few to train HENAW (at least %3, split into "
                                        "training, validation and test rows)")
                             .arg(s.table, QString::number(rows.size()), QString::number(kHenawMinimumRows)));
    if (const qsizetype left = cohort.rows() - qsizetype(rows.size()); left > 0) // said as predict says it (they were left out without a word)
        ctx.warn(QStringLiteral("%1: %2 of %3 rows have no chronological age, no sex, or fewer than half of the %4 markers measured: they are left out "
                                "of training, validation and test (HENAW trains only on rows with at least half)")
                     .arg(s.table)
                     .arg(left)
                     .arg(cohort.rows())
                     .arg(config.markers.size()));
    requireAgeSpread(ctx, cohort, rows, s.table);
    const CohortSplit split = stratifiedSplit(cohort, rows, config.trainFraction, config.validationFraction, config.ageBand, config.seed);
    const FeatureEncoder encoder = orThrow(FeatureEncoder::fit(cohort, split.train, config));
    if (const QStringList constant = encoder.constantMarkers(); !constant.isEmpty()) // used without a word, with an invented SD
        ctx.warn(QStringLiteral("%1: %2 the same for every training row: %3 nothing to HENAW (each value standardises to 0); leave %4 out with "
                                "--markers, or train on a table where %5")
                     .arg(s.table, constant.join(QStringLiteral(", ")), constant.size() == 1 ? QStringLiteral("it adds") : QStringLiteral("they add"),
                          constant.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"),
                          constant.size() == 1 ? QStringLiteral("it varies") : QStringLiteral("they vary")));
    const HenawSplitData train = splitData(cohort, encoder, split.train), validation = splitData(cohort, encoder, split.validation);
    if (train.rows.imputedValues + validation.rows.imputedValues > 0)
        ctx.warn(QStringLiteral("%1 missing marker values of training and validation rows were set to the training mean")
                     .arg(train.rows.imputedValues + validation.rows.imputedValues));
    ctx.advance();

    HenawTrainingReport training;
    HenawTrainingHooks hooks;
    hooks.injectOutOfMemoryAtStep = injectOutOfMemoryAt;
    auto members = trainHenawEnsemble(ctx, config, encoder.coefficientsOfVariation(), train, validation, &training, hooks, device);
    if (!members)
        return std::nullopt;

    ctx.beginStage(QStringLiteral("henaw-test"), 1);
    std::optional<HenawModel> trained;
    trained.emplace(config, encoder, std::move(*members));
    HenawModel& model = *trained;
    model.setTrainingTableSha256(recordedInputSha256(ctx, s.table));
    // The Cox head learns from deaths: with none among the training rows it keeps its random start.
    const auto deaths = std::count_if(split.train.begin(), split.train.end(), [&](qsizetype r) { return cohort.hasSurvival(r) && cohort.event[size_t(r)] == 1; });
    if (deaths == 0) {
        model.setMortalityHeadTrained(false);
        ctx.warn(QStringLiteral("%1: no death among the %2 training rows (no follow-up and event columns, or nobody died): the mortality head "
                                "is not trained, and the model gives no log-hazard (henaw_log_hazard stays empty)")
                     .arg(s.table)
                     .arg(split.train.size()));
    }
    const HenawPrediction test = model.predict(cohort, split.test);
    const QJsonObject summary{{QStringLiteral("table"), s.table},
                              {QStringLiteral("table_sha256"), model.trainingTableSha256()}, // a prediction on it is in-sample
                              {QStringLiteral("mapping"), mapping.name},
                              {QStringLiteral("markers"), QJsonArray::fromStringList(markers)},
                              {QStringLiteral("rows"), QJsonObject{{QStringLiteral("table"), double(cohort.rows())}, {QStringLiteral("usable"), double(rows.size())},
                                                                   {QStringLiteral("train"), double(split.train.size())}, {QStringLiteral("validation"), double(split.validation.size())},
                                                                   {QStringLiteral("test"), double(split.test.size())}}},
                              {QStringLiteral("validation"), report.summary()},
                              {QStringLiteral("members"), training.members},
                              {QStringLiteral("out_of_memory_events"), training.outOfMemoryEvents},
                              {QStringLiteral("training_deaths"), double(deaths)},
                              {QStringLiteral("mortality_head_trained"), deaths > 0},
                              {QStringLiteral("test"), checkPrediction(cohort, split.test, test)},
                              {QStringLiteral("marker_weights"), meanWeights(config, test)}};
    orThrow(model.save(modelDir, summary));
    const QString relative = QDir(ctx.outputDir()).relativeFilePath(modelDir);
    for (const QString& f : {QStringLiteral("model.json"), QStringLiteral("config.json"), QStringLiteral("encoder.json")})
        ctx.provenance().addOutput(QStringLiteral("HENAW ") + f, relative + QLatin1Char('/') + f);
    for (int k = 0; k < model.members(); ++k)
        ctx.provenance().addOutput(QStringLiteral("HENAW member %1").arg(k), relative + QStringLiteral("/member-%1.safetensors").arg(k));
    ctx.provenance().addOutput(QStringLiteral("HENAW training history"), QStringLiteral("history.csv"));
    if (summaryOut) {
        *summaryOut = summary;
        summaryOut->insert(QStringLiteral("config"), config.toJson());
    }
    ctx.advance();
    return trained;
}

JobOutcome HenawTrainJob::run(core::JobContext& ctx)
{
    ctx.defineStages(henawTrainingStages());
    QJsonObject summary;
    const auto model = trainHenawOnTable(ctx, m_settings, QDir(ctx.outputDir()).filePath(QStringLiteral("henaw-model")), &summary,
                                         QStringLiteral("validation.tsv"), m_injectOutOfMemory);
    if (!model)
        return stopped(ctx);
    orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson()));
    ctx.provenance().addOutput(QStringLiteral("summary.json"), QStringLiteral("summary.json"));
    return JobOutcome::Finished;
}

JobOutcome HenawPredictJob::run(core::JobContext& ctx)
{
    ctx.defineStages({{QStringLiteral("read"), QStringLiteral("Read the model and the table"), 0.3, QStringLiteral("files")},
                      {QStringLiteral("predict"), QStringLiteral("Predict"), 0.6, QStringLiteral("rows")},
                      {QStringLiteral("write"), QStringLiteral("Write the results"), 0.1, QStringLiteral("files")}});
    setHenawThreads(usableHenawThreads(ctx, m_settings.threads));
    ctx.beginStage(QStringLiteral("read"), 2);
    const HenawModel model = orThrow(HenawModel::load(m_settings.model, henawRunDevice(ctx, m_settings)));
    orThrow(ctx.provenance().addInputFile(QStringLiteral("HENAW model"), QDir(m_settings.model).filePath(QStringLiteral("model.json"))));
    ctx.advance();
    const ColumnMapping mapping = loadRunMapping(ctx, m_settings.mapping);
    CohortReadReport report;
    const Cohort cohort = readRunTable(ctx, m_settings.table, mapping, &report, QStringLiteral("cohort table"), model.config().markers,
                                       QStringLiteral("the HENAW model reads them")); // a column the model does not read is no loss
    ctx.advance();
    requireMeasuredMarkers(cohort, model, mapping);
    const bool trainingTable = warnIfTrainingTable(ctx, model, m_settings.table);
    qsizetype first = 0, end = cohort.rows();
    if (m_settings.shardIndex >= 0) // a cluster shard: its rows only
        std::tie(first, end) = orThrow(henawShardRows(m_settings, cohort.rows(), &ctx.provenance()));
    ctx.beginStage(QStringLiteral("predict"), end - first);
    std::vector<qsizetype> rows(size_t(end - first));
    for (qsizetype r = first; r < end; ++r)
        rows[size_t(r - first)] = r;
    QString error;
    const HenawPrediction p = model.predict(cohort, rows, &error);
    if (!error.isEmpty())
        throw JobFailure(error);
    if (const QString w = unpredictableRowsWarning(p.unpredictable, qint64(rows.size()), model.config().markers.size()); !w.isEmpty())
        ctx.warn(w);
    ctx.advance(end - first);
    ctx.beginStage(QStringLiteral("write"), 1);
    core::CsvWriter table;
    table.writeRow({mapping.idColumn.isEmpty() ? QStringLiteral("line") : mapping.idColumn, QStringLiteral("henaw_age"), QStringLiteral("henaw_sd"),
                    QStringLiteral("henaw_advance"), QStringLiteral("henaw_aleatoric_sd"), QStringLiteral("henaw_epistemic_sd"), QStringLiteral("henaw_log_hazard")});
    for (size_t i = 0; i < rows.size(); ++i) {
        const qsizetype r = rows[i];
        table.writeRow({cohort.ids[r], numberText(p.biologicalAge[i]), numberText(p.sd[i]), numberText(p.biologicalAge[i] - cohort.age[size_t(r)]),
                        numberText(p.aleatoricSd[i]), numberText(p.epistemicSd[i]), numberText(p.logHazard[i])});
    }
    orThrow(table.save(QDir(ctx.outputDir()).filePath(QStringLiteral("henaw.csv"))));
    const QJsonObject summary{{QStringLiteral("rows"), double(rows.size())}, {QStringLiteral("rows_without_prediction"), double(p.unpredictable)},
                              {QStringLiteral("henaw_imputed"), henawImputedJson(p)}, {QStringLiteral("model"), m_settings.model},
                              // in-sample figures; null: a model saved before it kept its table's SHA-256 (not known)
                              {QStringLiteral("training_table"), model.trainingTableSha256().isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(trainingTable)},
                              {QStringLiteral("validation"), report.summary()}, {QStringLiteral("check"), checkPrediction(cohort, rows, p)}};
    orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson()));
    orThrow(report.saveIssues(QDir(ctx.outputDir()).filePath(QStringLiteral("validation.tsv"))));
    for (const QString& f : {QStringLiteral("henaw.csv"), QStringLiteral("summary.json"), QStringLiteral("validation.tsv")})
        ctx.provenance().addOutput(f, f);
    ctx.advance();
    return JobOutcome::Finished;
}

} // namespace bioforge::age
