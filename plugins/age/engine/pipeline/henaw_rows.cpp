#include "pipeline/henaw_rows.h"

#include "henaw/henaw_model.h"
#include "io/json_file.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"
#include "schema/biomarker_schema.h"
#include "stats/survival_stats.h"
#include "table/cohort.h"
#include "table/column_mapping.h"

#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace bioforge::age {

using core::Error;
using core::JobFailure;
using core::orThrow;

core::Expected<QJsonObject> readHenawConfigFile(const QString& path)
{
    auto file = core::readJsonObjectFile(path);
    if (!file)
        return file.error();
    const QStringList known = HenawConfig::defaults({}).toJson().keys();
    QStringList unknown;
    for (auto it = file->begin(); it != file->end(); ++it)
        if (!known.contains(it.key()))
            unknown << QLatin1Char('"') + it.key() + QLatin1Char('"');
    if (!unknown.isEmpty())
        return Error(QStringLiteral("%1: %2 %3 no HENAW configuration key (the keys are: %4)")
                         .arg(path, unknown.join(QStringLiteral(", ")), unknown.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"),
                              known.join(QStringLiteral(", "))),
                     core::Error::Kind::Invalid);
    return file;
}

HenawConfig configureHenaw(const QStringList& markers, const QString& configFile, const QJsonObject& overrides)
{
    QJsonObject json = HenawConfig::defaults(markers).toJson();
    if (!configFile.isEmpty()) {
        const QJsonObject file = orThrow(readHenawConfigFile(configFile));
        for (auto it = file.begin(); it != file.end(); ++it)
            json.insert(it.key(), it.value());
    }
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        json.insert(it.key(), it.value());
    return orThrow(HenawConfig::fromJson(json, configFile.isEmpty() ? QStringLiteral("HENAW configuration") : configFile));
}

core::Status checkHenawConfiguration(const QString& configFile, const QJsonObject& overrides)
{
    QJsonObject file;
    if (!configFile.isEmpty()) {
        auto read = readHenawConfigFile(configFile);
        if (!read)
            return read.error();
        file = *read;
    }
    QStringList markers;
    for (const QJsonValue& m : file.value(QLatin1String("markers")).toArray())
        markers << m.toString();
    QJsonObject json = HenawConfig::defaults(markers.isEmpty() ? BiomarkerSchema::builtIn().names() : markers).toJson();
    for (auto it = file.begin(); it != file.end(); ++it)
        json.insert(it.key(), it.value());
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        json.insert(it.key(), it.value());
    if (auto config = HenawConfig::fromJson(json, configFile.isEmpty() ? QStringLiteral("HENAW configuration") : configFile); !config)
        return core::Error(config.error().message(), core::Error::Kind::Invalid);
    return core::okStatus();
}

QStringList chooseHenawMarkers(const Cohort& c, const QStringList& given, double minimumCoverage)
{
    if (!given.isEmpty()) {
        for (const QString& m : given)
            if (!c.has(m))
                throw JobFailure::needingNewRun(QStringLiteral("%1: marker '%2' was asked for but the table has no such column (mapped)").arg(c.source, m));
        return given;
    }
    QStringList out;
    for (const QString& m : c.markerNames) {
        qsizetype present = 0;
        for (qsizetype r = 0; r < c.rows(); ++r)
            present += std::isfinite(c.value(m, r)) ? 1 : 0;
        if (double(present) >= minimumCoverage * double(c.rows()))
            out << m;
    }
    if (out.size() < 2)
        throw JobFailure::needingNewRun(QStringLiteral("%1: fewer than two biomarkers are present for %2 % of the people").arg(c.source, QString::number(minimumCoverage * 100)));
    return out;
}

std::vector<qsizetype> henawUsableRows(const Cohort& c, const QStringList& markers)
{
    std::vector<qsizetype> rows;
    for (qsizetype r = 0; r < c.rows(); ++r)
        if (HenawModel::predictable(c, r, markers))
            rows.push_back(r);
    return rows;
}

