#include "henaw/feature_encoder.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::Error;

namespace {

constexpr double kClip = 6.0;

std::pair<double, double> meanSd(const std::vector<double>& v)
{
    double mean = 0;
    for (double x : v)
        mean += x;
    mean /= double(std::max<size_t>(1, v.size()));
    double ss = 0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    const double sd = v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : 0.0;
    return {mean, sd > 1e-12 ? sd : 1.0};
}

QJsonArray numbers(const std::vector<double>& v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

std::vector<double> fromNumbers(const QJsonValue& v)
{
    std::vector<double> out;
    for (const QJsonValue& x : v.toArray())
        out.push_back(x.toDouble(std::nan("")));
    return out;
}

} // namespace

double FeatureEncoder::markerValue(const Cohort& c, int column, int marker, qsizetype row) const
{
    double v = column < 0 ? std::nan("") : c.markers[size_t(column)][size_t(row)];
    if (std::isfinite(v) && m_log[size_t(marker)])
        v = v > -1 ? std::log1p(v) : std::nan("");
    return v;
}

double FeatureEncoder::ratio(double a, double b) const
{
    double r = std::abs(b) < 1e-6 ? 1.0 : a / b;
    r = std::clamp(r, 0.1, 10.0);
    return std::log(r);
}

core::Expected<FeatureEncoder> FeatureEncoder::fit(const Cohort& c, const std::vector<qsizetype>& train, const HenawConfig& config)
{
    FeatureEncoder e;
    e.m_config = config;
    const int n = int(config.markers.size());
    for (const QString& m : config.markers)
        e.m_log.push_back(config.logMarkers.contains(m));
    for (int j = 0; j < n; ++j) {
        const int column = c.markerIndex(config.markers[j]);
        if (column < 0)
            return Error(QStringLiteral("%1: the table has no '%2', which the HENAW model reads").arg(c.source, config.markers[j]));
        std::vector<double> transformed, raw;
        for (qsizetype r : train) {
            const double lab = c.markers[size_t(column)][size_t(r)];
            if (!std::isfinite(lab))
                continue;
            raw.push_back(lab);
            const double t = e.markerValue(c, column, j, r);
            if (std::isfinite(t))
                transformed.push_back(t);
        }
        if (transformed.size() < 10)
            return Error(QStringLiteral("%1: '%2' has %3 values among the training rows: too few to standardise")
                    .arg(c.source, config.markers[j], QString::number(transformed.size())));
        const auto [mean, sd] = meanSd(transformed);
        if (std::all_of(transformed.begin(), transformed.end(), [&](double t) { return t == transformed.front(); }))
            e.m_constant << config.markers[j];
        e.m_mean.push_back(mean);
        e.m_sd.push_back(sd);
        const auto [rawMean, rawSd] = meanSd(raw);
        e.m_cv.push_back(rawSd / std::max(std::abs(rawMean), 1e-8));
    }
    std::vector<double> ages;
    for (qsizetype r : train)
        if (std::isfinite(c.age[size_t(r)]))
            ages.push_back(c.age[size_t(r)]);
    std::tie(e.m_ageMean, e.m_ageSd) = meanSd(ages);
    // The engineered features' own statistics, from the training rows' encoded values.
    e.m_gMean.assign(size_t(config.interactions.size() + config.ratios.size()), 0.0);
    e.m_gSd.assign(e.m_gMean.size(), 1.0);
    auto encoded = e.encode(c, train);
    if (!encoded)
        return encoded.error();
    for (int k = 0; k < encoded->engineered; ++k) {
        std::vector<double> v;
        for (qsizetype r = 0; r < encoded->rows; ++r)
            v.push_back(encoded->g[size_t(r * encoded->engineered + k)]);
        std::tie(e.m_gMean[size_t(k)], e.m_gSd[size_t(k)]) = meanSd(v);
    }
    return e;
}

core::Expected<EncodedRows> FeatureEncoder::encode(const Cohort& c, const std::vector<qsizetype>& rows) const
{
    const int n = int(m_config.markers.size());
    std::vector<int> columns;
    QStringList absent;
    for (const QString& m : m_config.markers) {
        columns.push_back(c.markerIndex(m));
        if (columns.back() < 0)
            absent << m;
    }
    if (!absent.isEmpty())
        return Error(QStringLiteral("%1: the table has no %2, which the HENAW model reads (map %3, or train a model on the markers this table has)")
                         .arg(c.source, absent.join(QStringLiteral(", ")), absent.size() == 1 ? QStringLiteral("it") : QStringLiteral("them")));
    EncodedRows out;
    out.rows = qsizetype(rows.size());
    out.markers = n;
    out.engineered = int(m_config.interactions.size() + m_config.ratios.size());
    out.x.resize(size_t(out.rows) * size_t(n));
    out.g.resize(size_t(out.rows) * size_t(out.engineered));
    out.age.resize(size_t(out.rows));
    std::vector<double> z(static_cast<size_t>(n));
    for (qsizetype i = 0; i < out.rows; ++i) {
        const qsizetype r = rows[size_t(i)];
        for (int j = 0; j < n; ++j) {
            const double v = markerValue(c, columns[size_t(j)], j, r);
            if (!std::isfinite(v)) {
                z[size_t(j)] = 0;
                ++out.imputedValues;
            } else {
                z[size_t(j)] = std::clamp((v - m_mean[size_t(j)]) / m_sd[size_t(j)], -kClip, kClip);
            }
            out.x[size_t(i) * size_t(n) + size_t(j)] = float(z[size_t(j)]);
        }
        int k = 0;
        for (const auto& [a, b] : m_config.interactions) {
            const double v = z[size_t(m_config.markers.indexOf(a))] * z[size_t(m_config.markers.indexOf(b))];
            out.g[size_t(i) * size_t(out.engineered) + size_t(k)] = float(std::clamp((v - m_gMean[size_t(k)]) / m_gSd[size_t(k)], -kClip, kClip));
            ++k;
        }
        for (const auto& [a, b] : m_config.ratios) {
            const double va = c.markers[size_t(columns[size_t(m_config.markers.indexOf(a))])][size_t(r)];
            const double vb = c.markers[size_t(columns[size_t(m_config.markers.indexOf(b))])][size_t(r)];
            const double v = std::isfinite(va) && std::isfinite(vb) ? ratio(va, vb) : m_gMean[size_t(k)];
            out.g[size_t(i) * size_t(out.engineered) + size_t(k)] = float(std::clamp((v - m_gMean[size_t(k)]) / m_gSd[size_t(k)], -kClip, kClip));
            ++k;
        }
        const double age = c.age[size_t(r)];
        out.age[size_t(i)] = std::isfinite(age) ? float((age - m_ageMean) / m_ageSd) : std::nanf("");
    }
    return out;
}

QJsonObject FeatureEncoder::toJson() const
{
    return {{QStringLiteral("format"), QStringLiteral("bioforge-henaw-encoder/1")},
            {QStringLiteral("markers"), QJsonArray::fromStringList(m_config.markers)},
            {QStringLiteral("mean"), numbers(m_mean)}, {QStringLiteral("sd"), numbers(m_sd)}, {QStringLiteral("cv"), numbers(m_cv)},
            {QStringLiteral("engineered_mean"), numbers(m_gMean)}, {QStringLiteral("engineered_sd"), numbers(m_gSd)},
            {QStringLiteral("age_mean"), m_ageMean}, {QStringLiteral("age_sd"), m_ageSd}};
}

core::Expected<FeatureEncoder> FeatureEncoder::fromJson(const QJsonObject& j, const HenawConfig& config, const QString& source)
{
    if (j.value(QLatin1String("format")).toString() != QLatin1String("bioforge-henaw-encoder/1"))
        return Error(QStringLiteral("%1: not a HENAW feature encoder").arg(source));
    FeatureEncoder e;
    e.m_config = config;
    QStringList markers;
    for (const QJsonValue& m : j.value(QLatin1String("markers")).toArray())
        markers << m.toString();
    if (markers != config.markers)
        return Error(QStringLiteral("%1: the encoder was fitted for markers %2, the model reads %3").arg(source, markers.join(QStringLiteral(", ")), config.markers.join(QStringLiteral(", "))));
    for (const QString& m : config.markers)
        e.m_log.push_back(config.logMarkers.contains(m));
    e.m_mean = fromNumbers(j.value(QLatin1String("mean")));
    e.m_sd = fromNumbers(j.value(QLatin1String("sd")));
    e.m_cv = fromNumbers(j.value(QLatin1String("cv")));
    e.m_gMean = fromNumbers(j.value(QLatin1String("engineered_mean")));
    e.m_gSd = fromNumbers(j.value(QLatin1String("engineered_sd")));
    e.m_ageMean = j.value(QLatin1String("age_mean")).toDouble(std::nan(""));
    e.m_ageSd = j.value(QLatin1String("age_sd")).toDouble(std::nan(""));
    const size_t n = size_t(config.markers.size()), ng = size_t(config.interactions.size() + config.ratios.size());
    auto finite = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }); };
    if (e.m_mean.size() != n || e.m_sd.size() != n || e.m_cv.size() != n || e.m_gMean.size() != ng || e.m_gSd.size() != ng || !finite(e.m_mean)
        || !finite(e.m_sd) || !finite(e.m_cv) || !finite(e.m_gMean) || !finite(e.m_gSd) || !std::isfinite(e.m_ageMean) || !(e.m_ageSd > 0))
        return Error(QStringLiteral("%1: the encoder's statistics do not match the model (%2 markers, %3 engineered features) or are not finite")
                .arg(source, QString::number(n), QString::number(ng)));
    return e;
}

} // namespace bioforge::age
