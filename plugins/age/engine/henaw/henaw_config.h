#pragma once

// The full description of a HENAW model (Hierarchical Elastic Net with
// Adaptive Weighting; the public reference is henaw_model.py, class
// HENAWModel, of github xuting42/AI_scientist_mortality): which biomarkers it
// reads and how they group into biological systems, the engineered features,
// the layer sizes, the loss weights and the training schedule. Everything the
// reference hard-codes (marker names and order, the nine-marker count, the
// feature column indices, four disease heads, attention heads, hidden sizes)
// comes from here, so a model is built for the markers a cohort has. Saved as
// JSON with every trained model; loading a model checks it against this.

#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace bioforge::age {

struct HenawSystem {
    QString name;
    QStringList markers; // each in HenawConfig::markers; a marker may be in several systems
};

struct HenawConfig {
    QStringList markers;
    QList<HenawSystem> systems;
    QList<QPair<QString, QString>> interactions; // products of standardised markers
    QList<QPair<QString, QString>> ratios;       // ratios of lab values (safe: see feature_encoder.h)
    QStringList morbidities;                     // outcome columns, one head each (none: no morbidity head)
    QStringList logMarkers{QStringLiteral("crp"), QStringLiteral("ggt"), QStringLiteral("alt"), QStringLiteral("ast")}; // right-skewed: standardised as ln(1 + x)

    int embedding = 16;
    int attentionHeads = 4;
    QList<int> hidden{64, 32, 16};
    double dropout = 0.2;
    double weightingLambda = 1.0, weightingTemperature = 0.5;

    double ageLossWeight = 1.0, mortalityLossWeight = 0.3, morbidityLossWeight = 0.2, probeLossWeight = 0.1;
    double elasticAlpha = 0.5, elasticLambda = 1e-4; // penalty on the mean |w| and w^2 of Linear weights

    int batchSize = 256;
    int epochs = 40;
    double learningRate = 1e-3, minLearningRate = 1e-5;
    int warmupEpochs = 2;
    double gradientClip = 1.0;
    int patience = 8;   // epochs without a better validation loss before stopping
    int ageBand = 5;    // years per stratum of the batch sampler and the split
    int ensemble = 5;   // members, each with its own seed
    double trainFraction = 0.7, validationFraction = 0.15; // the rest is the test split
    quint64 seed = 1;

    // The reference's systems and features restricted to `available` markers
    // (a marker in no system gets a system "other").
    static HenawConfig defaults(const QStringList& available);
    static core::Expected<HenawConfig> fromJson(const QJsonObject& json, const QString& source);
    QJsonObject toJson() const;
    core::Status validate() const;
    // What differs between two configurations, one item a line; empty when they agree.
    QStringList differences(const HenawConfig& other) const;
};

} // namespace bioforge::age
