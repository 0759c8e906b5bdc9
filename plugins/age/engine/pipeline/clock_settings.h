#pragma once

// What a `clocks` or `evaluate` run is configured with, from its parameters:
// the table and its column mapping, the reference cohorts a clock is trained
// on (each read with the same mapping), the three choices where public
// implementations disagree (CRP transform, PhenoAge divisor, KDM s2 rows),
// and what to do with missing values. Every choice is a run parameter, so
// it is in the run's provenance.

#include "clocks/kdm.h"
#include "clocks/phenoage.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace bioforge::age {

enum class MissingPolicy { Drop, Impute };

// Fewest bootstrap resamples a 95 % percentile interval is taken from (evaluate refuses fewer but 0).
inline constexpr int kMinimumBootstrapReplicates = 50;

struct ClockSettings {
    QString table;
    QString mapping = QStringLiteral("nhanes-bioage"); // a file, or a shipped mapping's name
    // The mapping of the reference tables (kdm/phenoage/hd_reference, henaw_train): a file or a
    // shipped name; empty: `mapping` (the user's table and BioAge's NHANES files rarely share one).
    QString referenceMapping;
    const QString& referenceMappingOrTable() const { return referenceMapping.isEmpty() ? mapping : referenceMapping; }
    QString kdmReference;       // empty: no KDM
    QString kdmMarkers = QStringLiteral("kdm"); // a clock of the schema: "kdm" (Levine 2013) or "kdm_blood"
    QString phenoAgeReference;  // empty: no re-trained PhenoAge
    QString hdReference;        // empty: no HD
    QString henawModel;         // evaluate: a trained HENAW model folder to compare too
    QString henawTrain;         // evaluate: a cohort to train HENAW on first (same mapping), then compare it
    QJsonObject henawOverrides; // evaluate: epochs, ensemble, seed for that training
    PhenoAgeSettings phenoAge;
    KdmVarianceRows kdmVarianceRows = KdmVarianceRows::All;
    MissingPolicy missing = MissingPolicy::Drop;
    int bootstrapReplicates = 200; // evaluate: confidence intervals, 0 or at least kMinimumBootstrapReplicates
    int rowsPerChunk = 1 << 15;    // clocks: rows held at once while the table streams through
    uint64_t seed = 1;
    int threads = 0;               // evaluate: LibTorch threads of a HENAW training (0: every core)

    static core::Expected<ClockSettings> fromParameters(const QJsonObject& parameters);
    QString describe() const; // the choices, in one line, for reports
};

} // namespace bioforge::age