void requireMeasuredMarkers(const Cohort& c, const HenawModel& model, const ColumnMapping& mapping)
{
    QStringList empty;
    for (const QString& m : model.config().markers) {
        const int column = c.markerIndex(m);
        if (column < 0 || c.rows() == 0)
            continue; // the encoder names absent columns
        const auto& values = c.markers[size_t(column)];
        if (std::none_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
            empty << QStringLiteral("%1 (column '%2')").arg(m, mapping.biomarkers.value(m).column);
    }
    if (!empty.isEmpty())
        throw JobFailure::needingNewRun(QStringLiteral("%1: %2 %3 no value in any of its %4 rows, and the HENAW model reads %5: its value would be the training "
                                        "mean for everyone; give a table that measured %5, or train a model on the markers this table has")
                             .arg(c.source, empty.join(QStringLiteral(", ")), empty.size() == 1 ? QStringLiteral("has") : QStringLiteral("have"))
                             .arg(c.rows())
                             .arg(empty.size() == 1 ? QStringLiteral("it") : QStringLiteral("them")));
}

void requireAgeSpread(core::JobContext& ctx, const Cohort& c, const std::vector<qsizetype>& rows, const QString& table)
{
    if (rows.empty())
        return;
    double low = c.age[size_t(rows.front())], high = low, sum = 0;
    for (qsizetype r : rows) {
        low = std::min(low, c.age[size_t(r)]);
        high = std::max(high, c.age[size_t(r)]);
        sum += c.age[size_t(r)];
    }
    const double mean = sum / double(rows.size());
    double squares = 0;
    for (qsizetype r : rows)
        squares += (c.age[size_t(r)] - mean) * (c.age[size_t(r)] - mean);
    const double sd = rows.size() > 1 ? std::sqrt(squares / double(rows.size() - 1)) : 0.0;
    if (high - low < kMinimumAgeSpanYears)
        throw JobFailure::needingNewRun(QStringLiteral("%1: the %2 usable rows are all aged %3 years: HENAW's age head learns from the spread of chronological age "
                                        "and cannot learn from a cohort of one age (a single-age cohort, or a mapping whose age column is not "
                                        "the age); train on a cohort of several ages")
                             .arg(table)
                             .arg(rows.size())
                             .arg(low == high ? QString::number(low) : QStringLiteral("%1–%2").arg(low).arg(high)));
    if (sd < kNarrowAgeSdYears)
        ctx.warn(QStringLiteral("%1: the usable rows' chronological age has an SD of %2 years (%3–%4): the test's age error is small because the ages "
                                "are, not because HENAW measures well; compare it with that SD")
                     .arg(table, QString::number(sd, 'f', 2), QString::number(low), QString::number(high)));
}

QString recordedInputSha256(const core::JobContext& ctx, const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QList<core::FileRef> inputs = ctx.provenance().inputs();
    for (auto it = inputs.rbegin(); it != inputs.rend(); ++it)
        if (it->path == absolute)
            return it->sha256;
    return {};
}

bool warnIfTrainingTable(core::JobContext& ctx, const HenawModel& model, const QString& path)
{
    const QString sha = recordedInputSha256(ctx, path);
    if (model.trainingTableSha256().isEmpty() || sha != model.trainingTableSha256())
        return false;
    ctx.warn(QStringLiteral("%1 is the table the HENAW model was trained on (the same SHA-256): most of its people trained the model, so HENAW's "
                            "figures on it are in-sample and optimistic; the model's own test split (its training run's summary) is the "
                            "out-of-sample check")
                 .arg(path));
    return true;
}

QJsonObject checkPrediction(const Cohort& c, const std::vector<qsizetype>& rows, const HenawPrediction& p)
{
    double absError = 0;
    qint64 n = 0;
    std::array<qint64, 3> covered{0, 0, 0};
    static constexpr std::array<double, 3> levels{0.5, 0.8, 0.95}, z{0.6744897501960817, 1.2815515655446004, 1.959963984540054};
    SurvivalData survival;
    std::vector<double> hazard, acceleration, bio, ages, survivalAge;
    for (size_t i = 0; i < rows.size(); ++i) {
        const double age = c.age[size_t(rows[i])];
        if (!std::isfinite(age) || !std::isfinite(p.biologicalAge[i]))
            continue;
        const double error = p.biologicalAge[i] - age;
        absError += std::abs(error);
        ++n;
        for (size_t l = 0; l < 3; ++l)
            covered[l] += std::abs(error) <= z[l] * p.sd[i] ? 1 : 0;
        bio.push_back(p.biologicalAge[i]);
        ages.push_back(age);
        if (c.hasSurvival(rows[i])) {
            survival.time.push_back(c.followupMonths[size_t(rows[i])]);
            survival.event.push_back(c.event[size_t(rows[i])]);
            hazard.push_back(p.logHazard[i]);
            acceleration.push_back(p.biologicalAge[i]);
            survivalAge.push_back(age);
        }
    }
    // Acceleration as the residual on chronological age, as the evaluation computes it (clock_evaluation.h).
    if (acceleration.size() > 2) {
        const double ma = std::accumulate(survivalAge.begin(), survivalAge.end(), 0.0) / double(survivalAge.size());
        const double mb = std::accumulate(acceleration.begin(), acceleration.end(), 0.0) / double(acceleration.size());
        double sab = 0, saa = 0;
        for (size_t i = 0; i < acceleration.size(); ++i) {
            sab += (survivalAge[i] - ma) * (acceleration[i] - mb);
            saa += (survivalAge[i] - ma) * (survivalAge[i] - ma);
        }
        for (size_t i = 0; i < acceleration.size(); ++i)
            acceleration[i] -= mb + (saa > 0 ? sab / saa : 1.0) * (survivalAge[i] - ma);
    }
    double ageSd = std::nan("");
    if (ages.size() > 1) {
        const double mean = std::accumulate(ages.begin(), ages.end(), 0.0) / double(ages.size());
        double squares = 0;
        for (double a : ages)
            squares += (a - mean) * (a - mean);
        ageSd = std::sqrt(squares / double(ages.size() - 1));
    }
    QJsonArray coverage;
    for (size_t l = 0; l < 3; ++l)
        coverage.append(QJsonObject{{QStringLiteral("nominal"), levels[l]}, {QStringLiteral("observed"), n ? double(covered[l]) / double(n) : 0.0}});
    return {{QStringLiteral("rows"), double(n)}, {QStringLiteral("age_mae_years"), n ? absError / double(n) : std::nan("")},
            {QStringLiteral("age_sd_years"), ageSd},
            {QStringLiteral("correlation_with_age"), pearsonCorrelation(bio, ages)},
            // An untrained head (no death in training) gives no log-hazard: no C-index, not 0.5 of NaNs.
            {QStringLiteral("c_index_mortality_head"),
             std::any_of(hazard.begin(), hazard.end(), [](double h) { return std::isfinite(h); }) ? concordanceIndex(survival, hazard) : std::nan("")},
            {QStringLiteral("c_index_acceleration"), concordanceIndex(survival, acceleration)},
            {QStringLiteral("interval_coverage"), coverage}};
}

QJsonObject henawImputedJson(const HenawPrediction& p)
{
    QJsonObject byMarker;
    qint64 values = 0;
    for (auto it = p.imputedByMarker.begin(); it != p.imputedByMarker.end(); ++it) {
        byMarker.insert(it.key(), double(it.value()));
        values += it.value();
    }
    return {{QStringLiteral("rows"), double(p.imputedRows)}, {QStringLiteral("values"), double(values)}, {QStringLiteral("by_marker"), byMarker}};
}

QJsonObject sumHenawImputed(const QList<QJsonObject>& parts)
{
    HenawPrediction sum;
    for (const QJsonObject& part : parts) {
        sum.imputedRows += qsizetype(part.value(QLatin1String("rows")).toInteger());
        const QJsonObject byMarker = part.value(QLatin1String("by_marker")).toObject();
        for (auto it = byMarker.begin(); it != byMarker.end(); ++it)
            sum.imputedByMarker[it.key()] += it.value().toInteger();
    }
    return henawImputedJson(sum);
}

} // namespace bioforge::age
