#include "henaw/henaw_model.h"

#include "henaw/henaw_arrays.h"
#include "henaw/henaw_model_folder.h"
#include "henaw/henaw_network.h"
#include "henaw/henaw_runtime.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "io/sha256.h"

#include <QDir>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::Error;

HenawModel::HenawModel(HenawConfig config, FeatureEncoder encoder, std::vector<std::unique_ptr<HenawNetwork>> members)
    : m_config(std::move(config)), m_encoder(std::move(encoder)), m_members(std::move(members))
{
}
HenawModel::HenawModel(HenawModel&&) noexcept = default;
HenawModel& HenawModel::operator=(HenawModel&&) noexcept = default;
HenawModel::~HenawModel() = default;

core::Status HenawModel::save(const QString& folder, const QJsonObject& trainingSummary) const
{
    const QDir dir(folder);
    if (!QDir().mkpath(folder))
        return Error(QStringLiteral("%1: cannot create the model folder").arg(folder));
    for (size_t k = 0; k < m_members.size(); ++k) {
        core::SafetensorsWriter writer;
        writer.setMetadata(QStringLiteral("format"), QStringLiteral("bioforge-henaw-member/1"));
        if (core::Status st = addArrays(writer, m_members[k]->weights()); !st)
            return st;
        if (core::Status st = writer.writeAtomic(dir.filePath(QStringLiteral("member-%1.safetensors").arg(k))); !st)
            return st;
    }
    for (const auto& [name, json] : {std::pair{"config.json", m_config.toJson()}, {"encoder.json", m_encoder.toJson()}})
        if (core::Status st = core::AtomicFile::write(dir.filePath(QLatin1String(name)), QJsonDocument(json).toJson()); !st)
            return st;
    // model.json names every other file with its SHA-256, checked on load: a member replaced or
    // edited since is refused, and the one checksum of model.json (a run's provenance) covers
    // the whole model.
    QJsonObject files;
    QStringList names{QStringLiteral("config.json"), QStringLiteral("encoder.json")};
    for (size_t k = 0; k < m_members.size(); ++k)
        names << QStringLiteral("member-%1.safetensors").arg(k);
    for (const QString& name : names) {
        auto sha = core::Sha256::ofFile(dir.filePath(name));
        if (!sha)
            return sha.error();
        files.insert(name, *sha);
    }
    const QJsonObject model{{QStringLiteral("format"), QStringLiteral("bioforge-henaw-model")},
                            {QStringLiteral("schema"), kSchema},
                            {QStringLiteral("members"), int(m_members.size())},
                            {QStringLiteral("files"), files},
                            {QStringLiteral("libtorch"), QString::fromStdString(libTorchVersion())},
                            {QStringLiteral("training"), trainingSummary}};
    return core::AtomicFile::write(dir.filePath(QStringLiteral("model.json")), QJsonDocument(model).toJson());
}

core::Expected<HenawModel> HenawModel::load(const QString& folder, const core::TorchDevice& device)
{
    const QDir dir(folder);
    // The folder, its model.json's format and the files it lists, as a run checks them before it is
    // recorded (henaw_model_folder.h); their checksums below.
    if (core::Status whole = checkHenawModelFolder(QStringLiteral("HENAW model"), QStringLiteral("folder"), folder); !whole)
        return whole.error();
    auto model = core::readJsonObjectFile(dir.filePath(QStringLiteral("model.json")));
    if (!model)
        return model.error().withContext(QStringLiteral("HENAW model"));
    if (model->value(QLatin1String("schema")).toInt() != kSchema)
        return Error(QStringLiteral("%1: model schema %2, this program reads schema %3").arg(folder,
                                                                                             QString::number(model->value(QLatin1String("schema")).toInt()),
                                                                                             QString::number(kSchema)));
    // Models saved before model.json named its files' checksums load unchecked.
    const QJsonObject files = model->value(QLatin1String("files")).toObject();
    for (auto it = files.begin(); it != files.end(); ++it) {
        auto sha = core::Sha256::ofFile(dir.filePath(it.key()));
        if (!sha)
            return sha.error().withContext(QStringLiteral("HENAW model"));
        if (*sha != it.value().toString())
            return Error(QStringLiteral("%1: SHA-256 %2…, but model.json records %3… for it: the file was changed or replaced since the model "
                                        "was saved (train the model again, or restore the file)")
                             .arg(dir.filePath(it.key()), sha->left(12), it.value().toString().left(12)));
    }
    auto configJson = core::readJsonObjectFile(dir.filePath(QStringLiteral("config.json")));
    if (!configJson)
        return configJson.error();
    auto config = HenawConfig::fromJson(*configJson, dir.filePath(QStringLiteral("config.json")));
    if (!config)
        return config.error();
    auto encoderJson = core::readJsonObjectFile(dir.filePath(QStringLiteral("encoder.json")));
    if (!encoderJson)
        return encoderJson.error();
    auto encoder = FeatureEncoder::fromJson(*encoderJson, *config, dir.filePath(QStringLiteral("encoder.json")));
    if (!encoder)
        return encoder.error();
    const int count = model->value(QLatin1String("members")).toInt();
    if (count < 1 || count != config->ensemble)
        return Error(QStringLiteral("%1: model.json lists %2 members, the configuration %3").arg(folder, QString::number(count),
                                                                                                 QString::number(config->ensemble)));
    std::vector<std::unique_ptr<HenawNetwork>> members;
    for (int k = 0; k < count; ++k) {
        const QString path = dir.filePath(QStringLiteral("member-%1.safetensors").arg(k));
        auto reader = core::SafetensorsReader::open(path);
        if (!reader)
            return reader.error();
        auto arrays = readArrays(**reader);
        if (!arrays)
            return arrays.error();
        auto net = HenawNetwork::create(*config, encoder->coefficientsOfVariation(), config->seed, device);
        if (!net)
            return net.error();
        if (core::Status st = (*net)->load(*arrays, false); !st)
            return st.error().withContext(path);
        members.push_back(std::move(*net));
    }
    HenawModel loaded(*config, *encoder, std::move(members));
    const QJsonObject training = model->value(QLatin1String("training")).toObject();
    loaded.setMortalityHeadTrained(training.value(QLatin1String("mortality_head_trained")).toBool(true));
    loaded.setTrainingTableSha256(training.value(QLatin1String("table_sha256")).toString());
    return loaded;
}

