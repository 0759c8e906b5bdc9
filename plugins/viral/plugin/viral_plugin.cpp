#include "viral_plugin.h"

#include "model_resolver.h"
#include "models/model_registry.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "pipeline/model_digest.h"
#include "pipeline/predict_job.h"
#include "pipeline/shard_merge.h"
#include "pipeline/shard_plan.h"
#include "pipeline/validate_job.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "provenance/run_record.h"
#include "ui/viral_page.h"
#include "viral_demo.h"
#include "viral_report.h"
#include "viral_verbs.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QStyle>

#include <optional>

namespace bioforge::viral {

bool ViralPlugin::initialize(const core::PluginContext& context, QString*)
{
    m_context = context;
    return true;
}

QList<core::VerbSpec> ViralPlugin::verbs() const { return {predictVerb(), validateVerb()}; }

QString ViralPlugin::defaultModel(const char* key) const
{
    // Read now, not at start: the window's Settings dialog may have changed it since.
    const QJsonObject settings = m_context.settingsOf ? m_context.settingsOf(QStringLiteral("viral")) : m_context.settings;
    const QString configured = settings.value(QLatin1String(key)).toString();
    if (!configured.isEmpty())
        return configured;
    if (qstrcmp(key, "dnabert_model") == 0)
        return QStringLiteral("DNABERT-S");
    if (qstrcmp(key, "esm_model") == 0)
        return QStringLiteral("esm2_t36_3B_UR50D");
    return {};
}

QList<core::PluginSetting> ViralPlugin::settingSpecs() const
{
    // The models a run uses where it names none (defaultModel): registered names or paths, checked
    // when a run resolves them (a model registered later is a good value now).
    const auto text = [](const QJsonValue& v) {
        return v.isString() && !v.toString().trimmed().isEmpty() ? QString() : QStringLiteral("a model is a registered name or a path (bioforge models list)");
    };
    return {{QStringLiteral("dnabert_model"), QStringLiteral("the DNABERT-S model of a run that names none (--dnabert; default DNABERT-S)"), false, text},
            {QStringLiteral("esm_model"), QStringLiteral("the ESM-2 model of a run that names none (--esm; default esm2_t36_3B_UR50D)"), false, text},
            {QStringLiteral("classifier_model_300"), QStringLiteral("the classifier of a run of --chunk_length 300 that names none (--classifier; default virnucpro-300)"), false, text},
            {QStringLiteral("classifier_model_500"), QStringLiteral("the classifier of a run of --chunk_length 500 that names none (--classifier; default virnucpro-500)"), false, text}};
}

QString ViralPlugin::modelFor(const char* key, const QJsonObject& parameters) const
{
    if (const QString given = parameters.value(QLatin1String(key)).toString(); !given.isEmpty())
        return given;
    if (qstrcmp(key, "classifier") == 0) {
        const int chunk = parameters.value(QLatin1String("chunk_length")).toInt(300);
        const QString set = defaultModel(qPrintable(QStringLiteral("classifier_model_%1").arg(chunk)));
        return set.isEmpty() ? QStringLiteral("virnucpro-%1").arg(chunk) : set;
    }
    return defaultModel(qstrcmp(key, "dnabert") == 0 ? "dnabert_model" : "esm_model");
}

QString ViralPlugin::titleNote(const QString& verb, const QJsonObject& parameters) const
{
    if (!m_context.models || (verb != QLatin1String("predict") && verb != QLatin1String("validate")))
        return {};
    const QString note = QStringLiteral("with TEST models (random weights: the calls mean nothing)");
    for (const char* key : {"dnabert", "esm", "classifier"})
        if (m_context.models->testModelFor(modelFor(key, parameters)))
            return note;
    // The classifier's own file says so too, whatever the registry calls it: the same test model
    // imported by a colleague under its name lost the title's warning (trial 25 T25-7).
    if (auto classifier = resolveModel(modelFor("classifier", parameters), ModelRole::Classifier, m_context.models); classifier)
        if (auto spec = ClassifierSpec::fromFile(ClassifierSpec::pathFor(classifier->path)); spec && spec->randomWeights())
            return note;
    return {};
}

core::Expected<PredictSettings> ViralPlugin::resolveSettings(const QString& verb, const QJsonObject& parameters) const
{
    if (verb != QLatin1String("predict") && verb != QLatin1String("validate"))
        return core::Error(QStringLiteral("viral: unknown verb '%1'").arg(verb));
    QJsonObject p = parameters;
    const std::pair<const char*, ModelRole> models[] = {{"dnabert", ModelRole::Dnabert}, {"esm", ModelRole::Esm}, {"classifier", ModelRole::Classifier}};
    ModelSource resolved[3]; // with the registry's entries, which are not parameters
    int role = 0;
    for (const auto& [key, modelRole] : models) {
        auto source = resolveModel(modelFor(key, p), modelRole, m_context.models);
        if (!source)
            return source.error().withContext(QStringLiteral("viral %1").arg(verb));
        resolved[role++] = *source;
        p.insert(QLatin1String(key), source->name);
        p.insert(QLatin1String(key) + QStringLiteral("_path"), source->path);
        p.insert(QLatin1String(key) + QStringLiteral("_sha256"), source->sha256);
        p.insert(QLatin1String(key) + QStringLiteral("_revision"), source->revision);
    }
    if (verb == QLatin1String("validate"))
        p.insert(QStringLiteral("inputs"), QJsonArray{QStringLiteral("(built-in tiny contig)")});
    for (const QJsonValue& input : p.value(QLatin1String("inputs")).toArray())
        if (verb == QLatin1String("predict") && !QFileInfo(input.toString()).isFile())
            return core::Error(QFileInfo(input.toString()).isDir()
                                   ? QStringLiteral("viral predict: input '%1' is a folder; give the FASTA files in it").arg(input.toString())
                                   : QStringLiteral("viral predict: input '%1': no such file").arg(input.toString()),
                               core::Error::Kind::NotFound);
    auto settings = PredictSettings::fromParameters(p);
    if (settings) { // the same name, path, checksum and revision the parameters now hold, and the entries
        settings->dnabert = resolved[0];
        settings->esm = resolved[1];
        settings->classifier = resolved[2];
        // A layer the ESM-2 model does not have: refused before a run is recorded (it failed inside one).
        // The default (-1, the last layer) needs no read of the model's config.
        if (settings->esmLayer >= 0) {
            const auto config = core::readJsonObjectFile(QDir(resolved[1].path).filePath(QStringLiteral("config.json")));
            const int layers = config ? config->value(QLatin1String("num_hidden_layers")).toInt(-1) : -1;
            if (layers >= 0 && settings->esmLayer > layers)
                return core::Error(QStringLiteral("viral %1: --esm_layer %2: the ESM-2 model %3 has layers 0 … %4 (0 is its embeddings; -1, the "
                                                  "default, the last)")
                                       .arg(verb, QString::number(settings->esmLayer), resolved[1].name, QString::number(layers)),
                                   core::Error::Kind::Invalid);
        }
    }
    return settings;
}

core::Expected<std::unique_ptr<core::Job>> ViralPlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    auto settings = resolveSettings(verb, parameters);
    if (!settings)
        return settings.error();
    if (verb == QLatin1String("validate"))
        return std::unique_ptr<core::Job>(std::make_unique<ValidateJob>(*settings));
    return std::unique_ptr<core::Job>(std::make_unique<PredictJob>(*settings));
}

