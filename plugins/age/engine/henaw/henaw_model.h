#pragma once

// A trained HENAW ensemble on disk, and its predictions. A model folder holds
// config.json (the full HenawConfig), encoder.json (the standardisation
// fitted on the training rows), member-<k>.safetensors (each member's
// weights) and model.json (format, schema version, members, the training
// cohort's summary). Loading checks every part against the others and
// refuses a mismatch with a message that names the difference; nothing is
// ever unpickled.
//
// Prediction combines the K members (Lakshminarayanan et al. 2017, deep
// ensembles): mean = average of the members' means; predictive variance =
// average of their variances (aleatoric) + variance of their means
// (epistemic); in years through the training age mean and SD.

#include "compute/torch_device.h"
#include "henaw/feature_encoder.h"
#include "henaw/henaw_config.h"
#include "table/cohort.h"
#include "util/expected.h"

#include <QMap>
#include <QString>

#include <memory>
#include <vector>

namespace bioforge::age {

class HenawNetwork;

struct HenawPrediction {
    std::vector<double> biologicalAge;   // years, per row; NaN where the row could not be encoded
    std::vector<double> sd;              // total predictive SD, years
    std::vector<double> aleatoricSd, epistemicSd;
    std::vector<double> logHazard;       // mortality head, averaged over members
    std::vector<std::vector<double>> weights; // [row][marker], averaged over members
    qsizetype unpredictable = 0; // rows left NaN because HenawModel::predictable says no
    // Among the rows with a value: each marker's missing values the encoder set to the training
    // mean (only markers with one; HENAW paper's encoder, docs/age.md), and the rows with any.
    QMap<QString, qint64> imputedByMarker;
    qsizetype imputedRows = 0;
};

class HenawModel {
public:
    static constexpr int kSchema = 1;
    HenawModel(HenawConfig config, FeatureEncoder encoder, std::vector<std::unique_ptr<HenawNetwork>> members);
    HenawModel(HenawModel&&) noexcept;
    HenawModel& operator=(HenawModel&&) noexcept;
    ~HenawModel();

    // `device`: a resolved one (resolveHenawDevice); the members are loaded there. Every file
    // model.json names ("files": name -> SHA-256) is hashed and must match: a member edited or
    // swapped since the save is an error naming the file (models saved before load unchecked).
    static core::Expected<HenawModel> load(const QString& folder, const core::TorchDevice& device = {});
    // Writes the members, config.json and encoder.json, then model.json with their SHA-256, each
    // file atomically.
    core::Status save(const QString& folder, const QJsonObject& trainingSummary) const;

    // Rows `predictable` refuses are NaN in every output (counted in `unpredictable`): a clock made
    // of the training medians alone is not a measurement of that person.
    HenawPrediction predict(const Cohort& cohort, const std::vector<qsizetype>& rows, QString* error = nullptr) const;
    // HENAW's rule for the rows it trains on and predicts: a chronological age, a known sex, and at
    // least half of `markers` measured (the encoder imputes the rest, with the training means).
    static bool predictable(const Cohort& cohort, qsizetype row, const QStringList& markers);
    const HenawConfig& config() const { return m_config; }
    const FeatureEncoder& encoder() const { return m_encoder; }
    int members() const { return int(m_members.size()); }
    // Whether the mortality head learned anything: a training split with no death (a cohort without
    // follow-up, or nobody died) leaves it at its random start. Kept in model.json
    // ("training"."mortality_head_trained"; absent: trained, as models saved before). When not,
    // predict() leaves logHazard NaN.
    bool mortalityHeadTrained() const { return m_mortalityHeadTrained; }
    void setMortalityHeadTrained(bool trained) { m_mortalityHeadTrained = trained; }
    // The SHA-256 of the table the model was trained on (model.json "training"."table_sha256";
    // empty for models saved before it was kept): a prediction on that table is in-sample.
    const QString& trainingTableSha256() const { return m_trainingTableSha256; }
    void setTrainingTableSha256(const QString& sha256) { m_trainingTableSha256 = sha256; }

private:
    HenawConfig m_config;
    FeatureEncoder m_encoder;
    std::vector<std::unique_ptr<HenawNetwork>> m_members;
    bool m_mortalityHeadTrained = true;
    QString m_trainingTableSha256;
};

} // namespace bioforge::age
