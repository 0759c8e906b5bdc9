#pragma once

// The inputs of a HENAW network, from a cohort's biomarkers (canonical
// units), with every statistic fitted on the training rows only and saved as
// JSON with the model (never a pickle; a prediction standardises exactly as
// training did):
//  - x: each marker standardised, z = (v - mean) / sd (ln(1 + v) first for
//    the configured right-skewed markers), clipped to +-6; a missing value is
//    the training mean (z = 0) and is counted;
//  - g: the engineered features: products of two markers' z, and ratios of
//    two lab values a / b (1 when |b| < 1e-6, clamped to [0.1, 10], then ln),
//    each standardised in turn;
//  - cv: each marker's coefficient of variation, sd / |mean| of its lab
//    values, which sets its base weight softmax(-lambda cv / tau);
//  - the age target standardised by the training mean and SD.

#include "henaw/henaw_config.h"
#include "table/cohort.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace bioforge::age {

struct EncodedRows {
    qsizetype rows = 0;
    int markers = 0, engineered = 0;
    std::vector<float> x;        // rows x markers
    std::vector<float> g;        // rows x engineered
    std::vector<float> age;      // standardised target
    qint64 imputedValues = 0;    // missing marker values set to the training mean
};

class FeatureEncoder {
public:
    static core::Expected<FeatureEncoder> fit(const Cohort& cohort, const std::vector<qsizetype>& trainRows, const HenawConfig& config);
    static core::Expected<FeatureEncoder> fromJson(const QJsonObject& json, const HenawConfig& config, const QString& source);
    QJsonObject toJson() const;

    // The cohort must have every marker the model reads (an error names the missing ones).
    core::Expected<EncodedRows> encode(const Cohort& cohort, const std::vector<qsizetype>& rows) const;

    const std::vector<double>& coefficientsOfVariation() const { return m_cv; }
    // After fit: the markers with one value among every training row (their SD, 0, is taken as 1:
    // each z-score is 0 and the marker carries nothing). Not saved: empty after fromJson.
    const QStringList& constantMarkers() const { return m_constant; }
    double ageMean() const { return m_ageMean; }
    double ageSd() const { return m_ageSd; }

private:
    double markerValue(const Cohort& c, int column, int marker, qsizetype row) const; // transformed, NaN if missing
    double ratio(double a, double b) const;

    HenawConfig m_config;
    std::vector<double> m_mean, m_sd, m_cv;     // per marker (of the transformed values; cv of the lab values)
    std::vector<double> m_gMean, m_gSd;         // per engineered feature
    std::vector<bool> m_log;                    // per marker: ln(1 + v) first
    double m_ageMean = 0, m_ageSd = 1;
    QStringList m_constant;
};

} // namespace bioforge::age