core::Status ViralPlugin::checkLocalRun(const QString& verb, const QJsonObject& parameters) const
{
    auto device = parseEncoderDevice(parameters.value(QLatin1String("device")).toString(QStringLiteral("auto")));
    if (!device)
        return core::Error(device.error().message(), core::Error::Kind::Invalid);
    if (core::Status built = core::checkTorchDeviceBuilt(*device, torchCudaSupport()); !built)
        return built.error().withContext(QStringLiteral("viral %1").arg(verb));
    return core::okStatus();
}

namespace {

// The checksum of each model given by path (a registered model's comes from the registry), for the
// models `wanted` holds a non-empty value for, by parameter name (dnabert, esm, classifier: a plan's
// `made_from.models`), or all of them. Reads the model's files.
core::Status checksumModelsGivenByPath(PredictSettings& settings, const std::optional<QJsonObject>& wanted = std::nullopt)
{
    for (const ModelSlot& slot : kModelSlots) {
        ModelSource& m = settings.*slot.member;
        if (!m.sha256.isEmpty() || (wanted && wanted->value(QLatin1String(slot.parameter)).toString().isEmpty()))
            continue;
        auto digest = modelDigest(m.path);
        if (!digest)
            return digest.error();
        m.sha256 = *digest;
    }
    return core::okStatus();
}

} // namespace

core::Status ViralPlugin::checkShardPlanModels(const QString& verb, const QJsonObject& parameters, const QString& planFile) const
{
    auto json = core::readJsonObjectFile(planFile, qint64(256) << 20);
    if (!json)
        return json.error();
    auto plan = ViralShardPlan::fromJson(*json, planFile);
    if (!plan)
        return plan.error();
    auto settings = resolveSettings(verb, parameters);
    if (!settings)
        return settings.error();
    // Only the models the plan has a checksum for (a plan of an earlier version has none for a model
    // given by path): reading a model for nothing takes a minute for ESM-2 3B.
    if (core::Status summed = checksumModelsGivenByPath(*settings, plan->madeFrom.value(QLatin1String("models")).toObject()); !summed)
        return summed.error();
    return checkPlanModelsUnchanged(plan->madeFrom, *settings, planFile);
}