HenawPrediction HenawModel::predict(const Cohort& cohort, const std::vector<qsizetype>& rows, QString* error) const
{
    HenawPrediction out;
    const size_t n = rows.size();
    out.biologicalAge.assign(n, std::nan(""));
    out.sd = out.aleatoricSd = out.epistemicSd = out.logHazard = out.biologicalAge;
    auto encoded = m_encoder.encode(cohort, rows);
    if (!encoded) {
        if (error)
            *error = encoded.error().message();
        return out;
    }
    const int markers = encoded->markers;
    HenawBatch batch{encoded->rows, encoded->x.data(), encoded->g.data(), encoded->age.data(), nullptr, nullptr, nullptr};
    std::vector<double> sumMean(n, 0), sumMeanSq(n, 0), sumVar(n, 0), sumHazard(n, 0);
    out.weights.assign(n, std::vector<double>(size_t(markers), 0.0));
    for (const auto& member : m_members) {
        const HenawNetwork::Outputs o = member->predict(batch);
        for (size_t i = 0; i < n; ++i) {
            sumMean[i] += o.ageMean[i];
            sumMeanSq[i] += double(o.ageMean[i]) * o.ageMean[i];
            sumVar[i] += std::exp(double(o.ageLogVar[i]));
            sumHazard[i] += o.logHazard[i];
            for (int j = 0; j < markers; ++j)
                out.weights[i][size_t(j)] += o.weights[i * size_t(markers) + size_t(j)] / double(m_members.size());
        }
    }
    const double k = double(m_members.size()), sdAge = m_encoder.ageSd();
    for (size_t i = 0; i < n; ++i) {
        const double mean = sumMean[i] / k;
        const double epistemic = std::max(0.0, sumMeanSq[i] / k - mean * mean), aleatoric = sumVar[i] / k;
        out.biologicalAge[i] = m_encoder.ageMean() + sdAge * mean;
        out.aleatoricSd[i] = sdAge * std::sqrt(aleatoric);
        out.epistemicSd[i] = sdAge * std::sqrt(epistemic);
        out.sd[i] = sdAge * std::sqrt(aleatoric + epistemic);
        out.logHazard[i] = m_mortalityHeadTrained ? sumHazard[i] / k : std::nan("");
        if (!predictable(cohort, rows[i], m_config.markers)) {
            out.biologicalAge[i] = out.aleatoricSd[i] = out.epistemicSd[i] = out.sd[i] = out.logHazard[i] = std::nan("");
            std::fill(out.weights[i].begin(), out.weights[i].end(), std::nan(""));
            ++out.unpredictable;
            continue;
        }
        bool filled = false;
        for (const QString& m : m_config.markers)
            if (!std::isfinite(cohort.value(m, rows[i]))) {
                ++out.imputedByMarker[m];
                filled = true;
            }
        out.imputedRows += filled ? 1 : 0;
    }
    return out;
}

bool HenawModel::predictable(const Cohort& cohort, qsizetype row, const QStringList& markers)
{
    if (!std::isfinite(cohort.age[size_t(row)]) || cohort.sex[size_t(row)] == Sex::Unknown)
        return false;
    qsizetype present = 0;
    for (const QString& m : markers)
        present += std::isfinite(cohort.value(m, row)) ? 1 : 0;
    return 2 * present >= markers.size(); // at most half the markers imputed
}

} // namespace bioforge::age