core::Expected<core::ShardPlan> ViralPlugin::planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile)
{
    if (verb != QLatin1String("predict"))
        return core::Error(QStringLiteral("viral %1 cannot run on a cluster (only predict)").arg(verb));
    auto settings = resolveSettings(verb, parameters);
    if (!settings)
        return settings.error();
    // A model given by path is checksummed into the plan as a registered one is: edited in place
    // while tasks wait, the tasks that start later would mix two models in one table (each task
    // compares the plan's checksum with the model's before it computes).
    if (core::Status summed = checksumModelsGivenByPath(*settings); !summed)
        return summed.error();
    auto plan = planViralShards(*settings, shards);
    if (!plan)
        return plan.error();
    if (core::Status st = core::AtomicFile::write(planFile, QJsonDocument(plan->toJson()).toJson()); !st)
        return st.error();
    core::ShardPlan out;
    out.unit = QStringLiteral("bases");
    for (const ShardPlanEntry& e : plan->shards)
        out.weights << e.bases;
    out.summary = {{QStringLiteral("contigs"), double(plan->contigs)},
                   {QStringLiteral("bases"), double(plan->bases)},
                   {QStringLiteral("frame_shards"), plan->frameShards},
                   {QStringLiteral("largest_over_mean_bases"), plan->imbalance()},
                   // Said when the run gets fewer shards than asked for (cluster_run_job.cpp).
                   {QStringLiteral("why_fewer"), plan->frameShards < shards
                                                     ? QStringLiteral("a shard holds whole checkpoint shards of up to %1 frames (--shard_frames), and this "
                                                                      "input makes %2 of them; a smaller --shard_frames splits it further")
                                                           .arg(settings->framesPerShard)
                                                           .arg(plan->frameShards)
                                                     : QStringLiteral("a shard is cut only at contig ends, and this input's %1 contigs cannot be cut "
                                                                      "into more parts (a long contig stays whole)")
                                                           .arg(plan->contigs)}};
    return out;
}

core::Expected<QList<core::MergedOutput>> ViralPlugin::mergeShards(const QString& verb, const QJsonObject&, const QStringList& shardOutputDirs,
                                                                    const QString& outputDir)
{
    if (verb != QLatin1String("predict"))
        return core::Error(QStringLiteral("viral %1 cannot run on a cluster (only predict)").arg(verb));
    return mergePredictOutputs(shardOutputDirs, outputDir);
}

QStringList ViralPlugin::mergeShardWarnings(const QString& verb, const QList<QStringList>& byShard, const QString& mergedDir) const
{
    return verb == QLatin1String("predict") ? mergePredictWarnings(byShard, mergedDir) : IPlugin::mergeShardWarnings(verb, byShard, mergedDir);
}

core::Expected<core::ReportContent> ViralPlugin::reportContent(const core::RunRecord& run, const QString& runDir) const
{
    if (run.verb == QLatin1String("validate"))
        return validateReport(runDir);
    return predictReport(runDir, run.title);
}

QList<core::DemoRun> ViralPlugin::demoRuns() const
{
    const QString dir = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
    return {viralDemoRun(dir, m_context.models)};
}

QIcon ViralPlugin::pageIcon() const
{
    return QApplication::style() ? QApplication::style()->standardIcon(QStyle::SP_FileDialogContentsView) : QIcon();
}

QWidget* ViralPlugin::createPage(const ui::PageContext& context, QWidget* parent) { return new ViralPage(context, this, parent); }

// The method's parts (the report's "Methods and references", trial 25 T25-8).
QStringList ViralPlugin::references(const core::RunRecord&) const
{
    return {QStringLiteral("VirNucPro: viral short-sequence identification from chunked contigs, six-frame translation, DNABERT-S and ESM-2 "
                           "embeddings and a classifier (the method this plugin implements rule by rule: BioForge Workbench docs/viral.md)"),
            QStringLiteral("DNABERT-S: Zhou Z, Wu W, Ho H, Wang J, Shi L, Davuluri RV, Wang Z, Liu H. DNABERT-S: pioneering species differentiation "
                           "with species-aware DNA embeddings. arXiv:2402.08777, 2024"),
            QStringLiteral("ESM-2: Lin Z, Akin H, Rao R, et al. Evolutionary-scale prediction of atomic-level protein structure with a language model. "
                           "Science 379(6637):1123-1130, 2023. doi:10.1126/science.ade2574")};
}

} // namespace bioforge::viral
